//! A transaction on a pooled PostgreSQL connection, as a `Tx`. Its `BEGIN` travels with its
//! first statement, and the statements whose results nobody reads travel with its `COMMIT`:
//! one round trip each rather than two. A body that writes nothing never begins one.

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
    /// Statements sent with the `COMMIT` (`Tx::execute_at_commit`).
    last: Vec<Statement>,
}

/// The connection of a transaction that has not been dropped.
fn connection(client: &Option<Client>) -> Result<&Client> {
    client
        .as_ref()
        .ok_or_else(|| Error::Corrupt("a finished transaction was used".into()))
}

impl Transaction {
    pub(crate) fn new(client: Client) -> Self {
        Self {
            client: Some(client),
            open: false,
            last: Vec::new(),
        }
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

    /// Commit, if anything was written, and say how many rows each statement kept for the
    /// end changed. `BEGIN` if not sent yet, the statements kept for the end, and `COMMIT` go
    /// out together; a statement that fails turns the `COMMIT` into a rollback, and its error
    /// is returned. A transaction that is nothing but one statement needs neither: the
    /// statement is atomic on its own.
    pub(crate) async fn commit(&mut self) -> Result<Vec<u64>> {
        let client = connection(&self.client)?;
        if !self.open && self.last.len() <= 1 {
            let Some(statement) = self.last.pop() else {
                return Ok(Vec::new());
            };
            let (sql, args) = statement.parts();
            let prepared = client.prepare_typed_cached(sql, &types(args)).await?;
            let params = params(args);
            let changed = tokio_postgres::Client::execute(client, &prepared, &params).await?;
            return Ok(vec![changed]);
        }
        let mut prepared = Vec::with_capacity(self.last.len());
        for statement in &self.last {
            let (sql, args) = statement.parts();
            let ready = client.prepare_typed_cached(sql, &types(args)).await?;
            prepared.push((ready, params(args)));
        }
        let begin = async {
            match self.open {
                true => Ok(()),
                false => client.batch_execute("BEGIN").await,
            }
        };
        let last = prepared
            .iter()
            .map(|(statement, params)| tokio_postgres::Client::execute(client, statement, params));
        let last = futures_util::future::join_all(last);
        let commit = client.batch_execute("COMMIT");
        let (begun, ran, committed) = tokio::join!(biased; begin, last, commit);
        self.last.clear();
        begun?;
        let changed = ran
            .into_iter()
            .collect::<std::result::Result<Vec<_>, _>>()?;
        committed?;
        self.open = false;
        Ok(changed)
    }

    /// Run `statement`'s future, after `BEGIN` if the transaction is not open yet: both are
    /// sent before either answer is awaited.
    async fn run<T>(
        client: &Client,
        open: &mut bool,
        statement: impl Future<Output = std::result::Result<T, tokio_postgres::Error>>,
    ) -> Result<T> {
        if *open {
            return Ok(statement.await?);
        }
        let (begun, ran) = tokio::join!(biased; client.batch_execute("BEGIN"), statement);
        begun?;
        *open = true;
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
        Self::run(client, &mut self.open, run).await
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
        let changed = Self::run(client, &mut self.open, all).await?;
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
        let row = Self::run(client, &mut self.open, query).await?;
        row.as_ref().map(T::from_row).transpose()
    }

    async fn fetch_all<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        let client = connection(&self.client)?;
        let prepared = client.prepare_typed_cached(sql, &types(args)).await?;
        let params = params(args);
        let query = client.query(&prepared, &params);
        let rows = Self::run(client, &mut self.open, query).await?;
        rows.iter().map(T::from_row).collect()
    }
}
