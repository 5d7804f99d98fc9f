//! Clients that registered themselves (CIMD, DCR): their copy of a metadata document, an
//! administrator's decision, their first authorization, reaping those never used, and the
//! run-time settings (`configs`) where their policy is kept.

use latchkey_core::client::Application;
use latchkey_core::dynamic::Approval;

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::sql::tx::{Tx, transaction};
use crate::third_party::{SignInExperience, put_sign_in_experience};
use crate::{Db, Result, to_json_list};

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
        let dynamic = app.dynamic.as_ref();
        let upsert = Statement::new(
            "INSERT INTO applications (id, name, description, type, is_third_party, redirect_uris, \
             post_logout_redirect_uris, cors_allowed_origins, id_token_ttl, refresh_token_ttl_days, \
             rotate_refresh_token, always_issue_refresh_token, id_token_signed_response_alg, \
             created_at, registration, policy_ceiling, metadata_fetched_at, metadata_fresh_until) \
             VALUES ($1, $2, NULL, $3, $4, $5, '[]', '[]', $6, $7, $8, $9, $10, $11, 'cimd', $12, $13, $14) \
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             redirect_uris = excluded.redirect_uris, \
             metadata_fetched_at = excluded.metadata_fetched_at, \
             metadata_fresh_until = excluded.metadata_fresh_until \
             WHERE applications.registration = 'cimd'",
            args![
                &app.id,
                &app.name,
                app.app_type.as_str(),
                app.is_third_party,
                to_json_list(&app.redirect_uris),
                app.settings.id_token_ttl,
                app.settings.refresh_token_ttl_days,
                app.settings.rotate_refresh_token,
                app.settings.always_issue_refresh_token,
                app.settings.id_token_alg.as_str(),
                app.created_at,
                dynamic.is_none_or(|d| d.policy_ceiling),
                dynamic.and_then(|d| d.fetched_at),
                dynamic.and_then(|d| d.fresh_until),
            ],
        );
        let branding = put_sign_in_experience(&app.id, experience);
        self.execute_if(upsert, vec![branding]).await
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
