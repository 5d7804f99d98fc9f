//! The statements a database ran while a test watched: each text once, with the arguments of
//! its first run, so that the query-plan tests can ask the database how it would run each
//! (`EXPLAIN`) and fail on a hot query that reads a whole table. Off, it costs one atomic
//! load per statement.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(any(test, feature = "testing"))]
use crate::Backend;
#[cfg(any(test, feature = "testing"))]
use crate::sql::row::Columns;
use crate::sql::row::Record;
use crate::sql::statement::{Arg, Statement};
use crate::sql::tx::Tx;
use crate::{Db, Result};

#[derive(Debug, Default)]
pub struct Plans {
    on: AtomicBool,
    seen: Mutex<Vec<Noted>>,
}

/// A statement run, with the arguments of its first run.
#[derive(Debug, Clone)]
pub struct Noted {
    pub sql: String,
    /// Read by `Db::explain`, which only tests have.
    #[cfg_attr(not(any(test, feature = "testing")), allow(dead_code))]
    args: Vec<Arg>,
}

impl Plans {
    pub(crate) fn note(&self, sql: &str, args: &[Arg]) {
        if !self.on.load(Ordering::Relaxed) {
            return;
        }
        if let Ok(mut seen) = self.seen.lock()
            && !seen.iter().any(|noted| noted.sql == sql)
        {
            seen.push(Noted {
                sql: sql.to_owned(),
                args: args.to_vec(),
            });
        }
    }

    /// Start noting every statement run, on every clone of this database.
    #[cfg(any(test, feature = "testing"))]
    pub fn start(&self) {
        self.on.store(true, Ordering::Relaxed);
    }

    /// Stop, and the statements noted since `start`.
    #[cfg(any(test, feature = "testing"))]
    pub fn stop(&self) -> Vec<Noted> {
        self.on.store(false, Ordering::Relaxed);
        self.seen
            .lock()
            .map(|mut seen| std::mem::take(&mut *seen))
            .unwrap_or_default()
    }
}

/// A transaction that notes what it runs.
pub(crate) struct Noting<'a, T> {
    pub(crate) tx: &'a mut T,
    pub(crate) plans: &'a Plans,
}

impl<T: Tx> Tx for Noting<'_, T> {
    async fn execute(&mut self, statement: &Statement) -> Result<u64> {
        let (sql, args) = statement.parts();
        self.plans.note(sql, args);
        self.tx.execute(statement).await
    }

    async fn execute_all(&mut self, statements: &[Statement]) -> Result<Vec<u64>> {
        statements.iter().for_each(|s| self.note(s));
        self.tx.execute_all(statements).await
    }

    async fn execute_at_commit(&mut self, statements: Vec<Statement>) -> Result<()> {
        statements.iter().for_each(|s| self.note(s));
        self.tx.execute_at_commit(statements).await
    }

    async fn fetch_optional<R: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Option<R>> {
        self.plans.note(sql, args);
        self.tx.fetch_optional(sql, args).await
    }

    async fn fetch_all<R: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<R>> {
        self.plans.note(sql, args);
        self.tx.fetch_all(sql, args).await
    }
}

impl<T> Noting<'_, T> {
    fn note(&self, statement: &Statement) {
        let (sql, args) = statement.parts();
        self.plans.note(sql, args);
    }
}

/// One step of SQLite's plan: its `detail` column.
#[cfg(any(test, feature = "testing"))]
struct Step(String);

#[cfg(any(test, feature = "testing"))]
impl Record for Step {
    fn from_row(row: &impl Columns) -> Result<Self> {
        row.nth(3).map(Step)
    }
}

impl Db {
    /// What this database notes for the query-plan tests.
    pub fn plans(&self) -> &Plans {
        &self.plans
    }

    /// The same, for a transaction body to own.
    pub(crate) fn plans_shared(&self) -> std::sync::Arc<Plans> {
        self.plans.clone()
    }

    /// How the database would run `sql` with `args`: SQLite's `EXPLAIN QUERY PLAN` details,
    /// or PostgreSQL's `EXPLAIN` lines with sequential scans, hash joins and merge joins
    /// priced out, so that a table read whole means no index could serve (a test's tables
    /// are too small to tell: joining a few hundred rows whole is cheaper there than the
    /// index lookups a big table's plan makes).
    #[cfg(any(test, feature = "testing"))]
    pub async fn explain(&self, noted: &Noted) -> Result<Vec<String>> {
        let (sql, args) = (noted.sql.clone(), noted.args.clone());
        match self.backend {
            Backend::Sqlite => {
                let steps: Vec<Step> = self
                    .fetch_all(&format!("EXPLAIN QUERY PLAN {sql}"), &args)
                    .await?;
                Ok(steps.into_iter().map(|Step(step)| step).collect())
            }
            Backend::Postgres => {
                crate::sql::tx::transaction!(self, |tx| {
                    for off in ["enable_seqscan", "enable_hashjoin", "enable_mergejoin"] {
                        let off = Statement::new(format!("SET LOCAL {off} = off"), []);
                        tx.execute(&off).await?;
                    }
                    tx.fetch_all(&format!("EXPLAIN {sql}"), &args).await
                })
            }
        }
    }
}
