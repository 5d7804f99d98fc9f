//! Filling the scaled database through the store's own bulk path (`latchkey_store::bulk`),
//! with progress: every seeded user shares the benchmark user's argon2id hash, so that
//! seeding is bound by writing rows, not by hashing a million passwords.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::Context;
use latchkey_store::Db;
use latchkey_store::bulk::{AUDIT_PER_USER, Population, TOKENS_PER_GRANT, USERS_PER_ORGANIZATION};
use latchkey_store::footprint::TableSize;

use crate::setup::{Target, USERNAME};

/// Users per call to the store: a progress step.
const CHUNK: u64 = 10_000;

/// What seeding did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Seeded {
    pub users: u64,
    /// The time the seeded rows are relative to (`Population::now_ms`).
    pub at_ms: i64,
    pub rows: u64,
    pub time: Duration,
}

/// Seed `users` users into the database at `url`, their grants to `target`'s two web
/// clients (RS256 and ES256 ID tokens), as `latchkey_store::bulk` shapes them.
pub async fn fill(url: &str, target: &Target, users: u64) -> anyhow::Result<Seeded> {
    let db = Db::connect(url).await?;
    let bench = db
        .find_user_by_identifier(USERNAME)
        .await?
        .context("the benchmark user is missing")?;
    let now_ms = wall_clock_ms()?;
    let population = Population {
        users,
        password_hash: bench
            .password_hash
            .context("the benchmark user has no password")?,
        apps: [target.web.id.clone(), target.web_es256.id.clone()],
        now_ms,
    };
    let started = Instant::now();
    let mut from = 0;
    while from < users {
        let to = (from + CHUNK).min(users);
        db.seed(&population, from, to).await?;
        from = to;
        let seconds = started.elapsed().as_secs();
        eprint!("\rseeding: {from} of {users} users, {seconds} s   ");
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    eprintln!("gathering the planner's statistics");
    db.analyze().await?;
    db.close().await;
    Ok(Seeded {
        users,
        at_ms: now_ms,
        rows: rows(users),
        time: started.elapsed(),
    })
}

/// Rows a population of `users` adds: per user the user, a membership, two grants, two
/// consents with two scopes each, their refresh tokens and audit entries; and organizations.
pub fn rows(users: u64) -> u64 {
    users * (1 + 1 + 2 + 2 + 4 + 2 * TOKENS_PER_GRANT + AUDIT_PER_USER)
        + users.div_ceil(USERS_PER_ORGANIZATION)
}

/// The bytes the database at `url` takes.
pub async fn disk(url: &str) -> anyhow::Result<u64> {
    let db = Db::connect(url).await?;
    let size = db.size_on_disk().await?;
    db.close().await;
    Ok(size.max(0) as u64)
}

/// The size on disk of the database at `url`, and each table's rows and bytes (with its
/// indexes), largest first.
pub async fn footprint(url: &str) -> anyhow::Result<(u64, Vec<TableSize>)> {
    let db = Db::connect(url).await?;
    let size = db.size_on_disk().await?;
    eprintln!("measuring each table's size");
    let tables = db.size_by_table().await?;
    db.close().await;
    Ok((size.max(0) as u64, tables))
}

/// How long the migrator takes to add an indexed column to the users table.
pub async fn migration(url: &str) -> anyhow::Result<Duration> {
    let db = Db::connect(url).await?;
    let started = Instant::now();
    db.rehearse_indexed_column().await?;
    let time = started.elapsed();
    db.close().await;
    Ok(time)
}

/// Now, in milliseconds since the epoch: the benchmark seeds rows relative to the time the
/// server under test will read from its own clock.
#[allow(
    clippy::disallowed_methods,
    reason = "the harness stands outside the server whose clock the rule protects"
)]
fn wall_clock_ms() -> anyhow::Result<i64> {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
    Ok(since.as_millis() as i64)
}
