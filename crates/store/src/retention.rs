//! Retention: what is old enough to go although nothing expires it, deleted a few hundred
//! rows at a time like `expired`. Audit entries older than the audit retention; grants none
//! of whose codes and tokens is valid or was issued within the grant retention; and then the
//! consents left with no grant and unused as long, each recorded in the audit log as it goes
//! (decision 0027).

use latchkey_core::consent::Consent;
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::consent::{COLUMNS as CONSENT_COLUMNS, complete};
use crate::sql::statement::{Statement, placeholders_from};
use crate::sql::tx::{Tx, transaction};
use crate::{Db, Result};

/// Where a pass through a table in `(created_at, id)` order has got to.
pub type Cursor = (i64, String);

/// A grant may go when it is older than the retention and none of its codes and tokens is
/// still valid or was issued since (`$1`: the retention's start, `$2`: now, less a margin
/// for clocks and for a request that read a token just before it expired).
const IDLE_GRANT: &str = "created_at < $1 \
     AND NOT EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.grant_id = grants.id \
         AND (r.created_at >= $1 OR r.expires_at > $2)) \
     AND NOT EXISTS (SELECT 1 FROM access_tokens a WHERE a.grant_id = grants.id \
         AND (a.created_at >= $1 OR a.expires_at > $2)) \
     AND NOT EXISTS (SELECT 1 FROM authorization_codes c WHERE c.grant_id = grants.id \
         AND c.expires_at > $2)";

/// A consent may go when unused since before the retention and no grant is left for it.
const IDLE_CONSENT: &str = "last_used_at < $1 \
     AND NOT EXISTS (SELECT 1 FROM grants g \
         WHERE g.user_id = consents.user_id AND g.client_id = consents.application_id)";
/// The same test of the grants, for the window: consents that keep a grant are passed over
/// by a read, not a write transaction each.
const CONSENT_LEFT: &str = " AND NOT EXISTS (SELECT 1 FROM grants g \
     WHERE g.user_id = consents.user_id AND g.client_id = consents.application_id)";

impl Db {
    /// The next `step` rows of `table` in `(column, id)` order with `column` before `before`,
    /// after the cursor `after`, that also meet `filter` (which may use `$1`): one range of
    /// the index on `(column, id)`, bounded below by the row value on both databases.
    async fn window(
        &self,
        (table, column, filter): (&str, &str, &str),
        before: i64,
        after: &Cursor,
        step: i64,
    ) -> Result<Vec<Cursor>> {
        let sql = format!(
            "SELECT {column}, id FROM {table} WHERE ({column}, id) > ($2, $3) \
             AND {column} < $1{filter} ORDER BY {column}, id LIMIT $4"
        );
        let args = [
            before.into(),
            after.0.into(),
            (&after.1).into(),
            step.into(),
        ];
        self.fetch_all(&sql, &args).await
    }

    /// Delete up to `step` audit entries written before `before`, oldest first; how many
    /// went (fewer than `step`: none is left).
    pub async fn delete_old_audit(&self, before: i64, step: i64) -> Result<u64> {
        let delete = Statement::new(
            "DELETE FROM audit_logs WHERE id IN (SELECT id FROM audit_logs \
             WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
            [before.into(), step.into()],
        );
        self.execute_one(delete).await
    }

    /// Look at the next `step` grants created before `before` (after `after`) and delete those
    /// that are idle (`IDLE_GRANT`, checked again in the deleting statement). Returns how many
    /// went and where to go on from (`None`: the pass is over).
    pub async fn delete_idle_grants(
        &self,
        before: i64,
        now_ms: i64,
        after: &Cursor,
        step: i64,
    ) -> Result<(u64, Option<Cursor>)> {
        let seen = self
            .window(("grants", "created_at", ""), before, after, step)
            .await?;
        let Some(last) = seen.last().cloned() else {
            return Ok((0, None));
        };
        let sql = format!(
            "DELETE FROM grants WHERE id IN ({}) AND {IDLE_GRANT}",
            placeholders_from(3, seen.len())
        );
        let mut args = vec![before.into(), now_ms.into()];
        args.extend(seen.iter().map(|(_, id)| id.into()));
        let deleted = self.execute_one(Statement::new(sql, args)).await?;
        let next = (seen.len() as i64 >= step).then_some(last);
        Ok((deleted, next))
    }

    /// Look at the next `step` consents unused since before `before` (after `after`) and
    /// delete those with no grant left, each with an audit entry holding what it allowed, in
    /// its own transaction. Returns the ids that went and where to go on from.
    pub async fn expire_idle_consents(
        &self,
        before: i64,
        now_ms: i64,
        after: &Cursor,
        step: i64,
    ) -> Result<(Vec<String>, Option<Cursor>)> {
        let seen = self
            .window(
                ("consents", "last_used_at", CONSENT_LEFT),
                before,
                after,
                step,
            )
            .await?;
        let mut expired = Vec::new();
        for (_, id) in &seen {
            let id = id.clone();
            let gone = transaction!(self, |tx| expire(tx, &id, before, now_ms).await)?;
            expired.extend(gone);
        }
        let next = (seen.len() as i64 >= step)
            .then(|| seen.last().cloned())
            .flatten();
        Ok((expired, next))
    }
}

/// Delete consent `id` if it is idle, with its audit entry; its id if it went.
async fn expire(tx: &mut impl Tx, id: &str, before: i64, now_ms: i64) -> Result<Option<String>> {
    let sql = format!("SELECT {CONSENT_COLUMNS} FROM consents WHERE id = $2 AND {IDLE_CONSENT}");
    let Some(head) = tx.fetch_optional(&sql, &[before.into(), id.into()]).await? else {
        return Ok(None);
    };
    let consent = complete(tx, head).await?;
    let delete = Statement::new(
        format!("DELETE FROM consents WHERE id = $2 AND {IDLE_CONSENT}"),
        [before.into(), id.into()],
    );
    if tx.execute(&delete).await? == 0 {
        return Ok(None);
    }
    tx.execute(&audit::insert(&record(&consent), now_ms))
        .await?;
    Ok(Some(consent.id))
}

/// The audit entry that keeps what an expired consent allowed.
fn record(consent: &Consent) -> AuditEntry {
    let resource_scopes: Vec<_> = consent
        .resource_scopes
        .iter()
        .map(|s| json!({"resourceId": s.resource_id, "name": s.name}))
        .collect();
    let organization_scopes: Vec<&str> = consent
        .organization_scopes
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    AuditEntry {
        actor_type: "system",
        actor_id: Some("latchkey".into()),
        action: "consent.expire".into(),
        target_type: Some("user"),
        target_id: Some(consent.user_id.clone()),
        details: json!({
            "grantId": consent.id,
            "applicationId": consent.application_id,
            "userScopes": consent.user_scopes.iter().collect::<Vec<_>>(),
            "resourceScopes": resource_scopes,
            "organizationScopes": organization_scopes,
            "organizations": consent.organizations,
            "createdAt": consent.created_at,
            "lastUsedAt": consent.last_used_at,
            "reason": "no token within the grant retention",
        }),
    }
}

#[cfg(test)]
#[path = "retention_tests.rs"]
mod tests;
