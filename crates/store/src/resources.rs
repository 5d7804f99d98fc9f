//! API resources, their scopes, and the scopes an application's roles allow.

use latchkey_core::resource::{MANAGEMENT_RESOURCE_ID, Resource};
use latchkey_core::scope::Scopes;
use sqlx::Row;

use crate::{Db, Result, flag};

impl Db {
    pub async fn find_resource_by_indicator(&self, indicator: &str) -> Result<Option<Resource>> {
        let row = sqlx::query(
            "SELECT id, name, indicator, access_token_ttl, is_management, created_at \
             FROM resources WHERE indicator = $1",
        )
        .bind(indicator)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Resource {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            indicator: row.try_get("indicator")?,
            access_token_ttl: row.try_get("access_token_ttl")?,
            is_management: flag(&row, "is_management")?,
            created_at: row.try_get("created_at")?,
        }))
    }

    /// Every scope name the resource defines.
    pub async fn find_scope_names(&self, resource_id: &str) -> Result<Scopes> {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT name FROM scopes WHERE resource_id = $1 ORDER BY name")
                .bind(resource_id)
                .fetch_all(self.pool())
                .await?;
        Ok(Scopes::from_names(names))
    }

    /// The scope names of `resource_id` that the application's roles grant it.
    pub async fn find_application_scope_names(
        &self,
        application_id: &str,
        resource_id: &str,
    ) -> Result<Scopes> {
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT s.name FROM scopes s \
             JOIN roles_scopes rs ON rs.scope_id = s.id \
             JOIN applications_roles ar ON ar.role_id = rs.role_id \
             WHERE ar.application_id = $1 AND s.resource_id = $2 ORDER BY s.name",
        )
        .bind(application_id)
        .bind(resource_id)
        .fetch_all(self.pool())
        .await?;
        Ok(Scopes::from_names(names))
    }

    /// Point the management resource at this deployment's public URL.
    pub async fn set_management_indicator(&self, indicator: &str) -> Result<()> {
        sqlx::query("UPDATE resources SET indicator = $1 WHERE id = $2 AND indicator <> $1")
            .bind(indicator)
            .bind(MANAGEMENT_RESOURCE_ID)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use latchkey_core::client::{Application, ApplicationType};
    use latchkey_core::resource::{MANAGEMENT_ROLE_ID, MANAGEMENT_SCOPE};

    use crate::test_dbs;

    #[tokio::test]
    async fn the_management_resource_follows_the_public_url_and_its_role_grants_all() {
        for db in test_dbs::each().await {
            db.set_management_indicator("https://id.example.com/api")
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let resource = db
                .find_resource_by_indicator("https://id.example.com/api")
                .await
                .ok()
                .flatten();
            let resource = resource.unwrap_or_else(|| panic!("management resource missing"));
            assert!(resource.is_management);
            let defined = db.find_scope_names(&resource.id).await.unwrap_or_default();
            assert_eq!(defined.to_string(), MANAGEMENT_SCOPE);

            let app = Application {
                id: "ops".into(),
                name: "Ops".into(),
                description: None,
                app_type: ApplicationType::MachineToMachine,
                is_third_party: false,
                redirect_uris: vec![],
                post_logout_redirect_uris: vec![],
                cors_allowed_origins: vec![],
                created_at: 0,
            };
            let none = db
                .find_application_scope_names("ops", &resource.id)
                .await
                .unwrap_or_default();
            assert!(none.is_empty());
            db.insert_application(&app, &[], &[MANAGEMENT_ROLE_ID])
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let allowed = db
                .find_application_scope_names("ops", &resource.id)
                .await
                .unwrap_or_default();
            assert_eq!(allowed.to_string(), MANAGEMENT_SCOPE);
        }
    }
}
