//! The database as a whole: its migrations (two folders with the same file names, one per
//! backend), whether it is sound and answers, a copy of an SQLite file, and its pools.

use sqlx::migrate::Migrator;

use crate::sql::tx::Tx;
use crate::{Backend, Db, Error, Result};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Apply pending migrations. Safe to call from several processes: PostgreSQL serialises
    /// them with an advisory lock, SQLite with its write lock.
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(self.writer()).await?,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(self.writer()).await?,
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
        const SQL: &str = "SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE";
        let applied: Option<Option<i64>> = self.fetch_optional(SQL, &[]).await?;
        Ok(applied.flatten().unwrap_or(0) >= latest)
    }

    /// SQLite's own consistency check (`"ok"` when sound); PostgreSQL keeps its own and
    /// answers `"ok"` here.
    pub async fn integrity_check(&self) -> Result<String> {
        match self.backend {
            Backend::Sqlite => Ok(sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(self.pool())
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
                    .execute(self.pool())
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
        match self.postgres() {
            Some(pool) => {
                let _: Option<i64> = pool.get().await?.fetch_optional("SELECT 1", &[]).await?;
            }
            None => {
                sqlx::query("SELECT 1").execute(self.pool()).await?;
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        if let Some(pool) = self.postgres() {
            pool.close();
        }
        self.pool().close().await;
        self.writer().close().await;
    }

    /// Connections open, and idle among them.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self.postgres() {
            Some(pool) => {
                let status = pool.status();
                (status.size as u32, status.available)
            }
            None => (self.pool().size(), self.pool().num_idle()),
        }
    }
}

#[cfg(test)]
#[path = "database_tests.rs"]
mod tests;
