//! PostgreSQL through tokio-postgres (decision 0020): a pool of connections whose statements
//! stay prepared, each typed from its arguments (`TEXT`, `BIGINT`, `BOOLEAN`, `BYTEA`, as the
//! columns they are written to), the `Tx` of a pooled connection and of a transaction, rows
//! read through `Columns`, and the driver's errors sorted as the store's.

pub(crate) mod tls;
mod transaction;

pub(crate) use transaction::Transaction;

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod, Runtime};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::sql::row::{Columns, Record, Value};
use crate::sql::statement::{Arg, Statement};
use crate::sql::tx::{BoxFuture, Tx};
use crate::{Error, Result};

pub(crate) type Pool = deadpool_postgres::Pool;

/// Connections a node keeps: enough to keep both cores and PostgreSQL busy while some wait
/// on a commit's fsync, few enough that a cluster of nodes stays within PostgreSQL's 100.
const CONNECTIONS: usize = 16;

/// How long a request waits for a connection, or for one to open, before it is told the
/// database is unavailable.
const WAIT: Duration = Duration::from_secs(5);

/// A pool on `url` (a libpq-style URL; see `tls` for `sslmode`), with one connection opened
/// to prove the database answers.
pub(crate) async fn connect(url: &str) -> Result<Pool> {
    let (url, ssl, tls) = tls::split(url)?;
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| Error::Corrupt(format!("the database URL cannot be read: {e}")))?;
    config.ssl_mode(ssl);
    config.connect_timeout(WAIT);
    // A connection that died (the server restarted, the network cut) is closed by its task
    // and dropped on its way back to the pool: nothing is sent to check the others.
    let recycling = ManagerConfig {
        recycling_method: RecyclingMethod::Fast,
    };
    let manager = Manager::from_config(config, tls, recycling);
    let pool = Pool::builder(manager)
        .max_size(CONNECTIONS)
        .runtime(Runtime::Tokio1)
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(WAIT))
        .recycle_timeout(Some(WAIT))
        .build()
        .map_err(|e| Error::Corrupt(format!("cannot build the PostgreSQL pool: {e}")))?;
    drop(pool.get().await?);
    Ok(pool)
}

/// Run `write` in a transaction of its own: its effects are kept, and its result returned,
/// only if it succeeds and the transaction commits.
pub(crate) async fn write<T>(
    pool: &Pool,
    write: impl for<'c> FnOnce(&'c mut Transaction) -> BoxFuture<'c, Result<T>>,
) -> Result<T> {
    let mut tx = Transaction::new(pool.get().await?);
    let result = write(&mut tx).await;
    match &result {
        Ok(_) => drop(tx.commit().await?),
        Err(_) => tx.rollback().await?,
    }
    result
}

/// Run `statements` in a transaction of its own, sent with its `BEGIN` and `COMMIT` in one
/// round trip (one statement alone needs neither); how many rows each changed.
pub(crate) async fn execute(pool: &Pool, statements: Vec<Statement>) -> Result<Vec<u64>> {
    let mut tx = Transaction::new(pool.get().await?);
    tx.execute_at_commit(statements).await?;
    tx.commit().await
}

/// The parameter types of a statement, from its arguments.
fn types(args: &[Arg]) -> Vec<Type> {
    let of = |arg: &Arg| match arg {
        Arg::Text(_) | Arg::MaybeText(_) => Type::TEXT,
        Arg::Int(_) | Arg::MaybeInt(_) => Type::INT8,
        Arg::Flag(_) => Type::BOOL,
        Arg::Bytes(_) => Type::BYTEA,
    };
    args.iter().map(of).collect()
}

fn params(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter().map(|arg| arg as &(dyn ToSql + Sync)).collect()
}

impl ToSql for Arg {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Arg::Text(text) => text.to_sql(ty, out),
            Arg::MaybeText(text) => text.to_sql(ty, out),
            Arg::Int(int) => int.to_sql(ty, out),
            Arg::MaybeInt(int) => int.to_sql(ty, out),
            Arg::Flag(flag) => flag.to_sql(ty, out),
            Arg::Bytes(bytes) => bytes.to_sql(ty, out),
        }
    }

    /// Each statement is prepared with the types of its arguments (`types`).
    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// `Tx` for a pooled connection outside a transaction (reads).
impl Tx for deadpool_postgres::Client {
    async fn execute(&mut self, statement: &Statement) -> Result<u64> {
        let (sql, args) = statement.parts();
        let prepared = self.prepare_typed_cached(sql, &types(args)).await?;
        Ok(tokio_postgres::Client::execute(self, &prepared, &params(args)).await?)
    }

    async fn fetch_optional<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Option<T>> {
        let prepared = self.prepare_typed_cached(sql, &types(args)).await?;
        let row = tokio_postgres::Client::query_opt(self, &prepared, &params(args)).await?;
        row.as_ref().map(T::from_row).transpose()
    }

    async fn fetch_all<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        let prepared = self.prepare_typed_cached(sql, &types(args)).await?;
        let rows = tokio_postgres::Client::query(self, &prepared, &params(args)).await?;
        rows.iter().map(T::from_row).collect()
    }
}

impl Columns for tokio_postgres::Row {
    fn get<T: Value>(&self, column: &str) -> Result<T> {
        let index = self
            .columns()
            .iter()
            .position(|c| c.name() == column)
            .ok_or_else(|| Error::Corrupt(format!("no column {column}")))?;
        T::from_postgres(self, index)
    }

    fn nth<T: Value>(&self, index: usize) -> Result<T> {
        T::from_postgres(self, index)
    }

    fn flag(&self, column: &str) -> Result<bool> {
        Columns::get(self, column)
    }
}

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        match e.code() {
            Some(&SqlState::UNIQUE_VIOLATION) => Self::Conflict,
            Some(&SqlState::FOREIGN_KEY_VIOLATION) => Self::Missing,
            // No answer from the server (the connection broke), or the server going away.
            None if e.is_closed() || io_error(&e) => Self::Unavailable(Box::new(e)),
            Some(code) if code.code().starts_with("08") || code.code().starts_with("57P") => {
                Self::Unavailable(Box::new(e))
            }
            _ => Self::Postgres(e),
        }
    }
}

/// Whether `e` comes from the connection's socket.
fn io_error(e: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        if cause.is::<std::io::Error>() {
            return true;
        }
        source = cause.source();
    }
    false
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        match e {
            deadpool_postgres::PoolError::Backend(e) => e.into(),
            e => Self::Unavailable(Box::new(e)),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
