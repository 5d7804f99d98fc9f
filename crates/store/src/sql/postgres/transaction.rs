//! A transaction on a pooled PostgreSQL connection, as a `Tx`: a write of its own, or one
//! job of a group commit (`batch`), each job in a savepoint. What opens it (`BEGIN`, the
//! job's `SAVEPOINT`) travels with its first statement, and the statements whose results
//! nobody reads travel with what closes it (`COMMIT`, `RELEASE`): one round trip each rather
//! than two.

use std::future::Future;

use super::{params, types};
use crate::sql::row::Record;
use crate::sql::statement::{Arg, Statement};
use crate::sql::tx::Tx;
use crate::{Error, Result};

type Client = deadpool_postgres::Client;

pub(crate) struct Transaction {
    client: Option<Client>,
    /// Whether `BEGIN` has been sent.
    open: bool,
    /// In a group commit: whether the current job's `SAVEPOINT` has been sent.
    job: Option<bool>,
    /// Statements sent with the `COMMIT` or `RELEASE` (`Tx::execute_at_commit`).
    last: Vec<Statement>,
}

/// The connection of a transaction that has not been dropped.
fn connection(client: &Option<Client>) -> Result<&Client> {
    client
        .as_ref()
        .ok_or_else(|| Error::Corrupt("a finished transaction was used".into()))
}

/// What must be sent before the next statement, marked as sent.
fn opening(open: &mut bool, job: &mut Option<bool>) -> Option<&'static str> {
    let text = match (*open, *job) {
        (false, None) => "BEGIN",
        (false, Some(_)) => "BEGIN; SAVEPOINT job",
        (true, Some(false)) => "SAVEPOINT job",
        (true, _) => return None,
    };
    *open = true;
    if job.is_some() {
        *job = Some(true);
    }
    Some(text)
}

impl Transaction {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client: Some(client),
            open: false,
            job: None,
            last: Vec::new(),
        }
    }

    /// Commit, if anything was written; a failure rolls everything back.
    pub(crate) async fn commit(&mut self) -> Result<()> {
        if !self.open && self.last.is_empty() {
            return Ok(());
        }
        self.close("COMMIT").await?;
        self.open = false;
        Ok(())
    }

    /// Undo what was written, if anything.
    pub(crate) async fn rollback(&mut self) -> Result<()> {
        self.last.clear();
        if self.open {
            connection(&self.client)?.batch_execute("ROLLBACK").await?;
            self.open = false;
        }
        Ok(())
    }

    /// Start the next job of a group commit.
    pub(crate) fn begin_job(&mut self) {
        self.job = Some(false);
        self.last.clear();
    }

    /// Keep what the current job wrote (if anything). On `Err` the job's statement that failed
    /// says why, and the job must be undone (`undo_job`).
    pub(crate) async fn release_job(&mut self) -> Result<()> {
        if self.job == Some(false) && self.last.is_empty() {
            return Ok(());
        }
        self.close("RELEASE job").await
    }

    /// Undo what the current job wrote; `Err` only when the whole transaction is lost.
    pub(crate) async fn undo_job(&mut self) -> Result<()> {
        self.last.clear();
        if self.job == Some(true) {
            let undo = "ROLLBACK TO job; RELEASE job";
            connection(&self.client)?.batch_execute(undo).await?;
        }
        Ok(())
    }

    /// What opens the transaction or job if not sent yet, the statements kept for the end,
    /// and `closing`, sent together. A statement that fails makes `closing` fail (or a
    /// `COMMIT` roll back), and its error is returned.
    async fn close(&mut self, closing: &'static str) -> Result<()> {
        let client = connection(&self.client)?;
        let mut prepared = Vec::with_capacity(self.last.len());
        for statement in &self.last {
            let (sql, args) = statement.parts();
            let ready = client.prepare_typed_cached(sql, &types(args)).await?;
            prepared.push((ready, params(args)));
        }
        let opening = opening(&mut self.open, &mut self.job);
        let begin = async {
            match opening {
                Some(text) => client.batch_execute(text).await,
                None => Ok(()),
            }
        };
        let last = prepared
            .iter()
            .map(|(statement, params)| tokio_postgres::Client::execute(client, statement, params));
        let last = futures_util::future::join_all(last);
        let close = client.batch_execute(closing);
        let (begun, ran, closed) = tokio::join!(biased; begin, last, close);
        self.last.clear();
        begun?;
        for changed in ran {
            changed?;
        }
        closed?;
        Ok(())
    }

    /// Run `statement`'s future, after what opens the transaction or job if not sent yet:
    /// both are sent before either answer is awaited.
    async fn run<T>(
        client: &Client,
        open: &mut bool,
        job: &mut Option<bool>,
        statement: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        let Some(text) = opening(open, job) else {
            return Ok(statement.await?);
        };
        let (begun, ran) = tokio::join!(biased; client.batch_execute(text), statement);
        begun?;
        Ok(ran?)
    }
}

impl Drop for Transaction {
    /// A transaction left open (its request was dropped half-way) must not go back to the
    /// pool: its connection is closed instead, which rolls it back.
    fn drop(&mut self) {
        if let (true, Some(client)) = (self.open, self.client.take()) {
            drop(deadpool_postgres::Object::take(client));
        }
    }
}

impl Tx for Transaction {
    async fn execute(&mut self, statement: &Statement) -> Result<u64> {
        let client = connection(&self.client)?;
        let (sql, args) = statement.parts();
        let prepared = client.prepare_typed_cached(sql, &types(args)).await?;
        let params = params(args);
        let run = tokio_postgres::Client::execute(client, &prepared, &params);
        Self::run(client, &mut self.open, &mut self.job, run).await
    }

    /// Every statement is sent before the first answer is awaited: one round trip for all.
    async fn execute_all(&mut self, statements: &[Statement]) -> Result<Vec<u64>> {
        let client = connection(&self.client)?;
        let mut prepared = Vec::with_capacity(statements.len());
        for statement in statements {
            let (sql, args) = statement.parts();
            let ready = client.prepare_typed_cached(sql, &types(args)).await?;
            prepared.push((ready, params(args)));
        }
        let runs = prepared
            .iter()
            .map(|(statement, params)| tokio_postgres::Client::execute(client, statement, params));
        let all = futures_util::future::join_all(runs);
        let all = async { Ok::<_, tokio_postgres::Error>(all.await) };
        let changed = Self::run(client, &mut self.open, &mut self.job, all).await?;
        Ok(changed.into_iter().collect::<std::result::Result<_, _>>()?)
    }

    async fn execute_at_commit(&mut self, statements: Vec<Statement>) -> Result<()> {
        self.last.extend(statements);
        Ok(())
    }

    async fn fetch_optional<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Option<T>> {
        let client = connection(&self.client)?;
        let prepared = client.prepare_typed_cached(sql, &types(args)).await?;
        let params = params(args);
        let query = client.query_opt(&prepared, &params);
        let row = Self::run(client, &mut self.open, &mut self.job, query).await?;
        row.as_ref().map(T::from_row).transpose()
    }

    async fn fetch_all<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        let client = connection(&self.client)?;
        let prepared = client.prepare_typed_cached(sql, &types(args)).await?;
        let params = params(args);
        let query = client.query(&prepared, &params);
        let rows = Self::run(client, &mut self.open, &mut self.job, query).await?;
        rows.iter().map(T::from_row).collect()
    }
}
