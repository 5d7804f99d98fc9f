//! Third-party applications in organizations: the organization scopes and API scopes (held
//! through organization roles) an application may ask for, its ceiling there; and taking one
//! organization back from what a user shared with an application.

use latchkey_core::organization::OrganizationScope;
use latchkey_core::resource::Scope;

use crate::sql::statement::{Statement, args};
use crate::{Db, Result};

/// The ceiling's link table for organization scopes (`resource: false`) or API scopes, and
/// its scope column.
fn ceiling(resource: bool) -> (&'static str, &'static str) {
    match resource {
        false => (
            "application_organization_consent_scopes",
            "organization_scope_id",
        ),
        true => (
            "application_organization_resource_consent_scopes",
            "scope_id",
        ),
    }
}

impl Db {
    /// The organization scopes and the API scopes the application may ask for within
    /// organizations.
    pub async fn find_organization_ceiling(
        &self,
        application_id: &str,
    ) -> Result<(Vec<OrganizationScope>, Vec<Scope>)> {
        const ORGANIZATION: &str = "SELECT s.id, s.name, s.description, s.created_at \
             FROM organization_scopes s JOIN application_organization_consent_scopes c \
             ON c.organization_scope_id = s.id WHERE c.application_id = $1 ORDER BY s.name";
        const RESOURCE: &str = "SELECT s.id, s.resource_id, s.name, s.description, \
             s.descriptions, s.created_at FROM scopes s \
             JOIN application_organization_resource_consent_scopes c ON c.scope_id = s.id \
             WHERE c.application_id = $1 ORDER BY s.resource_id, s.name";
        let organization = self.fetch_all(ORGANIZATION, &args![application_id]).await?;
        let resource = self.fetch_all(RESOURCE, &args![application_id]).await?;
        Ok((organization, resource))
    }

    /// Add organization scopes and API scopes to the ceiling, all or nothing; `Missing` for
    /// an unknown id.
    pub async fn add_organization_ceiling(
        &self,
        application_id: &str,
        (organization_scope_ids, scope_ids): (&[String], &[String]),
    ) -> Result<()> {
        let mut statements = Vec::new();
        for (resource, ids) in [(false, organization_scope_ids), (true, scope_ids)] {
            let (table, column) = ceiling(resource);
            for id in ids {
                let sql = format!(
                    "INSERT INTO {table} (application_id, {column}) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING"
                );
                statements.push(Statement::new(sql, args![application_id, id]));
            }
        }
        self.execute(statements).await?;
        Ok(())
    }

    /// Take one scope out of the ceiling; `NotFound` if it was not there.
    pub async fn remove_organization_ceiling_scope(
        &self,
        application_id: &str,
        (resource, scope_id): (bool, &str),
    ) -> Result<()> {
        let (table, column) = ceiling(resource);
        let sql = format!("DELETE FROM {table} WHERE application_id = $1 AND {column} = $2");
        self.execute_found(Statement::new(sql, args![application_id, scope_id]))
            .await
    }

    /// Let the application into organizations `ids` for `user_id` (`replace`: into these
    /// only), within the consent the user gave it; an organization the user is not a member
    /// of when this runs is left out. False if the user never consented to the application.
    pub async fn share_organizations(
        &self,
        (user_id, application_id): (&str, &str),
        ids: &[String],
        replace: bool,
    ) -> Result<bool> {
        let guard = Statement::new(
            "UPDATE consents SET last_used_at = last_used_at \
             WHERE user_id = $1 AND application_id = $2",
            args![user_id, application_id],
        );
        let mut then = Vec::new();
        if replace {
            then.push(Statement::new(
                "DELETE FROM consent_organizations WHERE consent_id IN \
                 (SELECT id FROM consents WHERE user_id = $1 AND application_id = $2)",
                args![user_id, application_id],
            ));
        }
        for id in ids {
            then.push(Statement::new(
                "INSERT INTO consent_organizations (consent_id, organization_id) \
                 SELECT c.id, m.organization_id FROM consents c \
                 JOIN organization_users m ON m.user_id = c.user_id \
                 WHERE c.user_id = $1 AND c.application_id = $2 AND m.organization_id = $3 \
                 ON CONFLICT DO NOTHING",
                args![user_id, application_id, id],
            ));
        }
        self.execute_if(guard, then).await
    }

    /// Take organization `organization_id` back from what `user_id` shared with the
    /// application; `NotFound` if it was not shared.
    pub async fn remove_consented_organization(
        &self,
        (user_id, application_id): (&str, &str),
        organization_id: &str,
    ) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM consent_organizations WHERE organization_id = $1 AND consent_id IN \
             (SELECT id FROM consents WHERE user_id = $2 AND application_id = $3)",
            args![organization_id, user_id, application_id],
        ))
        .await
    }
}
