//! One transaction body for both drivers. The writes that decide something (consuming a
//! code, rotating a refresh token) are written once, as async code over `Tx`. On an SQLite
//! file the body runs on the group-commit writer's thread, where no step ever waits, so one
//! poll drives it to its end (`run_now`); elsewhere it awaits sqlx.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use rusqlite::Connection;
use sqlx::{AnyConnection, AssertSqlSafe};

use crate::sql::row::Record;
use crate::sql::statement::{Arg, Statement, bind_sqlite, bind_sqlx};
use crate::{Db, Error, Result};

/// A connection inside a transaction. The rule for a body written over `Tx`: it awaits nothing
/// but the transaction's own calls (no channel, lock, timer or other I/O), because on an
/// SQLite file it runs on the group-commit writer's thread, driven by one poll (`run_now`); a
/// body that waits for anything else fails there with `Error::Corrupt` rather than stalling
/// every write behind it (tested below, and by every store test on an SQLite file).
pub(crate) trait Tx {
    /// Run `statement`; how many rows it changed.
    async fn execute(&mut self, statement: &Statement) -> Result<u64>;

    /// Run `statements` in order; how many rows each changed. On PostgreSQL they are sent
    /// together, in one round trip.
    async fn execute_all(&mut self, statements: &[Statement]) -> Result<Vec<u64>> {
        let mut changed = Vec::with_capacity(statements.len());
        for statement in statements {
            changed.push(self.execute(statement).await?);
        }
        Ok(changed)
    }

    /// Run `statements`, whose results nobody reads, before the transaction commits; their
    /// failure fails the transaction. On PostgreSQL they are sent with the `COMMIT`.
    async fn execute_at_commit(&mut self, statements: Vec<Statement>) -> Result<()> {
        self.execute_all(&statements).await.map(|_| ())
    }

    /// The first row `sql` returns (a `SELECT`, or a write with `RETURNING`), decoded.
    async fn fetch_optional<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Option<T>>;

    /// Every row `sql` returns, decoded.
    async fn fetch_all<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>>;
}

/// `transaction!(db, |tx| body)`: run `body`, an expression awaiting `Tx` calls on `tx`, in
/// a transaction of its own, keeping its effects only if it returns `Ok` and the transaction
/// commits. On an SQLite file it runs on the group-commit writer (`tx` is `Direct`), on
/// PostgreSQL through tokio-postgres (`tx` is a transaction of its pool), in memory through
/// sqlx (`tx` is an `AnyConnection`); the body is written once and compiled for both,
/// so what it captures must be owned.
macro_rules! transaction {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let db: &$crate::Db = $db;
        let plans = db.plans_shared();
        match db.batcher() {
            Some(batcher) => {
                batcher
                    .write(move |conn| {
                        let mut direct = $crate::sql::tx::Direct(conn);
                        $crate::sql::tx::run_now(async {
                            let $tx = &mut $crate::sql::plans::Noting {
                                tx: &mut direct,
                                plans: &plans,
                            };
                            $body
                        })
                    })
                    .await
            }
            None => match db.postgres() {
                Some(pool) => {
                    $crate::sql::postgres::write(pool, move |tx| {
                        Box::pin(async move {
                            let $tx = &mut $crate::sql::plans::Noting { tx, plans: &plans };
                            $body
                        })
                    })
                    .await
                }
                None => {
                    db.write(move |conn| {
                        Box::pin(async move {
                            let $tx = &mut $crate::sql::plans::Noting {
                                tx: conn,
                                plans: &plans,
                            };
                            $body
                        })
                    })
                    .await
                }
            },
        }
    }};
}
pub(crate) use transaction;

/// The group-commit writer's own connection, called directly.
pub(crate) struct Direct<'c>(pub(crate) &'c Connection);

impl Tx for Direct<'_> {
    async fn execute(&mut self, statement: &Statement) -> Result<u64> {
        statement.run_sqlite(self.0)
    }

    async fn fetch_optional<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Option<T>> {
        let mut statement = self.0.prepare_cached(sql)?;
        bind_sqlite(&mut statement, args)?;
        let mut rows = statement.raw_query();
        rows.next()?.map(T::from_row).transpose()
    }

    async fn fetch_all<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        let mut statement = self.0.prepare_cached(sql)?;
        bind_sqlite(&mut statement, args)?;
        let mut rows = statement.raw_query();
        let mut decoded = Vec::new();
        while let Some(row) = rows.next()? {
            decoded.push(T::from_row(row)?);
        }
        Ok(decoded)
    }
}

impl Tx for AnyConnection {
    async fn execute(&mut self, statement: &Statement) -> Result<u64> {
        Ok(statement.query().execute(&mut *self).await?.rows_affected())
    }

    async fn fetch_optional<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Option<T>> {
        let query = bind_sqlx(sqlx::query(AssertSqlSafe(sql)), args);
        let row = query.fetch_optional(&mut *self).await?;
        row.as_ref().map(T::from_row).transpose()
    }

    async fn fetch_all<T: Record>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>> {
        let query = bind_sqlx(sqlx::query(AssertSqlSafe(sql)), args);
        let rows = query.fetch_all(&mut *self).await?;
        rows.iter().map(T::from_row).collect()
    }
}

impl Db {
    /// Run `write` in a transaction of its own through sqlx: its effects are kept, and its
    /// result returned, only if it succeeds and the transaction commits.
    pub(crate) async fn write<T>(
        &self,
        write: impl for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>>,
    ) -> Result<T> {
        let mut tx = self.writer().begin().await?;
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

/// A future borrowing a connection, as the writes passed to [`Db::write`] return.
pub(crate) type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Drive a body over `Direct` to its end; it never waits, so one poll finishes it.
pub(crate) fn run_now<T>(body: impl Future<Output = Result<T>>) -> Result<T> {
    let mut body = std::pin::pin!(body);
    match body.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(Error::Corrupt("a direct SQLite write waited".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A future that is not ready the first time it is polled, as any real wait is.
    struct Waits(bool);

    impl Future for Waits {
        type Output = ();

        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                return Poll::Ready(());
            }
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }

    #[test]
    fn a_body_that_awaits_anything_but_the_transaction_is_refused() {
        let waited = run_now(async {
            Waits(false).await;
            Ok(())
        });
        assert!(matches!(waited, Err(Error::Corrupt(_))), "{waited:?}");
        assert_eq!(run_now(async { Ok(7) }).ok(), Some(7));
    }
}
