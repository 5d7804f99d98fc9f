//! Applying the retention settings (`config::retention`) in the background, beside the sweep
//! of expired rows and in the same small steps: audit entries past the audit retention at
//! every sweep; idle grants, then the consents they leave unused, in one pass a day, since
//! that pass reads every grant older than the retention to find the idle ones.

use latchkey_store::Db;
use latchkey_store::retention::Cursor;
use tokio::time::Instant;

use crate::app::Clock;
use crate::config::retention::Retention;
use crate::expired::{STEP, rest};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How long past its expiry a token still keeps its grant from retention.
const CLOCK_MARGIN_MS: i64 = 5 * 60 * 1000;

/// Delete audit entries older than the audit retention, step by step.
pub async fn audit(db: &Db, clock: &Clock, retention: &Retention) {
    if retention.audit_days == 0 {
        return;
    }
    let before = clock.now_ms() - i64::from(retention.audit_days) * DAY_MS;
    let mut deleted = 0;
    loop {
        let started = Instant::now();
        match db.delete_old_audit(before, STEP).await {
            Ok(n) => {
                deleted += n;
                if n < STEP as u64 {
                    break;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not delete old audit entries");
                break;
            }
        }
        rest(started).await;
    }
    if deleted > 0 {
        let days = retention.audit_days;
        tracing::info!(
            deleted,
            days,
            "deleted audit entries past LATCHKEY_AUDIT_RETENTION_DAYS"
        );
    }
}

/// One pass over the grants older than the grant retention, deleting the idle ones, then
/// over the consents unused as long, deleting those left with no grant (each recorded in
/// the audit log by the store, in the same transaction).
pub async fn grants(db: &Db, clock: &Clock, retention: &Retention) {
    if retention.grant_days == 0 {
        return;
    }
    // A day more than the setting says: no token Latchkey signs lives longer, so none of a
    // grant's outlives it; and a few minutes' margin on "still valid", for clocks.
    let before = clock.now_ms() - (i64::from(retention.grant_days) + 1) * DAY_MS;
    let step = |after: Cursor| async move {
        let valid_after = clock.now_ms() - CLOCK_MARGIN_MS;
        let (_, next) = db
            .delete_idle_grants(before, valid_after, &after, STEP)
            .await?;
        Ok(next)
    };
    if !walk(step, "idle grants").await {
        return;
    }
    let step = |after: Cursor| async move {
        let (_, next) = db
            .expire_idle_consents(before, clock.now_ms(), &after, STEP)
            .await?;
        Ok(next)
    };
    walk(step, "idle consents").await;
}

/// Take `step`s from the start of a table to its end, pausing between them; whether the
/// walk reached the end.
async fn walk<F, Fut>(mut step: F, what: &str) -> bool
where
    F: FnMut(Cursor) -> Fut,
    Fut: std::future::Future<Output = latchkey_store::Result<Option<Cursor>>>,
{
    let mut cursor = (i64::MIN, String::new());
    loop {
        let started = Instant::now();
        match step(cursor).await {
            Ok(Some(next)) => cursor = next,
            Ok(None) => return true,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete {what}");
                return false;
            }
        }
        rest(started).await;
    }
}
