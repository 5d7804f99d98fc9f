//! Latchkey's storage: SQLite (the default, embedded) and PostgreSQL (for several nodes)
//! through one query path, sqlx's `Any` driver with portable SQL, and two migration folders
//! with the same numbers.
//!
//! - [`applications`]: applications; `secrets`: their client secrets.
//! - [`users`], [`roles`]: users, roles, and who holds which role.
//! - [`audit`]: the append-only audit log.
//! - [`consent`]: third-party applications' consent ceilings and branding.
//! - [`sessions`]: browser sessions and pending interactions.
//! - [`grants`]: grants, authorization codes, refresh and opaque access tokens.
//! - [`resources`]: API resources, their scopes, and what roles allow.
//! - [`keys`]: signing keys and their rotation.
//!
//! Method names follow one rule: `find_*` reads, `insert_*` adds, `take_*` consumes a
//! single-use value, anything else says what it changes.

pub mod applications;
pub mod audit;
mod batch;
pub mod cache;
mod codes;
pub mod consent;
mod error;
pub mod grants;
pub mod keys;
mod list;
mod read;
mod refresh_tokens;
pub mod resources;
pub mod roles;
mod row;
mod secrets;
pub mod sessions;
mod statement;
#[cfg(feature = "testing")]
pub mod testing;
pub mod third_party;
pub mod throttles;
mod tx;
pub mod users;

use std::path::Path;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

pub use error::{Error, Result};

pub use list::Page;

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
    batcher: Option<batch::Batcher>,
    /// Direct reads for the hottest lookups (an SQLite file only, see `read`).
    readers: Option<std::sync::Arc<read::Readers>>,
    backend: Backend,
}

impl Db {
    /// Connect to `sqlite:…` or `postgres:…`. An SQLite file and its folder are created if
    /// missing; SQLite runs in WAL mode with full fsync and foreign keys on.
    pub async fn connect(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url).ok_or_else(|| {
            Error::Corrupt("database URL must start with sqlite: or postgres:".into())
        })?;
        let (url, in_memory) = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => (url.to_owned(), false),
        };
        let options: AnyConnectOptions = url.parse()?;
        let pool = Self::pool_options(backend, in_memory, if in_memory { 1 } else { 16 })
            .connect_with(options.clone())
            .await?;
        let writer = match (backend, in_memory) {
            (Backend::Sqlite, false) => {
                Self::pool_options(backend, false, 1)
                    .connect_with(options)
                    .await?
            }
            _ => pool.clone(),
        };
        let (batcher, readers) = match (backend, in_memory) {
            (Backend::Sqlite, false) => {
                let path = sqlite_path(&url);
                let batcher = batch::Batcher::start(&path)?;
                (
                    Some(batcher),
                    Some(std::sync::Arc::new(read::Readers::new(path))),
                )
            }
            _ => (None, None),
        };
        Ok(Self {
            pool,
            writer,
            batcher,
            readers,
            backend,
        })
    }

    fn pool_options(backend: Backend, in_memory: bool, size: u32) -> AnyPoolOptions {
        AnyPoolOptions::new()
            // An in-memory SQLite database lives and dies with its one connection.
            .max_connections(size)
            // A connection to a local file does not break in the pool; checking it before
            // each use is a round trip to its worker thread, as dear as the query itself.
            .test_before_acquire(backend == Backend::Postgres)
            .min_connections(if in_memory { 1 } else { 0 })
            .idle_timeout(if in_memory {
                None
            } else {
                Some(std::time::Duration::from_secs(600))
            })
            .max_lifetime(if in_memory {
                None
            } else {
                Some(std::time::Duration::from_secs(1800))
            })
            .acquire_timeout(std::time::Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
    }

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
    pub(crate) fn readers(&self) -> Option<&read::Readers> {
        self.readers.as_deref()
    }

    /// The group-commit writer, on an SQLite file.
    pub(crate) fn batcher(&self) -> Option<&batch::Batcher> {
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

pub fn backend_of(url: &str) -> Option<Backend> {
    if url.starts_with("sqlite:") {
        Some(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Some(Backend::Postgres)
    } else {
        None
    }
}

/// A future borrowing a connection, as the writes passed to [`Db::write`] return.
pub(crate) type BoxFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// The file an `sqlite:` URL names.
fn sqlite_path(url: &str) -> String {
    sqlite_parts(url).0.to_owned()
}

/// The file and the query string of an `sqlite:` URL.
fn sqlite_parts(url: &str) -> (&str, &str) {
    let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
    rest.split_once('?').unwrap_or((rest, ""))
}

/// Add `mode=rwc` so the file is created, and create its folder. Returns the URL and
/// whether the database is in memory.
fn prepare_sqlite_url(url: &str) -> Result<(String, bool)> {
    let (path, query) = sqlite_parts(url);
    if path == ":memory:" || query.contains("mode=memory") {
        return Ok((url.to_owned(), true));
    }
    if let Some(parent) = Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| {
            Error::Corrupt(format!(
                "cannot create the folder {}: {e}",
                parent.display()
            ))
        })?;
    }
    let url = match query {
        "" => format!("{url}?mode=rwc"),
        q if q.contains("mode=") => url.to_owned(),
        _ => format!("{url}&mode=rwc"),
    };
    Ok((url, false))
}

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
