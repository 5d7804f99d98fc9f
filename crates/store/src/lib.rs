//! Latchkey's storage: SQLite (the default, embedded) and PostgreSQL (for several nodes)
//! through one engine (`sql`) and portable SQL, with two migration folders of the same names.
//!
//! - [`applications`]: applications; `secrets`: their client secrets.
//! - [`users`], [`roles`]: users, roles, and who holds which role.
//! - [`audit`]: the audit log (nothing changes an entry; retention deletes old ones).
//! - [`third_party`]: third-party applications' consent ceilings and branding;
//!   [`consent`]: what each user agreed to share with each application.
//! - [`sessions`]: browser sessions and pending interactions; [`throttles`]: failure counters.
//! - [`grants`]: grants and opaque access tokens; `codes`, `refresh_tokens`: the single-use
//!   artefacts issued under a grant; `claim`: consuming one and storing what it was
//!   exchanged for.
//! - [`organizations`]: organizations; [`organization_members`]: their members and the
//!   roles they hold there; [`organization_roles`]: the roles and scopes every organization
//!   shares; [`organization_consent`]: third-party applications' ceilings in organizations;
//!   [`organization_holdings`]: what members' roles give them there.
//! - [`resources`]: API resources, their scopes, and what roles allow.
//! - [`keys`]: signing keys and their rotation.
//! - [`challenges`]: codes sent to an address; [`outbox`]: mail waiting to be sent.
//! - [`cache`]: what a node polls to know its copies of clients and API permissions are
//!   current.
//! - [`expired`]: deleting what has expired, in small batches; [`retention`]: what is old
//!   enough to go (audit entries, idle grants and consents), the same way.
//! - `testing` (feature `testing`): throwaway databases for the server's tests; `bulk` (the
//!   same feature): a large deployment's rows, fast, for the scale benchmark; `footprint`
//!   (the same feature): what they take on disk.
//! - `sql`: the engine every table module runs its SQL through, and the only place that calls
//!   a driver: `connect` (opening either database), `database` (migrations, integrity,
//!   backup), `statement`, `tx`, `row`, `batch`, `read`, `list`, `plans` (what ran, for the query-plan tests), `error`,
//!   `testing`.
//!
//! Method names follow one rule: `find_*` reads, `insert_*` adds, `take_*` consumes a
//! single-use value, anything else says what it changes.

pub mod applications;
pub mod audit;
#[cfg(any(test, feature = "testing"))]
pub mod bulk;
pub mod cache;
pub mod challenges;
mod claim;
pub mod codes;
pub mod consent;
pub mod device;
pub mod dynamic_clients;
pub mod expired;
#[cfg(any(test, feature = "testing"))]
pub mod footprint;
pub mod grants;
pub mod keys;
pub mod mfa;
pub mod organization_consent;
pub mod organization_holdings;
pub mod organization_invitations;
pub mod organization_members;
pub mod organization_roles;
pub mod organizations;
pub mod outbox;
mod refresh_tokens;
pub mod resources;
pub mod retention;
pub mod roles;
mod secrets;
pub mod sessions;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;
pub mod third_party;
pub mod throttles;
pub mod users;

use sqlx::AnyPool;

pub use sql::connect::backend_of;
pub use sql::error::{Error, Result};

pub use sql::list::Page;
pub use sql::plans::{Noted, Plans};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A pool of connections to one database.
///
/// On SQLite, writes go through a pool of its own with one connection: SQLite takes one
/// writer at a time anyway, and writers waiting in this queue are woken in turn, where
/// writers racing for the file lock would sleep in SQLite's busy handler (1 to 100 ms at a
/// time). Reads keep their own connections and never wait for a writer (WAL). On
/// PostgreSQL every statement goes through `postgres`; sqlx's pool there only applies
/// migrations (it opens its connection when they run).
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    writer: AnyPool,
    /// tokio-postgres's pool, on PostgreSQL (decision 0020).
    postgres: Option<sql::postgres::Pool>,
    /// Group commit for the writes on the token path (an SQLite file only, see `batch`).
    batcher: Option<sql::batch::Batcher>,
    /// Direct reads for the hottest lookups (an SQLite file only, see `read`).
    readers: Option<std::sync::Arc<sql::read::Readers>>,
    /// What ran while a query-plan test watched; shared by every clone.
    plans: std::sync::Arc<sql::plans::Plans>,
    backend: Backend,
}

impl Db {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Where statements that write go (the same pool as reads on PostgreSQL).
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// The pool every statement uses, on PostgreSQL.
    pub(crate) fn postgres(&self) -> Option<&sql::postgres::Pool> {
        self.postgres.as_ref()
    }

    /// Direct reads, on an SQLite file.
    pub(crate) fn readers(&self) -> Option<&sql::read::Readers> {
        self.readers.as_deref()
    }

    /// The group-commit writer, on an SQLite file.
    pub(crate) fn batcher(&self) -> Option<&sql::batch::Batcher> {
        self.batcher.as_ref()
    }
}

/// Decode a JSON array of strings stored as TEXT.
pub(crate) fn string_list(column: &str, raw: &str) -> Result<Vec<String>> {
    serde_json::from_str(raw).map_err(|_| Error::Corrupt(format!("{column} is not a JSON list")))
}

pub(crate) fn to_json_list(list: &[String]) -> String {
    serde_json::Value::from(list.to_vec()).to_string()
}

#[cfg(test)]
pub(crate) mod test_dbs;
