//! Client secrets: named, optionally expiring, stored as SHA-256 digests.

use latchkey_core::client::ClientSecret;

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Result};

pub(crate) fn insert_secret(application_id: &str, secret: &ClientSecret) -> Statement {
    Statement::new(
        "INSERT INTO application_secrets \
         (application_id, name, secret_hash, created_at, expires_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![
            application_id,
            &secret.name,
            &secret.hash,
            secret.created_at,
            secret.expires_at,
            secret.last_used_at,
        ],
    )
}

impl Record for ClientSecret {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(ClientSecret {
            name: row.get("name")?,
            hash: row.get("secret_hash")?,
            created_at: row.get("created_at")?,
            expires_at: row.get("expires_at")?,
            last_used_at: row.get("last_used_at")?,
        })
    }
}

impl Db {
    pub async fn find_secrets(&self, application_id: &str) -> Result<Vec<ClientSecret>> {
        const SQL: &str = "SELECT name, secret_hash, created_at, expires_at, last_used_at \
             FROM application_secrets WHERE application_id = $1 ORDER BY created_at, name";
        self.fetch_all(SQL, &args![application_id]).await
    }

    /// Add a secret; `Conflict` when the application already has one of that name.
    pub async fn insert_secret(&self, application_id: &str, secret: &ClientSecret) -> Result<()> {
        self.execute_one(insert_secret(application_id, secret))
            .await?;
        Ok(())
    }

    pub async fn rename_secret(
        &self,
        application_id: &str,
        name: &str,
        new_name: &str,
    ) -> Result<()> {
        self.execute_found(Statement::new(
            "UPDATE application_secrets SET name = $1 WHERE application_id = $2 AND name = $3",
            args![new_name, application_id, name],
        ))
        .await
    }

    pub async fn delete_secret(&self, application_id: &str, name: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM application_secrets WHERE application_id = $1 AND name = $2",
            args![application_id, name],
        ))
        .await
    }

    /// Record that a secret was used. Callers skip this when the stored time is recent, so
    /// that a busy client does not turn every token request into a write.
    pub async fn touch_secret(&self, application_id: &str, name: &str, now_ms: i64) -> Result<()> {
        self.execute_one(Statement::new(
            "UPDATE application_secrets SET last_used_at = $1 \
             WHERE application_id = $2 AND name = $3",
            args![now_ms, application_id, name],
        ))
        .await?;
        Ok(())
    }
}
