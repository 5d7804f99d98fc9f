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
    tokio::task::spawn_blocking(move || latchkey_core::user::hash_password(&password))
        .await
        .ok()
        .flatten()
}

/// Whether `password` matches `stored`.
pub async fn verify(password: String, stored: String) -> bool {
    let Ok(_permit) = pool().acquire().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || latchkey_core::user::verify_password(&password, &stored))
        .await
        .unwrap_or(false)
}
