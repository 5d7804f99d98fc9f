//! Group commit on SQLite. A write that must be durable before it is answered (a code
//! redeemed, a refresh token rotated) is queued; one task runs every write waiting in one
//! transaction, each in a savepoint of its own, and answers them all after one commit, so
//! that one fsync serves many requests. PostgreSQL commits each write on its own: its
//! connections work in parallel, and several nodes share it.

use std::future::Future;
use std::pin::Pin;

use sqlx::{AnyConnection, AnyPool, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::{Error, Result};

/// How many writes one transaction takes at most, so that a long queue is still answered in
/// steps rather than after one huge commit.
const MAX_BATCH: usize = 256;

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Run a write against a connection inside a transaction; its effects stay only if it
/// returns `Ok`.
pub(crate) trait Write<T>:
    for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static
{
}
impl<T, F> Write<T> for F where
    F: for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, Result<T>> + Send + 'static
{
}

/// Answers the caller once the transaction's fate is known (`Err` carries why the commit
/// failed).
type Answer = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;

/// A queued write, its result type erased: runs, says whether it succeeded, and how to
/// answer its caller.
type Job = Box<dyn for<'c> FnOnce(&'c mut AnyConnection) -> BoxFuture<'c, (bool, Answer)> + Send>;

#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    queue: mpsc::UnboundedSender<Job>,
}

impl Batcher {
    /// Start the task that commits what is queued, through `writer`.
    pub(crate) fn start(writer: AnyPool) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        tokio::spawn(run(writer, jobs));
        Self { queue }
    }

    pub(crate) async fn write<T: Send + 'static>(&self, write: impl Write<T>) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = write(conn).await;
                let ok = result.is_ok();
                let answer: Answer = Box::new(move |committed| {
                    let _ = tx.send(match committed {
                        Ok(()) => result,
                        Err(why) => result.and(Err(unavailable(why))),
                    });
                });
                (ok, answer)
            })
        });
        self.queue
            .send(job)
            .map_err(|_| unavailable("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| unavailable("the write was abandoned".into()))?
    }
}

fn unavailable(why: String) -> Error {
    Error::Unavailable(sqlx::Error::Protocol(why))
}

async fn run(writer: AnyPool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (answers, committed) = commit(&writer, std::mem::take(&mut batch)).await;
        let committed = committed.map_err(|e| e.to_string());
        for answer in answers {
            answer(committed.clone());
        }
    }
}

/// Run `batch` in one transaction, each job in a savepoint. Returns how to answer the jobs
/// that ran, and whether the whole was committed; jobs that never ran are dropped, which
/// answers their callers that the database is unavailable.
async fn commit(writer: &AnyPool, batch: Vec<Job>) -> (Vec<Answer>, Result<()>) {
    let mut answers = Vec::with_capacity(batch.len());
    let mut conn = match writer.acquire().await {
        Ok(conn) => conn,
        Err(e) => return (answers, Err(e.into())),
    };
    let mut tx = match conn.begin().await {
        Ok(tx) => tx,
        Err(e) => return (answers, Err(e.into())),
    };
    for job in batch {
        let mut savepoint = match tx.begin().await {
            Ok(savepoint) => savepoint,
            Err(e) => return (answers, Err(e.into())),
        };
        let (ok, answer) = job(&mut savepoint).await;
        answers.push(answer);
        let ended = if ok {
            savepoint.commit().await
        } else {
            savepoint.rollback().await
        };
        if let Err(e) = ended {
            return (answers, Err(e.into()));
        }
    }
    let committed = tx.commit().await.map_err(Error::from);
    (answers, committed)
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
