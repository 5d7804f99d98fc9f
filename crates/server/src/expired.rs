//! Every node deletes expired codes, tokens, sessions and interactions in the background
//! (`latchkey_store::expired`): a step every few minutes, a few hundred rows per table at a
//! time, pausing between steps so that requests' writes are never held up for long. Several
//! nodes doing it at once only find less to delete. The retention settings are applied after
//! each sweep (`crate::retention`).

use std::time::Duration;

use tokio::time::Instant;

use latchkey_core::lifetimes::UNUSED_DYNAMIC_CLIENT_MS;
use latchkey_store::Db;
use latchkey_store::audit::AuditEntry;

use crate::app::Clock;
use crate::config::retention::Retention;

/// Between two sweeps. The first comes one interval after start-up, not during it.
const INTERVAL: Duration = Duration::from_secs(5 * 60);
/// Rows per table and step: a step is one short write transaction.
pub(crate) const STEP: i64 = 500;
/// Between the steps of one sweep, while a table still has more than a step's worth: at
/// least this long.
const PAUSE: Duration = Duration::from_millis(100);
/// ... and this many times as long as the step took, so that a background pass holds the
/// writer at most a fifth of the time, however slow its steps grow on a large database (a
/// backlog of expired rows scattered over a big file after days of downtime).
const PAUSE_PER_STEP_TIME: u32 = 4;

/// Between two passes of the grant retention.
const GRANT_PASS: Duration = Duration::from_secs(24 * 60 * 60);

pub fn spawn(db: Db, clock: Clock, retention: Retention) {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + INTERVAL;
        let mut tick = tokio::time::interval_at(start, INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_grant_pass: Option<tokio::time::Instant> = None;
        loop {
            tick.tick().await;
            sweep(&db, &clock).await;
            crate::retention::audit(&db, &clock, &retention).await;
            if last_grant_pass.is_none_or(|at| at.elapsed() >= GRANT_PASS) {
                last_grant_pass = Some(tokio::time::Instant::now());
                crate::retention::grants(&db, &clock, &retention).await;
            }
        }
    });
}

/// Delete what has expired, step by step, until a step finds less than a full one; then the
/// self-registered clients unused for a week.
pub async fn sweep(db: &Db, clock: &Clock) {
    reap(db, clock).await;
    loop {
        let started = Instant::now();
        match db.delete_expired(clock.now_ms(), STEP).await {
            Ok(true) => rest(started).await,
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete expired codes and tokens");
                return;
            }
        }
    }
}

/// Leave the writer to requests after a background step that began at `started`.
pub(crate) async fn rest(started: Instant) {
    tokio::time::sleep(PAUSE.max(started.elapsed() * PAUSE_PER_STEP_TIME)).await;
}

/// Delete the clients that registered themselves a week ago or more and never completed an
/// authorization (a client holding a grant never goes), each noted in the audit log.
async fn reap(db: &Db, clock: &Clock) {
    let now = clock.now_ms();
    let reaped = match db
        .reap_dynamic_clients(now - UNUSED_DYNAMIC_CLIENT_MS)
        .await
    {
        Ok(reaped) => reaped,
        Err(e) => {
            tracing::warn!(error = %e, "could not delete unused self-registered clients");
            return;
        }
    };
    for id in reaped {
        let entry = AuditEntry {
            actor_type: "system",
            actor_id: Some("latchkey".into()),
            action: "application.reap".into(),
            target_type: Some("application"),
            target_id: Some(id),
            details: serde_json::json!({"reason": "never authorized within 7 days"}),
        };
        if let Err(e) = db.insert_audit(&entry, now).await {
            tracing::error!(error = %e, "could not write the audit log");
        }
    }
}
