//! Group commit on PostgreSQL, as on an SQLite file (`sql::batch`): writes are queued, and
//! a writer task runs every write waiting in one transaction on one pooled connection, each
//! in a savepoint of its own, and answers them all after one commit. A write that fails (a
//! unique key taken, a lock that would deadlock) is undone alone; a commit that fails fails
//! every write of its batch.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::{Pool, Transaction};
use crate::sql::tx::BoxFuture;
use crate::{Error, Result};

/// How many writes one transaction takes at most. Beyond 64 subtransactions PostgreSQL stops
/// caching them per backend, and every other session's snapshots get slower.
const MAX_BATCH: usize = 64;

/// Writer tasks, each with a transaction of its own at a time.
const WRITERS: usize = 2;

/// Answers the caller once the transaction's fate is known (`Err` says why it failed).
type Answer = Box<dyn FnOnce(Result<()>) + Send>;

/// A queued write, its result type erased: runs, says whether it succeeded, and how to
/// answer its caller.
type Job = Box<dyn for<'t> FnOnce(&'t mut Transaction) -> BoxFuture<'t, (bool, Answer)> + Send>;

#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    queue: mpsc::UnboundedSender<Job>,
}

impl Batcher {
    /// Start the writer tasks, which take their connections from `pool`.
    pub(crate) fn start(pool: &Pool) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..WRITERS {
            tokio::spawn(run(pool.clone(), jobs.clone()));
        }
        Self { queue }
    }

    /// Queue `write` for the next commit and wait for it. Its effects are kept, and its
    /// result returned, only if it succeeds and the transaction commits.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        write: impl for<'t> FnOnce(&'t mut Transaction) -> BoxFuture<'t, Result<T>> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |transaction| {
            Box::pin(async move {
                let result = write(transaction).await;
                let ok = result.is_ok();
                let answer: Answer = Box::new(move |after| {
                    let _ = tx.send(match (result, after) {
                        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                        (Ok(value), Ok(())) => Ok(value),
                    });
                });
                (ok, answer)
            })
        });
        self.queue
            .send(job)
            .map_err(|_| unavailable("the writer has stopped"))?;
        rx.await
            .map_err(|_| unavailable("the write was not committed"))?
    }
}

fn unavailable(why: &str) -> Error {
    Error::Unavailable(why.to_owned().into())
}

async fn run(pool: Pool, jobs: Arc<Mutex<mpsc::UnboundedReceiver<Job>>>) {
    loop {
        let batch = {
            let mut jobs = jobs.lock().await;
            let Some(first) = jobs.recv().await else {
                return;
            };
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH
                && let Ok(job) = jobs.try_recv()
            {
                batch.push(job);
            }
            batch
        };
        match pool.get().await {
            Ok(client) => commit(Transaction::new(client), batch).await,
            // Dropping the jobs tells their callers nothing was committed.
            Err(e) => tracing::error!(error = %e, "no connection for a group commit"),
        }
    }
}

/// Run `batch` in one transaction, each job in a savepoint, and answer each job. Jobs that
/// never ran are dropped, which tells their callers that nothing was committed.
async fn commit(mut tx: Transaction, batch: Vec<Job>) {
    let mut answers: Vec<(Answer, Option<Error>)> = Vec::with_capacity(batch.len());
    let mut lost = None;
    for job in batch {
        tx.begin_job();
        // A job that panics is a failed job (its caller hears nothing was committed), not a
        // dead writer.
        let ran = AssertUnwindSafe(job(&mut tx)).catch_unwind().await;
        let (ok, answer) = match ran {
            Ok((ok, answer)) => (ok, Some(answer)),
            Err(_) => (false, None),
        };
        let failed = match ok {
            true => tx.release_job().await.err(),
            false => None,
        };
        let undone = match (ok, &failed) {
            (true, None) => Ok(()),
            _ => tx.undo_job().await,
        };
        if let Some(answer) = answer {
            answers.push((answer, failed));
        }
        if let Err(e) = undone {
            lost = Some(e);
            break;
        }
    }
    let committed = match lost {
        Some(e) => Err(e),
        None => tx.commit().await,
    };
    if let Err(e) = &committed {
        tracing::error!(error = %e, "a group commit failed");
    }
    let committed = committed.map_err(|e| e.to_string());
    for (answer, failed) in answers {
        answer(match (failed, &committed) {
            (Some(e), _) => Err(e),
            (None, Ok(())) => Ok(()),
            (None, Err(why)) => Err(unavailable(why)),
        });
    }
}
