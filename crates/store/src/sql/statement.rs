//! Writes held once as SQL and owned arguments that both drivers take (`Statement`, `Arg`).
//! `Db::execute` runs several in one transaction: on an SQLite file on the group-commit
//! writer (`batch`), so that the commits of concurrent sign-ins share an fsync and no write
//! waits in SQLite's busy handler behind a group; elsewhere through sqlx.

use std::borrow::Cow;

use rusqlite::ToSql;
use rusqlite::types::ToSqlOutput;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::sql::postgres;
use crate::sql::tx::{Direct, Tx, run_now};
use crate::{Db, Error, Result};

/// One argument, owned so that the write can cross to the writer thread. Each variant binds
/// as the column type it is written to: a flag as BOOLEAN on PostgreSQL (0/1 on SQLite), a
/// key as BYTEA or BLOB.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
    MaybeInt(Option<i64>),
    Flag(bool),
    Bytes(Vec<u8>),
}

/// `args![a, b]`: the arguments `$1`, `$2`… of a statement, each converted by `Arg::from`.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        [$($crate::sql::statement::Arg::from($arg)),*]
    };
}
pub(crate) use args;

/// `$1, $2, ... $count` (at least `''`, so that `IN ()` never happens).
pub(crate) fn placeholders(count: usize) -> String {
    placeholders_from(1, count)
}

/// `$from, ... $(from + count - 1)` (at least `''`).
pub(crate) fn placeholders_from(from: usize, count: usize) -> String {
    match count {
        0 => "''".to_owned(),
        n => (from..from + n)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl From<&String> for Arg {
    fn from(value: &String) -> Self {
        Self::Text(value.clone())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<Option<&str>> for Arg {
    fn from(value: Option<&str>) -> Self {
        Self::MaybeText(value.map(str::to_owned))
    }
}

impl From<&Option<String>> for Arg {
    fn from(value: &Option<String>) -> Self {
        Self::MaybeText(value.clone())
    }
}

impl From<i64> for Arg {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<Option<i64>> for Arg {
    fn from(value: Option<i64>) -> Self {
        Self::MaybeInt(value)
    }
}

impl From<bool> for Arg {
    fn from(value: bool) -> Self {
        Self::Flag(value)
    }
}

impl From<&[u8]> for Arg {
    fn from(value: &[u8]) -> Self {
        Self::Bytes(value.to_vec())
    }
}

impl From<&Vec<u8>> for Arg {
    fn from(value: &Vec<u8>) -> Self {
        Self::Bytes(value.clone())
    }
}

impl ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Self::Text(text) => text.to_sql(),
            Self::MaybeText(text) => text.to_sql(),
            Self::Int(int) => int.to_sql(),
            Self::MaybeInt(int) => int.to_sql(),
            Self::Flag(flag) => flag.to_sql(),
            Self::Bytes(bytes) => bytes.to_sql(),
        }
    }
}

/// A statement and its arguments (`$1`, `$2`… in order of first use).
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    sql: Cow<'static, str>,
    args: Vec<Arg>,
}

impl Statement {
    /// A statement; its text is a literal of this crate or built from literals only.
    pub(crate) fn new(
        sql: impl Into<Cow<'static, str>>,
        args: impl IntoIterator<Item = Arg>,
    ) -> Self {
        Self {
            sql: sql.into(),
            args: args.into_iter().collect(),
        }
    }

    pub(crate) fn parts(&self) -> (&str, &[Arg]) {
        (&self.sql, &self.args)
    }

    pub(crate) fn run_sqlite(&self, conn: &rusqlite::Connection) -> Result<u64> {
        let mut statement = conn.prepare_cached(&self.sql)?;
        bind_sqlite(&mut statement, &self.args)?;
        Ok(statement.raw_execute()? as u64)
    }

    pub(crate) fn query(&self) -> Query<'_, sqlx::Any, AnyArguments> {
        bind_sqlx(sqlx::query(AssertSqlSafe(&*self.sql)), &self.args)
    }
}

/// Bind `args` by number, as sqlx does: SQLite numbers `$n` parameters in order of first
/// use, so `$2` may come before `$1` in the text.
pub(crate) fn bind_sqlite(statement: &mut rusqlite::Statement<'_>, args: &[Arg]) -> Result<()> {
    for index in 1..=statement.parameter_count() {
        let arg = statement
            .parameter_name(index)
            .and_then(|name| name.strip_prefix('$')?.parse::<usize>().ok())
            .and_then(|n| args.get(n.checked_sub(1)?))
            .ok_or_else(|| Error::Corrupt(format!("no argument for parameter {index}")))?;
        statement.raw_bind_parameter(index, arg)?;
    }
    Ok(())
}

pub(crate) fn bind_sqlx<'q>(
    query: Query<'q, sqlx::Any, AnyArguments>,
    args: &'q [Arg],
) -> Query<'q, sqlx::Any, AnyArguments> {
    args.iter().fold(query, |query, arg| match arg {
        Arg::Text(text) => query.bind(text.as_str()),
        Arg::MaybeText(text) => query.bind(text.as_deref()),
        Arg::Int(int) => query.bind(*int),
        Arg::MaybeInt(int) => query.bind(*int),
        Arg::Flag(flag) => query.bind(*flag),
        Arg::Bytes(bytes) => query.bind(bytes.as_slice()),
    })
}

impl Db {
    /// Run `statements` in one transaction; how many rows each changed.
    pub(crate) async fn execute(&self, statements: Vec<Statement>) -> Result<Vec<u64>> {
        statements.iter().for_each(|s| self.note(s));
        if let Some(batcher) = self.batcher() {
            let write = move |conn: &_| run_now(execute_all(&mut Direct(conn), &statements));
            return batcher.write(write).await;
        }
        if let Some(pool) = self.postgres() {
            return postgres::execute(pool, statements).await;
        }
        self.write(|conn| Box::pin(async move { execute_all(conn, &statements).await }))
            .await
    }

    /// Run one statement in a transaction of its own; how many rows it changed.
    pub(crate) async fn execute_one(&self, statement: Statement) -> Result<u64> {
        let changed = self.execute(vec![statement]).await?;
        Ok(changed.first().copied().unwrap_or(0))
    }

    /// Run one statement in a transaction of its own; `NotFound` when it changed no row.
    pub(crate) async fn execute_found(&self, statement: Statement) -> Result<()> {
        match self.execute_one(statement).await? {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// Run `guard`, and `then` only if it changed a row, in one transaction; whether it did.
    /// A guard that consumes something (`consumed_at IS NULL`) lets one caller only go on.
    pub(crate) async fn execute_if(&self, guard: Statement, then: Vec<Statement>) -> Result<bool> {
        [&guard].into_iter().chain(&then).for_each(|s| self.note(s));
        if let Some(batcher) = self.batcher() {
            let write = move |conn: &_| run_now(execute_if(&mut Direct(conn), &guard, &then));
            return batcher.write(write).await;
        }
        if let Some(pool) = self.postgres() {
            let write = postgres::write(pool, |tx| {
                Box::pin(async move { execute_if(tx, &guard, &then).await })
            });
            return write.await;
        }
        self.write(|conn| Box::pin(async move { execute_if(conn, &guard, &then).await }))
            .await
    }
}

impl Db {
    fn note(&self, statement: &Statement) {
        let (sql, args) = statement.parts();
        self.plans.note(sql, args);
    }
}

async fn execute_if(tx: &mut impl Tx, guard: &Statement, then: &[Statement]) -> Result<bool> {
    if tx.execute(guard).await? == 0 {
        return Ok(false);
    }
    // Nothing reads their counts: on PostgreSQL they travel with the `COMMIT`.
    tx.execute_at_commit(then.to_vec()).await?;
    Ok(true)
}

async fn execute_all(tx: &mut impl Tx, statements: &[Statement]) -> Result<Vec<u64>> {
    tx.execute_all(statements).await
}
