//! Password hashing off the async executor, on threads of its own, one per core, so that a
//! flood of sign-ins or user creations cannot starve request handling.
//!
//! The threads take hashes from one queue. A thread that finishes a hash starts the next one
//! queued at once: with the blocking pool behind a semaphore, a core sat idle after each hash
//! until the finished request's task had run, released its permit, and woken the next one,
//! which then woke a blocking thread (three hand-offs between threads, each waiting for a
//! core that the other hashes were using).

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use latchkey_core::password::Memory;
use tokio::sync::oneshot;

/// A queued hash: it runs with the thread's working memory.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// How long a hashing thread waits for work before giving its working memory back.
const QUIET: Duration = Duration::from_millis(200);

#[derive(Default)]
struct Queue {
    jobs: Mutex<VecDeque<Job>>,
    ready: Condvar,
}

fn queue() -> &'static Queue {
    static QUEUE: OnceLock<Queue> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        for n in 0..threads {
            let spawned = std::thread::Builder::new()
                .name(format!("latchkey-hash-{n}"))
                .spawn(work);
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Queue::default()
    })
}

/// Run `hash` on a hashing thread and wait for its result; `None` if it could not run.
async fn run<T: Send + 'static>(hash: impl FnOnce(&mut Memory) -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = oneshot::channel();
    let job: Job = Box::new(move |memory| {
        // A request given up while queued (its browser went away) costs no hash.
        if !tx.is_closed() {
            let _ = tx.send(hash(memory));
        }
    });
    let queue = queue();
    queue.jobs.lock().ok()?.push_back(job);
    queue.ready.notify_one();
    rx.await.ok()
}

/// A hashing thread: jobs in turn, with one working memory kept between them.
fn work() {
    let queue = queue();
    let mut memory = Memory::default();
    loop {
        let Some(job) = next(queue, memory.is_allocated()) else {
            release(&mut memory);
            continue;
        };
        // A hash that panics fails its own request (its answer is dropped), not the thread.
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut memory)));
        if ran.is_err() {
            memory = Memory::default();
        }
    }
}

/// The next job; `None` once [`QUIET`] has passed without one while `holding` memory.
fn next(queue: &Queue, holding: bool) -> Option<Job> {
    let mut jobs = queue.jobs.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        if let Some(job) = jobs.pop_front() {
            return Some(job);
        }
        jobs = match holding {
            true => {
                let (jobs, waited) = queue
                    .ready
                    .wait_timeout(jobs, QUIET)
                    .unwrap_or_else(|p| p.into_inner());
                if waited.timed_out() && jobs.is_empty() {
                    return None;
                }
                jobs
            }
            false => queue.ready.wait(jobs).unwrap_or_else(|p| p.into_inner()),
        };
    }
}

/// Give argon2id's working memory (19 MiB) back to the system once hashing pauses: drop it,
/// and have the allocator (mimalloc, `main.rs`) return what was freed, which it otherwise
/// does only when next called on this thread, and an idle server never is: one sign-in left
/// an idle server 24 MB larger. Releasing after every hash instead would make the next one
/// fault its 19 MiB in again, a fifth of a hash's time during a burst of sign-ins.
#[allow(unsafe_code)]
fn release(memory: &mut Memory) {
    *memory = Memory::default();
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time;
    // it frees only memory that nothing uses any more.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// An argon2id hash of `password` (which the caller has already length-checked).
pub async fn hash(password: String) -> Option<String> {
    run(move |memory| latchkey_core::password::hash(memory, &password))
        .await
        .flatten()
}

/// Whether `password` matches `stored`.
pub async fn verify(password: String, stored: String) -> bool {
    run(move |memory| latchkey_core::password::verify(memory, &password, &stored))
        .await
        .unwrap_or(false)
}
