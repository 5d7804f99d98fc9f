//! Group commit on an SQLite file. A write that must be durable before it is answered (a
//! code redeemed, a refresh token rotated) is queued; one thread runs every write waiting in
//! one transaction, each in a savepoint of its own, and answers them all after one commit, so
//! that one fsync serves many requests. The thread holds its own connection and calls SQLite
//! directly: a statement costs microseconds there, where a trip to a pooled connection's
//! worker thread and back costs far more on a busy machine. PostgreSQL and in-memory SQLite
//! commit each write on its own (`Db::write`).

use std::panic::AssertUnwindSafe;
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::{Error, Result};

/// How many writes one transaction takes at most, so that a long queue is still answered in
/// steps rather than after one huge commit.
const MAX_BATCH: usize = 256;

/// Answers the caller once the transaction's fate is known (`Err` says why it failed).
type Answer = Box<dyn FnOnce(std::result::Result<(), String>) + Send>;

/// A queued write, its result type erased: runs, says whether it succeeded, and how to
/// answer its caller.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Answer) + Send>;

#[derive(Debug, Clone)]
pub(crate) struct Batcher {
    queue: mpsc::Sender<Job>,
}

impl Batcher {
    /// Open the database file at `path` and start the thread that commits what is queued.
    pub(crate) fn start(path: &str) -> Result<Self> {
        let conn = Connection::open(path)?;
        // Another process (the command line) may hold the write lock for a moment.
        conn.busy_timeout(Duration::from_secs(5))?;
        // Each job runs in a savepoint, so a statement that may change several rows keeps a
        // statement journal: in memory, not a temporary file created and unlinked each time.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; \
             PRAGMA temp_store = MEMORY;",
        )?;
        // Every statement the writer runs stays prepared (the default keeps 16; the writes
        // of a sign-in and a redemption together are more).
        conn.set_prepared_statement_cache_capacity(64);
        let (queue, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("latchkey-writer".into())
            .spawn(move || run(&conn, &jobs))
            .map_err(|e| Error::Corrupt(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { queue })
    }

    /// Queue `write` for the next commit and wait for it. Its effects are kept, and its
    /// result returned, only if it succeeds and the transaction commits.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        write: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = write(conn);
            let ok = result.is_ok();
            let answer: Answer = Box::new(move |committed| {
                let _ = tx.send(match committed {
                    Ok(()) => result,
                    Err(why) => result.and(Err(unavailable(why))),
                });
            });
            (ok, answer)
        });
        self.queue
            .send(job)
            .map_err(|_| unavailable("the writer has stopped".into()))?;
        rx.await
            .map_err(|_| unavailable("the write was not committed".into()))?
    }
}

fn unavailable(why: String) -> Error {
    Error::Unavailable(why.into())
}

fn run(conn: &Connection, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH
            && let Ok(job) = jobs.try_recv()
        {
            batch.push(job);
        }
        let (answers, committed) = commit(conn, batch);
        if let Err(e) = &committed {
            tracing::error!(error = %e, "a group commit failed");
            let _ = conn.execute_batch("ROLLBACK");
        }
        let committed = committed.map_err(|e| e.to_string());
        for answer in answers {
            answer(committed.clone());
        }
    }
}

/// Run `batch` in one transaction, each job in a savepoint. Returns how to answer the jobs
/// that ran, and whether the whole was committed; jobs that never ran are dropped, which
/// tells their callers that nothing was committed.
fn commit(conn: &Connection, batch: Vec<Job>) -> (Vec<Answer>, rusqlite::Result<()>) {
    let mut answers = Vec::with_capacity(batch.len());
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE") {
        return (answers, Err(e));
    }
    for job in batch {
        if let Err(e) = exec(conn, "SAVEPOINT job") {
            return (answers, Err(e));
        }
        // A job that panics is a failed job (its caller hears nothing was committed), not a
        // dead writer.
        let ran = std::panic::catch_unwind(AssertUnwindSafe(|| job(conn)));
        let failed = match ran {
            Ok((ok, answer)) => {
                answers.push(answer);
                !ok
            }
            Err(_) => true,
        };
        let undone = match failed {
            true => exec(conn, "ROLLBACK TO job"),
            false => Ok(()),
        };
        if let Err(e) = undone.and_then(|()| exec(conn, "RELEASE job")) {
            return (answers, Err(e));
        }
    }
    let committed = exec(conn, "COMMIT");
    (answers, committed)
}

/// One statement without parameters, prepared once per connection: these run a few times
/// for every write, and need not be parsed every time.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
