//! The append-only audit log: who did what to which object, never a secret.

use crate::{Db, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor_type: &'static str,
    pub actor_id: Option<String>,
    /// `object.verb`, e.g. `application.create`.
    pub action: String,
    pub target_type: Option<&'static str>,
    pub target_id: Option<String>,
    /// A JSON object with non-secret detail.
    pub details: serde_json::Value,
}

impl Db {
    pub async fn insert_audit(&self, entry: &AuditEntry, now_ms: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_logs (id, created_at, actor_type, actor_id, action, target_type, target_id, details) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(latchkey_core::random::id())
        .bind(now_ms)
        .bind(entry.actor_type)
        .bind(&entry.actor_id)
        .bind(&entry.action)
        .bind(entry.target_type)
        .bind(&entry.target_id)
        .bind(entry.details.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The most recent entries as (action, target id, details), newest first.
    pub async fn find_recent_audit(
        &self,
        limit: i64,
    ) -> Result<Vec<(String, Option<String>, String)>> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT action, target_id, details FROM audit_logs ORDER BY created_at DESC, id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("action")?,
                    r.try_get("target_id")?,
                    r.try_get("details")?,
                ))
            })
            .collect()
    }
}
