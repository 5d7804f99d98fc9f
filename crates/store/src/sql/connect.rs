//! Opening a database from its URL: the connection pools (on PostgreSQL, tokio-postgres's),
//! and on an SQLite file the group-commit writer and the direct readers. An SQLite file and its folder are created if
//! missing.

use std::path::Path;

use sqlx::Executor;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};

use super::{batch, postgres, read};
use crate::{Backend, Db, Error, Result};

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
        if backend == Backend::Postgres {
            let postgres = Some(postgres::connect(&url).await?);
            // Only the migrator uses sqlx here, with one connection opened when it runs.
            let pool = Self::pool_options(backend, false, 1).connect_lazy_with(options);
            return Ok(Self {
                writer: pool.clone(),
                pool,
                postgres,
                batcher: None,
                readers: None,
                plans: Default::default(),
                backend,
            });
        }
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
            postgres: None,
            batcher,
            readers,
            plans: Default::default(),
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
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                             PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
    }
}

/// Which backend a database URL names.
pub fn backend_of(url: &str) -> Option<Backend> {
    if url.starts_with("sqlite:") {
        Some(Backend::Sqlite)
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Some(Backend::Postgres)
    } else {
        None
    }
}

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
