//! The append-only audit log: who did what to which object, never a secret.

use crate::sql::list::Filter;
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Page, Result};

const COLUMNS: &str =
    "id, created_at, actor_type, actor_id, action, target_type, target_id, details";
/// Newest first; the id settles entries of the same millisecond.
const ORDER: &str = "created_at DESC, id";

/// The conditions of `filter` but its user's, which reads two columns.
fn narrow(filter: &AuditFilter, sql: &mut Filter) {
    if let Some(action) = &filter.action {
        sql.text_eq("action", action);
    }
    if let Some(actor) = &filter.actor_id {
        sql.text_eq("actor_id", actor);
    }
    if let Some(target) = &filter.target_id {
        sql.text_eq("target_id", target);
    }
    if let Some(from) = filter.from {
        sql.int_bound("created_at", true, from);
    }
    if let Some(to) = filter.to {
        sql.int_bound("created_at", false, to);
    }
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub id: String,
    pub created_at: i64,
    pub actor_type: String,
    pub actor_id: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// A JSON object.
    pub details: String,
}

/// Which entries to list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    /// Entries by this user or about them.
    pub user_id: Option<String>,
    /// Inclusive lower bound, milliseconds.
    pub from: Option<i64>,
    /// Exclusive upper bound, milliseconds.
    pub to: Option<i64>,
}

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

/// One entry's row, for a write that records its own audit entry in its transaction.
pub(crate) fn insert(entry: &AuditEntry, now_ms: i64) -> Statement {
    Statement::new(
        "INSERT INTO audit_logs \
         (id, created_at, actor_type, actor_id, action, target_type, target_id, details) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            latchkey_core::random::id().into(),
            now_ms.into(),
            entry.actor_type.into(),
            (&entry.actor_id).into(),
            (&entry.action).into(),
            entry.target_type.into(),
            (&entry.target_id).into(),
            entry.details.to_string().into(),
        ],
    )
}

impl Db {
    pub async fn insert_audit(&self, entry: &AuditEntry, now_ms: i64) -> Result<()> {
        self.execute_one(insert(entry, now_ms)).await?;
        Ok(())
    }

    /// Several entries (each with its time) in one transaction, up to 64 rows per statement:
    /// the token endpoint records every issuance, and one statement per row would cost the
    /// writer connection as much as the issuance itself.
    pub async fn insert_audit_batch(&self, entries: &[(AuditEntry, i64)]) -> Result<()> {
        // On an SQLite file the rows join the token writes' group commit: one writer, so
        // neither waits on the other's lock.
        if self.batcher().is_some() {
            let inserts = entries.iter().map(|(entry, now_ms)| insert(entry, *now_ms));
            self.execute(inserts.collect()).await?;
            return Ok(());
        }
        let statements = entries.chunks(64).map(|chunk| {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| {
                    let n = i * 8;
                    let numbers: Vec<String> = (n + 1..=n + 8).map(|k| format!("${k}")).collect();
                    format!("({})", numbers.join(", "))
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_logs (id, created_at, actor_type, actor_id, action, \
                 target_type, target_id, details) VALUES {}",
                rows.join(", ")
            );
            let args = chunk.iter().flat_map(|(entry, now_ms)| {
                args![
                    latchkey_core::random::id(),
                    *now_ms,
                    entry.actor_type,
                    &entry.actor_id,
                    &entry.action,
                    entry.target_type,
                    &entry.target_id,
                    entry.details.to_string(),
                ]
            });
            Statement::new(sql, args.collect::<Vec<_>>())
        });
        self.execute(statements.collect()).await?;
        Ok(())
    }

    /// One page of entries, newest first, and the total that match.
    pub async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<(Vec<AuditRecord>, i64)> {
        if let Some(user) = &filter.user_id {
            return self.list_audit_of(user, filter, page).await;
        }
        let mut sql = Filter::default();
        narrow(filter, &mut sql);
        self.list_page(COLUMNS, "audit_logs", &sql, ORDER, page)
            .await
    }

    /// Entries by `user` or about them: each column's newest through its own index
    /// (`(column, created_at)`, migration 0022), read in order and stopped where the page
    /// ends, then united. One `OR` across both columns left the plan to statistics, and
    /// PostgreSQL, before it had any, walked every entry by date.
    async fn list_audit_of(
        &self,
        user: &str,
        filter: &AuditFilter,
        page: Page,
    ) -> Result<(Vec<AuditRecord>, i64)> {
        let (mut rows, mut counted) = (Filter::default(), Filter::default());
        let (mut selected, mut ids) = (Vec::new(), Vec::new());
        for (column, alias) in [("actor_id", "as_actor"), ("target_id", "as_target")] {
            rows.text_eq(column, user);
            narrow(filter, &mut rows);
            let where_sql = rows.take_where();
            let end = rows.value((page.offset() + page.page_size).into());
            selected.push(format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM audit_logs{where_sql} \
                 ORDER BY {ORDER} LIMIT {end}) AS {alias}"
            ));
            counted.text_eq(column, user);
            narrow(filter, &mut counted);
            ids.push(format!("SELECT id FROM audit_logs{}", counted.take_where()));
        }
        let count = format!(
            "SELECT COUNT(*) AS total FROM ({}) AS entries",
            ids.join(" UNION ")
        );
        let rows_sql = selected.join(" UNION ");
        self.page_of((&rows_sql, &rows), (&count, &counted), ORDER, page)
            .await
    }

    /// The most recent entries as (action, target id, details), newest first.
    pub async fn find_recent_audit(
        &self,
        limit: i64,
    ) -> Result<Vec<(String, Option<String>, String)>> {
        const SQL: &str = "SELECT action, target_id, details FROM audit_logs \
             ORDER BY created_at DESC, id LIMIT $1";
        self.fetch_all(SQL, &args![limit]).await
    }
}

impl Record for AuditRecord {
    fn from_row(r: &impl Columns) -> Result<Self> {
        Ok(AuditRecord {
            id: r.get("id")?,
            created_at: r.get("created_at")?,
            actor_type: r.get("actor_type")?,
            actor_id: r.get("actor_id")?,
            action: r.get("action")?,
            target_type: r.get("target_type")?,
            target_id: r.get("target_id")?,
            details: r.get("details")?,
        })
    }
}

/// An entry as `find_recent_audit` reads it: action, target id, details.
impl Record for (String, Option<String>, String) {
    fn from_row(r: &impl Columns) -> Result<Self> {
        Ok((r.get("action")?, r.get("target_id")?, r.get("details")?))
    }
}

#[cfg(test)]
#[path = "audit_tests.rs"]
mod tests;
