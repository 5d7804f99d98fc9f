//! The machine's own limits, measured with the code Latchkey runs: RSA-2048 signatures (the
//! backend Latchkey signs with) and argon2id verifications (Latchkey's own parameters), on
//! every core at once.

use std::time::{Duration, Instant};

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};

/// The size of a typical JWT signing input (header and claims of an access token).
const SIGNING_INPUT: usize = 356;

/// Run `work` on `threads` threads for `duration`; operations per second, all threads together.
fn rate(threads: usize, duration: Duration, work: impl Fn() + Sync) -> f64 {
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut count = 0u64;
                    while started.elapsed() < duration {
                        work();
                        count += 1;
                    }
                    count
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

/// RS256 signatures per second with a 2048-bit key.
pub fn rsa_signs(threads: usize, duration: Duration) -> anyhow::Result<f64> {
    let key = RsaKeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).context("RSA key")?;
    let message = [b'a'; SIGNING_INPUT];
    let rng = SystemRandom::new();
    Ok(rate(threads, duration, || {
        let mut signature = vec![0u8; key.public_modulus_len()];
        let _ = key.sign(&RSA_PKCS1_SHA256, &rng, &message, &mut signature);
    }))
}

/// Password verifications per second: what one sign-in costs in hashing. Each thread keeps its
/// working memory from one hash to the next, as the server does.
pub fn argon2_verifies(threads: usize, duration: Duration) -> anyhow::Result<f64> {
    use latchkey_core::password::{Memory, hash, verify};
    thread_local! {
        static MEMORY: std::cell::RefCell<Memory> = std::cell::RefCell::default();
    }
    let stored = hash(&mut Memory::default(), crate::setup::PASSWORD).context("hashing")?;
    Ok(rate(threads, duration, || {
        MEMORY.with_borrow_mut(|memory| verify(memory, crate::setup::PASSWORD, &stored));
    }))
}
