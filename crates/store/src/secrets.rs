//! Client secrets: named, optionally expiring, stored as SHA-256 digests.

use latchkey_core::client::ClientSecret;
use sqlx::{Any, Row, Transaction};

use crate::{Db, Error, Result};

pub(crate) async fn insert_secret_in(
    tx: &mut Transaction<'_, Any>,
    application_id: &str,
    secret: &ClientSecret,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO application_secrets \
         (application_id, name, secret_hash, created_at, expires_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(application_id)
    .bind(&secret.name)
    .bind(&secret.hash)
    .bind(secret.created_at)
    .bind(secret.expires_at)
    .bind(secret.last_used_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Db {
    pub async fn find_secrets(&self, application_id: &str) -> Result<Vec<ClientSecret>> {
        let rows = sqlx::query(
            "SELECT name, secret_hash, created_at, expires_at, last_used_at \
             FROM application_secrets WHERE application_id = $1 ORDER BY created_at, name",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ClientSecret {
                    name: row.try_get("name")?,
                    hash: row.try_get("secret_hash")?,
                    created_at: row.try_get("created_at")?,
                    expires_at: row.try_get("expires_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                })
            })
            .collect()
    }

    /// Add a secret; `Conflict` when the application already has one of that name.
    pub async fn insert_secret(&self, application_id: &str, secret: &ClientSecret) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        insert_secret_in(&mut tx, application_id, secret).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn rename_secret(
        &self,
        application_id: &str,
        name: &str,
        new_name: &str,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE application_secrets SET name = $1 WHERE application_id = $2 AND name = $3",
        )
        .bind(new_name)
        .bind(application_id)
        .bind(name)
        .execute(self.writer())
        .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    pub async fn delete_secret(&self, application_id: &str, name: &str) -> Result<()> {
        let done =
            sqlx::query("DELETE FROM application_secrets WHERE application_id = $1 AND name = $2")
                .bind(application_id)
                .bind(name)
                .execute(self.writer())
                .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    /// Record that a secret was used. Callers skip this when the stored time is recent, so
    /// that a busy client does not turn every token request into a write.
    pub async fn touch_secret(&self, application_id: &str, name: &str, now_ms: i64) -> Result<()> {
        sqlx::query(
            "UPDATE application_secrets SET last_used_at = $1 \
             WHERE application_id = $2 AND name = $3",
        )
        .bind(now_ms)
        .bind(application_id)
        .bind(name)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
