//! The store's errors, from either driver, sorted into what callers act on: missing,
//! conflicting, unavailable (retry later), or broken.

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("already exists")]
    Conflict,
    /// A row the write refers to does not exist (a foreign key found nothing).
    #[error("refers to something that does not exist")]
    Missing,
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[source] rusqlite::Error),
    #[error("database error: {0}")]
    Postgres(#[source] tokio_postgres::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict,
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => Self::Missing,
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed => Self::Unavailable(Box::new(e)),
            _ => Self::Database(e),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        let extended = match &e {
            rusqlite::Error::SqliteFailure(failure, _) => failure.extended_code,
            rusqlite::Error::QueryReturnedNoRows => return Self::NotFound,
            _ => return Self::Sqlite(e),
        };
        match extended {
            ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => Self::Conflict,
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Self::Missing,
            code if matches!(
                code & 0xff,
                ffi::SQLITE_BUSY
                    | ffi::SQLITE_LOCKED
                    | ffi::SQLITE_IOERR
                    | ffi::SQLITE_CANTOPEN
                    | ffi::SQLITE_FULL
            ) =>
            {
                Self::Unavailable(Box::new(e))
            }
            _ => Self::Sqlite(e),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Database(sqlx::Error::Migrate(Box::new(e)))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
