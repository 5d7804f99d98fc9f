//! Password hashing off the async executor, at most one hash per core at a time, so that a
//! flood of sign-ins or user creations cannot starve request handling.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use latchkey_core::password::Memory;
use tokio::sync::Semaphore;

fn pool() -> &'static Semaphore {
    static POOL: OnceLock<Semaphore> = OnceLock::new();
    POOL.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)))
}

/// An argon2id hash of `password` (which the caller has already length-checked).
pub async fn hash(password: String) -> Option<String> {
    let _permit = pool().acquire().await.ok()?;
    let hashed = tokio::task::spawn_blocking(move || {
        with_memory(|memory| latchkey_core::password::hash(memory, &password))
    })
    .await
    .ok()
    .flatten();
    release_when_quiet();
    hashed
}

/// Whether `password` matches `stored`.
pub async fn verify(password: String, stored: String) -> bool {
    let Ok(_permit) = pool().acquire().await else {
        return false;
    };
    let matches = tokio::task::spawn_blocking(move || {
        with_memory(|memory| latchkey_core::password::verify(memory, &password, &stored))
    })
    .await
    .unwrap_or(false);
    release_when_quiet();
    matches
}

/// Working memory of hashes not running, at most one per core (the semaphore's size).
static MEMORY: Mutex<Vec<Memory>> = Mutex::new(Vec::new());

/// Run `work` with a working memory from the pool, or a new one, and put it back after.
fn with_memory<T>(work: impl FnOnce(&mut Memory) -> T) -> T {
    let taken = MEMORY.lock().ok().and_then(|mut pool| pool.pop());
    let mut memory = taken.unwrap_or_default();
    let out = work(&mut memory);
    if let Ok(mut pool) = MEMORY.lock() {
        pool.push(memory);
    }
    out
}

/// Hashes finished so far, to tell when they stop.
static HASHES: AtomicU64 = AtomicU64::new(0);
/// Whether a release is already waiting for hashing to pause.
static RELEASE_PENDING: AtomicBool = AtomicBool::new(false);
/// How long without a hash counts as a pause.
const QUIET: Duration = Duration::from_millis(200);

/// Once no hash has finished for [`QUIET`], give argon2id's working memory (19 MiB per hash at
/// a time) back to the system: drop the pool, and have the allocator (mimalloc, `main.rs`)
/// return what was freed, which it otherwise does only when next called on that path, and an
/// idle server never is: one sign-in left an idle server 24 MB larger. Releasing after every
/// hash instead would make the next one fault its 19 MiB in again, a fifth of a hash's time
/// during a burst of sign-ins.
fn release_when_quiet() {
    HASHES.fetch_add(1, Ordering::AcqRel);
    if RELEASE_PENDING.swap(true, Ordering::AcqRel) {
        return;
    }
    tokio::spawn(async {
        loop {
            let seen = HASHES.load(Ordering::Acquire);
            tokio::time::sleep(QUIET).await;
            if HASHES.load(Ordering::Acquire) == seen {
                break;
            }
        }
        RELEASE_PENDING.store(false, Ordering::Release);
        let _ = tokio::task::spawn_blocking(release_memory).await;
    });
}

#[allow(unsafe_code)]
fn release_memory() {
    if let Ok(mut pool) = MEMORY.lock() {
        pool.clear();
    }
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time;
    // it frees only memory that nothing uses any more.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
