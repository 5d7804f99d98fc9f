//! What a third-party application may ask for (its consent ceiling) and its branding.

use latchkey_core::resource::Scope;
use sqlx::Row;

use crate::sql::row::Record;
use crate::{Db, Error, Result};

/// Branding shown on a third-party application's consent page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInExperience {
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    pub dark_logo_url: Option<String>,
    pub terms_of_use_url: Option<String>,
    pub privacy_policy_url: Option<String>,
}

impl Db {
    /// The user-data scopes in the application's ceiling, by name.
    pub async fn find_user_consent_scopes(&self, application_id: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT scope FROM application_user_consent_scopes WHERE application_id = $1 ORDER BY scope",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The API scopes in the application's ceiling.
    pub async fn find_resource_consent_scopes(&self, application_id: &str) -> Result<Vec<Scope>> {
        let rows = sqlx::query(
            "SELECT s.id, s.resource_id, s.name, s.description, s.created_at FROM scopes s \
             JOIN application_resource_consent_scopes c ON c.scope_id = s.id \
             WHERE c.application_id = $1 ORDER BY s.resource_id, s.name",
        )
        .bind(application_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(Scope::from_row).collect()
    }

    /// Add to the ceiling, all or nothing; entries already there stay as they are.
    pub async fn add_consent_scopes(
        &self,
        application_id: &str,
        user_scopes: &[String],
        scope_ids: &[String],
    ) -> Result<()> {
        let mut tx = self.writer().begin().await?;
        for scope in user_scopes {
            sqlx::query(
                "INSERT INTO application_user_consent_scopes (application_id, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(application_id)
            .bind(scope)
            .execute(&mut *tx)
            .await?;
        }
        for scope_id in scope_ids {
            sqlx::query(
                "INSERT INTO application_resource_consent_scopes (application_id, scope_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(application_id)
            .bind(scope_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn remove_user_consent_scope(&self, application_id: &str, scope: &str) -> Result<()> {
        let done = sqlx::query(
            "DELETE FROM application_user_consent_scopes WHERE application_id = $1 AND scope = $2",
        )
        .bind(application_id)
        .bind(scope)
        .execute(self.writer())
        .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    pub async fn remove_resource_consent_scope(
        &self,
        application_id: &str,
        scope_id: &str,
    ) -> Result<()> {
        let done =
            sqlx::query("DELETE FROM application_resource_consent_scopes WHERE application_id = $1 AND scope_id = $2")
                .bind(application_id)
                .bind(scope_id)
                .execute(self.writer())
                .await?;
        match done.rows_affected() {
            0 => Err(Error::NotFound),
            _ => Ok(()),
        }
    }

    pub async fn find_sign_in_experience(
        &self,
        application_id: &str,
    ) -> Result<Option<SignInExperience>> {
        let row = sqlx::query(
            "SELECT display_name, logo_url, dark_logo_url, terms_of_use_url, privacy_policy_url \
             FROM application_sign_in_experiences WHERE application_id = $1",
        )
        .bind(application_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(SignInExperience {
                display_name: r.try_get("display_name")?,
                logo_url: r.try_get("logo_url")?,
                dark_logo_url: r.try_get("dark_logo_url")?,
                terms_of_use_url: r.try_get("terms_of_use_url")?,
                privacy_policy_url: r.try_get("privacy_policy_url")?,
            })
        })
        .transpose()
    }

    /// Create or replace the application's branding.
    pub async fn put_sign_in_experience(
        &self,
        application_id: &str,
        experience: &SignInExperience,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO application_sign_in_experiences \
             (application_id, display_name, logo_url, dark_logo_url, terms_of_use_url, privacy_policy_url) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (application_id) DO UPDATE SET display_name = excluded.display_name, \
             logo_url = excluded.logo_url, dark_logo_url = excluded.dark_logo_url, \
             terms_of_use_url = excluded.terms_of_use_url, privacy_policy_url = excluded.privacy_policy_url",
        )
        .bind(application_id)
        .bind(&experience.display_name)
        .bind(&experience.logo_url)
        .bind(&experience.dark_logo_url)
        .bind(&experience.terms_of_use_url)
        .bind(&experience.privacy_policy_url)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
