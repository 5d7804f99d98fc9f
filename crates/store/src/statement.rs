//! Writes on a sign-in's path (interactions, sessions, a grant, its code and consent), each held once
//! as SQL and owned arguments that both drivers take. On an SQLite file they go to the
//! group-commit writer (`batch`), so that the commits of concurrent sign-ins share an fsync
//! and no write waits in SQLite's busy handler behind a group; elsewhere they run through
//! sqlx in a transaction of their own.

use rusqlite::ToSql;
use rusqlite::types::ToSqlOutput;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use crate::{Db, Error, Result};

/// One argument, owned so that the write can cross to the writer thread.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    MaybeText(Option<String>),
    Int(i64),
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

impl ToSql for Arg {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Self::Text(text) => text.to_sql(),
            Self::MaybeText(text) => text.to_sql(),
            Self::Int(int) => int.to_sql(),
        }
    }
}

/// A statement and its arguments (`$1`, `$2`… in order of first use).
#[derive(Debug, Clone)]
pub(crate) struct Statement {
    sql: &'static str,
    args: Vec<Arg>,
}

impl Statement {
    pub(crate) fn new(sql: &'static str, args: impl IntoIterator<Item = Arg>) -> Self {
        Self {
            sql,
            args: args.into_iter().collect(),
        }
    }

    /// Bound by number, as sqlx does: SQLite numbers `$n` parameters in order of first use.
    fn run_sqlite(&self, conn: &rusqlite::Connection) -> Result<u64> {
        let mut statement = conn.prepare_cached(self.sql)?;
        for index in 1..=statement.parameter_count() {
            let arg = statement
                .parameter_name(index)
                .and_then(|name| name.strip_prefix('$')?.parse::<usize>().ok())
                .and_then(|n| self.args.get(n.checked_sub(1)?))
                .ok_or_else(|| Error::Corrupt(format!("no argument for {}", self.sql)))?;
            statement.raw_bind_parameter(index, arg)?;
        }
        Ok(statement.raw_execute()? as u64)
    }

    fn query(&self) -> Query<'_, sqlx::Any, AnyArguments> {
        self.args
            .iter()
            .fold(sqlx::query(self.sql), |query, arg| match arg {
                Arg::Text(text) => query.bind(text.as_str()),
                Arg::MaybeText(text) => query.bind(text.as_deref()),
                Arg::Int(int) => query.bind(*int),
            })
    }
}

impl Db {
    /// Run `statements` in one transaction; how many rows each changed.
    pub(crate) async fn execute(&self, statements: Vec<Statement>) -> Result<Vec<u64>> {
        if let Some(batcher) = self.batcher() {
            return batcher
                .write(move |conn| statements.iter().map(|s| s.run_sqlite(conn)).collect())
                .await;
        }
        self.write(|conn| {
            Box::pin(async move {
                let mut changed = Vec::with_capacity(statements.len());
                for statement in &statements {
                    changed.push(statement.query().execute(&mut *conn).await?.rows_affected());
                }
                Ok(changed)
            })
        })
        .await
    }

    /// Run one statement in a transaction of its own; how many rows it changed.
    pub(crate) async fn execute_one(&self, statement: Statement) -> Result<u64> {
        let changed = self.execute(vec![statement]).await?;
        Ok(changed.first().copied().unwrap_or(0))
    }
}
