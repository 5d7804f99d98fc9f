//! Applying the retention settings (`config::retention`) in the background, beside the sweep
//! of expired rows and in the same small steps: audit entries past the audit retention at
//! every sweep; idle grants, then the consents they leave unused, in one pass a day, since
//! that pass reads every grant older than the retention to find the idle ones.

use latchkey_store::Db;
use latchkey_store::retention::Cursor;

use crate::app::Clock;
use crate::config::retention::Retention;
use crate::expired::{PAUSE, STEP};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Delete audit entries older than the audit retention, step by step.
pub async fn audit(db: &Db, clock: &Clock, retention: &Retention) {
    if retention.audit_days == 0 {
        return;
    }
    let before = clock.now_ms() - i64::from(retention.audit_days) * DAY_MS;
    loop {
        match db.delete_old_audit(before, STEP).await {
            Ok(true) => tokio::time::sleep(PAUSE).await,
            Ok(false) => return,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete old audit entries");
                return;
            }
        }
    }
}

/// One pass over the grants older than the grant retention, deleting the idle ones, then
/// over the consents unused as long, deleting those left with no grant (each recorded in
/// the audit log by the store, in the same transaction).
pub async fn grants(db: &Db, clock: &Clock, retention: &Retention) {
    if retention.grant_days == 0 {
        return;
    }
    let before = clock.now_ms() - i64::from(retention.grant_days) * DAY_MS;
    let mut cursor: Option<Cursor> = Some((i64::MIN, String::new()));
    while let Some(after) = cursor.take() {
        match db
            .delete_idle_grants(before, clock.now_ms(), &after, STEP)
            .await
        {
            Ok((_, next)) => cursor = next,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete idle grants");
                return;
            }
        }
        if cursor.is_some() {
            tokio::time::sleep(PAUSE).await;
        }
    }
    let mut cursor: Option<Cursor> = Some((i64::MIN, String::new()));
    while let Some(after) = cursor.take() {
        match db
            .expire_idle_consents(before, clock.now_ms(), &after, STEP)
            .await
        {
            Ok((_, next)) => cursor = next,
            Err(e) => {
                tracing::warn!(error = %e, "could not delete idle consents");
                return;
            }
        }
        if cursor.is_some() {
            tokio::time::sleep(PAUSE).await;
        }
    }
}
