//! Password hashing off the async executor, at most one hash per core at a time, so that a
//! flood of sign-ins or user creations cannot starve request handling.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

fn pool() -> &'static Semaphore {
    static POOL: OnceLock<Semaphore> = OnceLock::new();
    POOL.get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, usize::from)))
}

/// An argon2id hash of `password` (which the caller has already length-checked).
pub async fn hash(password: String) -> Option<String> {
    let _permit = pool().acquire().await.ok()?;
    tokio::task::spawn_blocking(move || {
        let hashed = latchkey_core::user::hash_password(&password);
        release_memory();
        hashed
    })
    .await
    .ok()
    .flatten()
}

/// Whether `password` matches `stored`.
pub async fn verify(password: String, stored: String) -> bool {
    let Ok(_permit) = pool().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || {
        let matches = latchkey_core::user::verify_password(&password, &stored);
        release_memory();
        matches
    })
    .await
    .unwrap_or(false)
}

/// Give the hash's 19 MiB of working memory back to the system now. The allocator (mimalloc,
/// `main.rs`) returns freed memory only when the thread that freed it allocates again, which
/// an idle blocking thread never does: one sign-in left an idle server 24 MB larger.
#[allow(unsafe_code)]
fn release_memory() {
    // SAFETY: `mi_collect` takes no pointers and may be called from any thread at any time;
    // it only frees what the calling thread's heap no longer uses.
    unsafe { libmimalloc_sys::mi_collect(true) }
}
