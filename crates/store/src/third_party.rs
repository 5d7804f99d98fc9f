//! What a third-party application may ask for (its consent ceiling) and its branding.

use latchkey_core::resource::Scope;

use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Result};

/// Branding shown on a third-party application's consent page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInExperience {
    pub display_name: Option<String>,
    pub logo_url: Option<String>,
    pub dark_logo_url: Option<String>,
    pub terms_of_use_url: Option<String>,
    pub privacy_policy_url: Option<String>,
}

impl Record for SignInExperience {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(SignInExperience {
            display_name: row.get("display_name")?,
            logo_url: row.get("logo_url")?,
            dark_logo_url: row.get("dark_logo_url")?,
            terms_of_use_url: row.get("terms_of_use_url")?,
            privacy_policy_url: row.get("privacy_policy_url")?,
        })
    }
}

impl Db {
    /// The user-data scopes in the application's ceiling, by name.
    pub async fn find_user_consent_scopes(&self, application_id: &str) -> Result<Vec<String>> {
        const SQL: &str = "SELECT scope FROM application_user_consent_scopes \
             WHERE application_id = $1 ORDER BY scope";
        self.fetch_all(SQL, &args![application_id]).await
    }

    /// The API scopes in the application's ceiling.
    pub async fn find_resource_consent_scopes(&self, application_id: &str) -> Result<Vec<Scope>> {
        const SQL: &str = "SELECT s.id, s.resource_id, s.name, s.description, s.descriptions, s.created_at \
             FROM scopes s JOIN application_resource_consent_scopes c ON c.scope_id = s.id \
             WHERE c.application_id = $1 ORDER BY s.resource_id, s.name";
        self.fetch_all(SQL, &args![application_id]).await
    }

    /// Add to the ceiling, all or nothing; entries already there stay as they are.
    pub async fn add_consent_scopes(
        &self,
        application_id: &str,
        user_scopes: &[String],
        scope_ids: &[String],
    ) -> Result<()> {
        let user = user_scopes.iter().map(|scope| {
            Statement::new(
                "INSERT INTO application_user_consent_scopes (application_id, scope) \
                 VALUES ($1, $2) ON CONFLICT DO NOTHING",
                args![application_id, scope],
            )
        });
        let resource = scope_ids.iter().map(|scope_id| {
            Statement::new(
                "INSERT INTO application_resource_consent_scopes (application_id, scope_id) \
                 VALUES ($1, $2) ON CONFLICT DO NOTHING",
                args![application_id, scope_id],
            )
        });
        self.execute(user.chain(resource).collect()).await?;
        Ok(())
    }

    pub async fn remove_user_consent_scope(&self, application_id: &str, scope: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM application_user_consent_scopes WHERE application_id = $1 AND scope = $2",
            args![application_id, scope],
        ))
        .await
    }

    pub async fn remove_resource_consent_scope(
        &self,
        application_id: &str,
        scope_id: &str,
    ) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM application_resource_consent_scopes \
             WHERE application_id = $1 AND scope_id = $2",
            args![application_id, scope_id],
        ))
        .await
    }

    pub async fn find_sign_in_experience(
        &self,
        application_id: &str,
    ) -> Result<Option<SignInExperience>> {
        const SQL: &str = "SELECT display_name, logo_url, dark_logo_url, terms_of_use_url, privacy_policy_url \
             FROM application_sign_in_experiences WHERE application_id = $1";
        self.fetch_optional(SQL, &args![application_id]).await
    }

    /// Create or replace the application's branding.
    pub async fn put_sign_in_experience(
        &self,
        application_id: &str,
        experience: &SignInExperience,
    ) -> Result<()> {
        self.execute_one(put_sign_in_experience(application_id, experience))
            .await?;
        Ok(())
    }
}

/// The statement that creates or replaces an application's branding.
pub(crate) fn put_sign_in_experience(
    application_id: &str,
    experience: &SignInExperience,
) -> Statement {
    Statement::new(
        "INSERT INTO application_sign_in_experiences \
         (application_id, display_name, logo_url, dark_logo_url, terms_of_use_url, privacy_policy_url) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (application_id) DO UPDATE SET display_name = excluded.display_name, \
         logo_url = excluded.logo_url, dark_logo_url = excluded.dark_logo_url, \
         terms_of_use_url = excluded.terms_of_use_url, privacy_policy_url = excluded.privacy_policy_url",
        args![
            application_id,
            &experience.display_name,
            &experience.logo_url,
            &experience.dark_logo_url,
            &experience.terms_of_use_url,
            &experience.privacy_policy_url,
        ],
    )
}
