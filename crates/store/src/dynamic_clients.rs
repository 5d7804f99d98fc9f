//! Clients that registered themselves (CIMD, DCR): their copy of a metadata document, an
//! administrator's decision, their first authorization, reaping those never used, and the
//! run-time settings (`configs`) where their policy is kept.

use latchkey_core::client::{Application, ClientSecret};
use latchkey_core::dynamic::Approval;

use crate::applications::{COLUMNS, insert};
use crate::secrets::insert_secret;
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::third_party::{SignInExperience, put_sign_in_experience};
use crate::{Db, Result};

/// An initial access token for dynamic registration, as kept (its value only hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitialAccessToken {
    pub id: String,
    /// Registrations it still allows; `None`: any number.
    pub uses_left: Option<i64>,
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

/// One run-time setting, as stored JSON text.
struct ConfigValue(String);

impl Record for ConfigValue {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Self(row.get("value")?))
    }
}

impl Db {
    /// Create a CIMD client from its document, or refresh the copy kept of it: name,
    /// redirect URIs, branding and freshness. Nothing is written over an application that
    /// did not come from a document. Returns whether the client is one.
    pub async fn put_document_client(
        &self,
        app: &Application,
        experience: &SignInExperience,
    ) -> Result<bool> {
        let upsert = insert(
            app,
            None,
            " ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             redirect_uris = excluded.redirect_uris, \
             cors_allowed_origins = excluded.cors_allowed_origins, \
             device_flow = excluded.device_flow, \
             metadata_fetched_at = excluded.metadata_fetched_at, \
             metadata_fresh_until = excluded.metadata_fresh_until \
             WHERE applications.registration = 'cimd'",
        );
        let branding = put_sign_in_experience(&app.id, experience);
        self.execute_if(upsert, vec![branding]).await
    }

    /// Add a client that registered itself (RFC 7591) with its secret, if confidential, and
    /// its branding; `digest` recognises the same registration repeated.
    pub async fn insert_registered_client(
        &self,
        app: &Application,
        secret: Option<&ClientSecret>,
        experience: &SignInExperience,
        digest: &str,
    ) -> Result<()> {
        let mut statements = vec![insert(app, Some(digest), "")];
        statements.extend(secret.map(|s| insert_secret(&app.id, s)));
        statements.push(put_sign_in_experience(&app.id, experience));
        self.execute(statements).await?;
        Ok(())
    }

    /// The public client registered with `digest` since `since_ms`, not blocked, if any.
    pub async fn find_registered_client(
        &self,
        digest: &str,
        since_ms: i64,
    ) -> Result<Option<Application>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM applications WHERE registration_digest = $1 \
             AND created_at >= $2 AND registration = 'dcr' \
             AND (approval IS NULL OR approval <> 'blocked') ORDER BY created_at DESC LIMIT 1"
        );
        self.fetch_optional(&sql, &args![digest, since_ms]).await
    }

    /// Keep an initial access token (RFC 7591 §3): its hash, how many registrations it
    /// allows (`None`: any number) and until when.
    pub async fn insert_initial_access_token(
        &self,
        token: &InitialAccessToken,
        token_hash: &str,
    ) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO initial_access_tokens (token_hash, id, uses_left, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            args![
                token_hash,
                &token.id,
                token.uses_left,
                token.expires_at,
                token.created_at
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// Spend one use of the initial access token hashed `token_hash`: false if it is unknown,
    /// expired or used up. Atomic: two registrations never spend its last use.
    pub async fn use_initial_access_token(&self, token_hash: &str, now_ms: i64) -> Result<bool> {
        let spend = Statement::new(
            "UPDATE initial_access_tokens SET uses_left = uses_left - 1 \
             WHERE token_hash = $1 AND (expires_at IS NULL OR expires_at > $2) \
             AND (uses_left IS NULL OR uses_left > 0)",
            args![token_hash, now_ms],
        );
        Ok(self.execute_one(spend).await? == 1)
    }

    /// Record an administrator's decision about a self-registered client. Blocking ends,
    /// in the same transaction, every grant to it with its tokens and every consent to it.
    /// `NotFound` unless `id` registered itself.
    pub async fn set_approval(&self, id: &str, approval: Approval, now_ms: i64) -> Result<()> {
        let decide = Statement::new(
            "UPDATE applications SET approval = $1 WHERE id = $2 AND registration IS NOT NULL",
            args![approval.as_str(), id],
        );
        let revoke = match approval {
            Approval::Approved => Vec::new(),
            Approval::Blocked => vec![
                Statement::new(
                    "DELETE FROM refresh_tokens WHERE grant_id IN \
                     (SELECT id FROM grants WHERE client_id = $1)",
                    args![id],
                ),
                Statement::new(
                    "DELETE FROM access_tokens WHERE grant_id IN \
                     (SELECT id FROM grants WHERE client_id = $1)",
                    args![id],
                ),
                Statement::new(
                    "UPDATE grants SET revoked_at = $1 WHERE client_id = $2 AND revoked_at IS NULL",
                    args![now_ms, id],
                ),
                Statement::new("DELETE FROM consents WHERE application_id = $1", args![id]),
            ],
        };
        match self.execute_if(decide, revoke).await? {
            true => Ok(()),
            false => Err(crate::Error::NotFound),
        }
    }

    /// Give a self-registered client its own ceiling (`false`) or the policy's (`true`).
    pub async fn set_policy_ceiling(&self, id: &str, policy: bool) -> Result<()> {
        let update = Statement::new(
            "UPDATE applications SET policy_ceiling = $1 \
             WHERE id = $2 AND registration IS NOT NULL",
            args![policy, id],
        );
        self.execute_one(update).await?;
        Ok(())
    }

    /// Note a self-registered client's first completed authorization (it is then never
    /// reaped); later ones change nothing.
    pub async fn mark_authorized(&self, id: &str, now_ms: i64) -> Result<()> {
        let update = Statement::new(
            "UPDATE applications SET authorized_at = $1 \
             WHERE id = $2 AND registration IS NOT NULL AND authorized_at IS NULL",
            args![now_ms, id],
        );
        self.execute_one(update).await?;
        Ok(())
    }

    /// Delete the self-registered clients created before `before_ms` that never completed
    /// an authorization and hold no grant; their ids.
    pub async fn reap_dynamic_clients(&self, before_ms: i64) -> Result<Vec<String>> {
        let before = args![before_ms];
        let reaped: Vec<ConfigValue> = transaction!(self, |tx| {
            const REAP: &str = "DELETE FROM applications WHERE registration IS NOT NULL \
                 AND authorized_at IS NULL AND created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.client_id = applications.id) \
                 RETURNING id AS value";
            tx.fetch_all(REAP, &before).await
        })?;
        Ok(reaped.into_iter().map(|v| v.0).collect())
    }

    /// The JSON text of the run-time setting `key`, if it was ever set.
    pub async fn find_config(&self, key: &str) -> Result<Option<String>> {
        let found: Option<ConfigValue> = self
            .fetch_optional("SELECT value FROM configs WHERE key = $1", &args![key])
            .await?;
        Ok(found.map(|v| v.0))
    }

    /// Set the run-time setting `key` to `value` (JSON text).
    pub async fn put_config(&self, key: &str, value: &str, now_ms: i64) -> Result<()> {
        let put = Statement::new(
            "INSERT INTO configs (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            args![key, value, now_ms],
        );
        self.execute_one(put).await?;
        Ok(())
    }
}

#[cfg(test)]
#[path = "dynamic_clients_tests.rs"]
mod tests;
