//! Consents: what each user agreed to share with each application, kept across sessions,
//! and their revocation, which ends everything issued to that application for that user.

use latchkey_core::consent::Consent;
use latchkey_core::resource::Scope;
use latchkey_core::scope::Scopes;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::resources::scope_from_row;
use crate::{Db, Error, Result};

const COLUMNS: &str = "id, user_id, application_id, created_at, last_used_at";

async fn complete(conn: &mut AnyConnection, row: &AnyRow) -> Result<Consent> {
    let id: String = row.try_get("id")?;
    let user_scopes: Vec<String> = sqlx::query_scalar(
        "SELECT scope FROM consent_user_scopes WHERE consent_id = $1 ORDER BY scope",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    let scopes = sqlx::query(
        "SELECT s.id, s.resource_id, s.name, s.description, s.created_at FROM scopes s \
         JOIN consent_resource_scopes c ON c.scope_id = s.id WHERE c.consent_id = $1 \
         ORDER BY s.resource_id, s.name",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Consent {
        id,
        user_id: row.try_get("user_id")?,
        application_id: row.try_get("application_id")?,
        user_scopes: Scopes::from_names(user_scopes),
        resource_scopes: scopes.iter().map(scope_from_row).collect::<Result<_>>()?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Db {
    /// The API scopes of a resource the user holds through roles; for a third-party
    /// application (`ceiling_of`), only those also in its ceiling.
    pub async fn find_grantable_scopes(
        &self,
        user_id: &str,
        resource_id: &str,
        ceiling_of: Option<&str>,
    ) -> Result<Vec<Scope>> {
        let base = "SELECT DISTINCT s.id, s.resource_id, s.name, s.description, s.created_at \
             FROM scopes s JOIN roles_scopes rs ON rs.scope_id = s.id \
             JOIN users_roles ur ON ur.role_id = rs.role_id \
             WHERE ur.user_id = $1 AND s.resource_id = $2";
        let sql = match ceiling_of {
            None => format!("{base} ORDER BY s.name"),
            Some(_) => format!(
                "{base} AND s.id IN (SELECT scope_id FROM application_resource_consent_scopes \
                 WHERE application_id = $3) ORDER BY s.name"
            ),
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(resource_id);
        if let Some(app) = ceiling_of {
            query = query.bind(app);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter().map(scope_from_row).collect()
    }

    /// The user's consent to the application, if any.
    pub async fn find_consent(
        &self,
        user_id: &str,
        application_id: &str,
    ) -> Result<Option<Consent>> {
        let sql =
            format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 AND application_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(application_id)
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some(
                complete(&mut *self.pool().acquire().await?, &row).await?,
            )),
            None => Ok(None),
        }
    }

    /// Every consent the user gave, oldest first.
    pub async fn list_consents(&self, user_id: &str) -> Result<Vec<Consent>> {
        let sql =
            format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 ORDER BY created_at, id");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        let mut conn = self.pool().acquire().await?;
        let mut consents = Vec::with_capacity(rows.len());
        for row in &rows {
            consents.push(complete(&mut conn, row).await?);
        }
        Ok(consents)
    }

    /// Add to what the user agreed to share with the application (creating the consent the
    /// first time) and mark it used now. Returns the consent's id.
    pub async fn record_consent(
        &self,
        user_id: &str,
        application_id: &str,
        user_scopes: &Scopes,
        scope_ids: &[String],
        now_ms: i64,
    ) -> Result<String> {
        let mut tx = self.writer().begin().await?;
        sqlx::query(
            "INSERT INTO consents (id, user_id, application_id, created_at, last_used_at) \
             VALUES ($1, $2, $3, $4, $4) \
             ON CONFLICT (user_id, application_id) DO UPDATE SET last_used_at = excluded.last_used_at",
        )
        .bind(latchkey_core::random::id())
        .bind(user_id)
        .bind(application_id)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
        let id: String = sqlx::query_scalar(
            "SELECT id FROM consents WHERE user_id = $1 AND application_id = $2",
        )
        .bind(user_id)
        .bind(application_id)
        .fetch_one(&mut *tx)
        .await?;
        for scope in user_scopes.iter().filter(|s| *s != "openid") {
            sqlx::query(
                "INSERT INTO consent_user_scopes (consent_id, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(&id)
            .bind(scope)
            .execute(&mut *tx)
            .await?;
        }
        for scope_id in scope_ids {
            sqlx::query(
                "INSERT INTO consent_resource_scopes (consent_id, scope_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(&id)
            .bind(scope_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    /// End the user's consent `id` and, in the same transaction, every grant of that user to
    /// that application with its refresh and opaque access tokens.
    pub async fn revoke_consent(&self, user_id: &str, id: &str, now_ms: i64) -> Result<Consent> {
        let mut tx = self.writer().begin().await?;
        let sql = format!("SELECT {COLUMNS} FROM consents WHERE user_id = $1 AND id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(user_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(Error::NotFound)?;
        let consent = complete(&mut tx, &row).await?;
        sqlx::query("DELETE FROM consents WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        for table in ["refresh_tokens", "access_tokens"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE grant_id IN \
                 (SELECT id FROM grants WHERE client_id = $1 AND user_id = $2)"
            )))
            .bind(&consent.application_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "UPDATE grants SET revoked_at = $1 \
             WHERE client_id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now_ms)
        .bind(&consent.application_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(consent)
    }
}

#[cfg(test)]
#[path = "consent_tests.rs"]
mod tests;
