//! Latchkey's storage: SQLite (the default, embedded) and PostgreSQL (for several nodes)
//! through one query path, sqlx's `Any` driver with portable SQL, and two migration folders
//! with the same numbers.
//!
//! - [`applications`]: applications; `secrets`: their client secrets.
//! - [`users`], [`roles`]: users, roles, and who holds which role.
//! - [`audit`]: the append-only audit log.
//! - [`third_party`]: third-party applications' consent ceilings and branding;
//!   [`consent`]: what each user agreed to share with each application.
//! - [`sessions`]: browser sessions and pending interactions; [`throttles`]: failure counters.
//! - [`grants`]: grants and opaque access tokens; `codes`, `refresh_tokens`: the single-use
//!   artefacts issued under a grant.
//! - [`resources`]: API resources, their scopes, and what roles allow.
//! - [`keys`]: signing keys and their rotation.
//! - [`cache`]: what a node polls to know its copies of clients and API permissions are
//!   current.
//! - [`expired`]: deleting what has expired, in small batches.
//! - `testing` (feature `testing`): throwaway databases for the server's tests.
//! - `sql`: the engine every table module runs its SQL through: `connect` (opening either
//!   database), `statement`, `tx`, `row`, `batch`, `read`, `list`, `error`.
//!
//! Method names follow one rule: `find_*` reads, `insert_*` adds, `take_*` consumes a
//! single-use value, anything else says what it changes.

pub mod applications;
pub mod audit;
pub mod cache;
mod codes;
pub mod consent;
pub mod expired;
pub mod grants;
pub mod keys;
mod refresh_tokens;
pub mod resources;
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
use sqlx::migrate::Migrator;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

pub use sql::connect::backend_of;
pub use sql::error::{Error, Result};

pub use sql::list::Page;

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
/// time). Reads keep their own connections and never wait for a writer (WAL).
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    writer: AnyPool,
    /// Group commit for the writes on the token path (an SQLite file only, see `batch`).
    batcher: Option<sql::batch::Batcher>,
    /// Direct reads for the hottest lookups (an SQLite file only, see `read`).
    readers: Option<std::sync::Arc<sql::read::Readers>>,
    backend: Backend,
}

impl Db {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Apply pending migrations. Safe to call from several processes: PostgreSQL serialises
    /// them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.writer).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.writer).await?,
        }
        Ok(())
    }

    /// Whether every migration this build knows has been applied (a node must not serve a
    /// schema older than its code expects; a newer one is fine during a rolling upgrade).
    pub async fn migrations_current(&self) -> Result<bool> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let latest = migrator.iter().map(|m| m.version).max().unwrap_or(0);
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(applied.unwrap_or(0) >= latest)
    }

    /// SQLite's own consistency check (`"ok"` when sound); PostgreSQL keeps its own and
    /// answers `"ok"` here.
    pub async fn integrity_check(&self) -> Result<String> {
        match self.backend {
            Backend::Sqlite => Ok(sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(&self.pool)
                .await?),
            Backend::Postgres => Ok("ok".to_owned()),
        }
    }

    /// Write a consistent copy of an SQLite database to `path` while it is in use
    /// (`VACUUM INTO`); PostgreSQL is backed up with its own tools.
    pub async fn backup_to(&self, path: &str) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            Backend::Postgres => Err(Error::Corrupt(
                "back up PostgreSQL with pg_dump or your provider's backups".into(),
            )),
        }
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    /// Connections open, and idle among them.
    pub fn pool_stats(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Where statements that write go (the same pool as reads on PostgreSQL).
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// Direct reads, on an SQLite file.
    pub(crate) fn readers(&self) -> Option<&sql::read::Readers> {
        self.readers.as_deref()
    }

    /// The group-commit writer, on an SQLite file.
    pub(crate) fn batcher(&self) -> Option<&sql::batch::Batcher> {
        self.batcher.as_ref()
    }

    /// Run `write` in a transaction of its own: its effects are kept, and its result
    /// returned, only if it succeeds and the transaction commits.
    pub(crate) async fn write<T>(
        &self,
        write: impl for<'c> FnOnce(&'c mut sqlx::AnyConnection) -> BoxFuture<'c, Result<T>>,
    ) -> Result<T> {
        let mut tx = self.writer.begin().await?;
        let result = write(&mut tx).await;
        match result {
            Ok(value) => {
                tx.commit().await?;
                Ok(value)
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }
}

/// A future borrowing a connection, as the writes passed to [`Db::write`] return.
pub(crate) type BoxFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// A flag column: BOOLEAN in PostgreSQL, INTEGER 0/1 in SQLite (the Any driver cannot read
/// SQLite's BOOLEAN affinity as `bool`).
pub(crate) fn flag(row: &sqlx::any::AnyRow, column: &str) -> Result<bool> {
    use sqlx::Row;
    match row.try_get::<bool, _>(column) {
        Ok(value) => Ok(value),
        Err(_) => Ok(row.try_get::<i64, _>(column)? != 0),
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

#[cfg(any(test, feature = "testing"))]
pub(crate) mod testing_support;

#[cfg(test)]
#[path = "migrations_tests.rs"]
mod expand_only;
