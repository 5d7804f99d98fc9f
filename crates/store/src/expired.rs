//! Codes, tokens, sessions, interactions, device authorizations, email codes and mail past
//! their use, deleted a few hundred rows at a time, so that a database that has served for
//! years holds what is live rather than everything it ever issued. Each step is one short
//! write (on an SQLite file, one job of the group commit), and the oldest rows go first
//! through an index on `expires_at`.

use crate::sql::statement::Statement;
use crate::{Db, Result};

pub use latchkey_core::lifetimes::REPLAY_MEMORY_MS;

/// How long a message sent or given up stays listed.
const MAIL_KEPT_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Each statement deletes, from one table, up to `$2` rows that expired before `$1`.
const DELETES: [&str; 9] = [
    "DELETE FROM authorization_codes WHERE code_hash IN \
     (SELECT code_hash FROM authorization_codes WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM refresh_tokens WHERE token_hash IN \
     (SELECT token_hash FROM refresh_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM access_tokens WHERE token_hash IN \
     (SELECT token_hash FROM access_tokens WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM sessions WHERE id_hash IN \
     (SELECT id_hash FROM sessions WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM interactions WHERE id IN \
     (SELECT id FROM interactions WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM device_authorizations WHERE id IN \
     (SELECT id FROM device_authorizations WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM email_challenges WHERE id IN \
     (SELECT id FROM email_challenges WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    "DELETE FROM webauthn_ceremonies WHERE id IN \
     (SELECT id FROM webauthn_ceremonies WHERE expires_at < $1 ORDER BY expires_at LIMIT $2)",
    // Mail sent or given up, a month after (the console shows failures until then).
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status <> 'queued' \
     AND finished_at < $1 ORDER BY finished_at LIMIT $2)",
];

impl Db {
    /// Delete up to `step` expired rows from each table (codes, refresh tokens and device
    /// authorizations only once [`REPLAY_MEMORY_MS`] past their expiry), in one transaction. Returns whether a
    /// table had more than `step`: call again, after leaving the writer to others a moment.
    pub async fn delete_expired(&self, now_ms: i64, step: i64) -> Result<bool> {
        let remembered = now_ms.saturating_sub(REPLAY_MEMORY_MS);
        // Device authorizations are remembered like codes, so that a late poll still hears
        // `expired_token` rather than `invalid_grant`.
        let month = now_ms.saturating_sub(MAIL_KEPT_MS);
        let cutoffs = [
            remembered, remembered, now_ms, now_ms, now_ms, remembered, now_ms, now_ms, month,
        ];
        let statements = DELETES
            .iter()
            .zip(cutoffs)
            .map(|(&sql, cutoff)| Statement::new(sql, [cutoff.into(), step.into()]))
            .collect();
        let deleted = self.execute(statements).await?;
        Ok(deleted.iter().any(|&n| n >= step as u64))
    }
}

#[cfg(test)]
#[path = "expired_tests.rs"]
mod tests;
