//! Every node deletes expired codes, tokens, sessions and interactions in the background
//! (`latchkey_store::expired`): a step every few minutes, a few hundred rows per table at a
//! time, pausing between steps so that requests' writes are never held up for long. Several
//! nodes doing it at once only find less to delete.

use std::time::Duration;

use latchkey_store::Db;

use crate::app::Clock;

/// Between two sweeps. The first comes one interval after start-up, not during it.
const INTERVAL: Duration = Duration::from_secs(5 * 60);
/// Rows per table and step: a step is one short write transaction.
const STEP: i64 = 500;
/// Between the steps of one sweep, while a table still has more than a step's worth.
const PAUSE: Duration = Duration::from_millis(100);

pub fn spawn(db: Db, clock: Clock) {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + INTERVAL;
        let mut tick = tokio::time::interval_at(start, INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            sweep(&db, &clock).await;
        }
    });
}

/// Delete what has expired, step by step, until a step finds less than a full one.
pub async fn sweep(db: &Db, clock: &Clock) {
    loop {
        match db.delete_expired(clock.now_ms(), STEP).await {
            Ok(true) => tokio::time::sleep(PAUSE).await,
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete expired codes and tokens");
                return;
            }
        }
    }
}
