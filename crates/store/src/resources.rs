//! API resources, their scopes, and the scopes an application's roles allow.

use latchkey_core::resource::{MANAGEMENT_RESOURCE_ID, Resource, Scope};
use latchkey_core::scope::Scopes;

use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Result};

const COLUMNS: &str = "id, name, indicator, access_token_ttl, is_management, created_at";
const SCOPE_COLUMNS: &str = "id, resource_id, name, description, descriptions, created_at";

impl Record for Resource {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Resource {
            id: row.get("id")?,
            name: row.get("name")?,
            indicator: row.get("indicator")?,
            access_token_ttl: row.get("access_token_ttl")?,
            is_management: row.flag("is_management")?,
            created_at: row.get("created_at")?,
        })
    }
}

impl Record for Scope {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Scope {
            id: row.get("id")?,
            resource_id: row.get("resource_id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            descriptions: serde_json::from_str(&row.get::<String>("descriptions")?)
                .map_err(|_| crate::Error::Corrupt("descriptions is not a JSON object".into()))?,
            created_at: row.get("created_at")?,
        })
    }
}

fn descriptions_json(scope: &Scope) -> String {
    serde_json::to_string(&scope.descriptions).unwrap_or_else(|_| "{}".to_owned())
}

impl Db {
    /// The resource a client's `resource` parameter names: registered as sent, else as
    /// `latchkey_core::resource::names` also allows (one trailing `/` more or less).
    pub async fn find_resource_named(&self, requested: &str) -> Result<Option<Resource>> {
        let other = latchkey_core::resource::other_form(requested);
        let sql = format!(
            "SELECT {COLUMNS} FROM resources WHERE indicator IN ($1, $2) \
             ORDER BY CASE WHEN indicator = $1 THEN 0 ELSE 1 END LIMIT 1"
        );
        let other = other.unwrap_or_else(|| requested.to_owned());
        self.fetch_optional(&sql, &args![requested, other]).await
    }

    pub async fn find_resource(&self, id: &str) -> Result<Option<Resource>> {
        let sql = format!("SELECT {COLUMNS} FROM resources WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    pub async fn list_resources(
        &self,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<Resource>, i64)> {
        let mut filter = Filter::default();
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "name", "indicator"], term);
        }
        self.list_page(COLUMNS, "resources", &filter, "created_at, id", page)
            .await
    }

    /// Add a resource; `Conflict` when the indicator is taken.
    pub async fn insert_resource(&self, resource: &Resource) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO resources \
             (id, name, indicator, access_token_ttl, is_management, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            args![
                &resource.id,
                &resource.name,
                &resource.indicator,
                resource.access_token_ttl,
                false,
                resource.created_at,
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    /// Change name and token lifetime. The management resource never changes here.
    pub async fn update_resource(&self, resource: &Resource) -> Result<()> {
        self.execute_found(Statement::new(
            "UPDATE resources SET name = $1, access_token_ttl = $2 WHERE id = $3 AND id <> $4",
            args![
                &resource.name,
                resource.access_token_ttl,
                &resource.id,
                MANAGEMENT_RESOURCE_ID,
            ],
        ))
        .await
    }

    /// Remove a resource and its scopes. The management resource is never removed.
    pub async fn delete_resource(&self, id: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM resources WHERE id = $1 AND id <> $2",
            args![id, MANAGEMENT_RESOURCE_ID],
        ))
        .await
    }

    pub async fn list_scopes(&self, resource_id: &str) -> Result<Vec<Scope>> {
        let sql = format!(
            "SELECT {SCOPE_COLUMNS} FROM scopes WHERE resource_id = $1 ORDER BY created_at, name"
        );
        self.fetch_all(&sql, &args![resource_id]).await
    }

    pub async fn find_scope(&self, id: &str) -> Result<Option<Scope>> {
        let sql = format!("SELECT {SCOPE_COLUMNS} FROM scopes WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    /// Add a scope; `Conflict` when the resource already has one of that name.
    pub async fn insert_scope(&self, scope: &Scope) -> Result<()> {
        let insert = Statement::new(
            "INSERT INTO scopes (id, resource_id, name, description, descriptions, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            args![
                &scope.id,
                &scope.resource_id,
                &scope.name,
                &scope.description,
                descriptions_json(scope),
                scope.created_at,
            ],
        );
        self.execute_one(insert).await?;
        Ok(())
    }

    pub async fn update_scope(&self, scope: &Scope) -> Result<()> {
        self.execute_found(Statement::new(
            "UPDATE scopes SET name = $1, description = $2, descriptions = $3 \
             WHERE id = $4 AND resource_id = $5",
            args![
                &scope.name,
                &scope.description,
                descriptions_json(scope),
                &scope.id,
                &scope.resource_id
            ],
        ))
        .await
    }

    pub async fn delete_scope(&self, resource_id: &str, id: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM scopes WHERE id = $1 AND resource_id = $2",
            args![id, resource_id],
        ))
        .await
    }

    /// Every scope name the resource defines.
    pub async fn find_scope_names(&self, resource_id: &str) -> Result<Scopes> {
        const SQL: &str = "SELECT name FROM scopes WHERE resource_id = $1 ORDER BY name";
        let names: Vec<String> = self.fetch_all(SQL, &args![resource_id]).await?;
        Ok(Scopes::from_names(names))
    }

    /// The scope names of `resource_id` that the application's roles grant it.
    pub async fn find_application_scope_names(
        &self,
        application_id: &str,
        resource_id: &str,
    ) -> Result<Scopes> {
        const SQL: &str = "SELECT DISTINCT s.name FROM scopes s \
             JOIN roles_scopes rs ON rs.scope_id = s.id \
             JOIN applications_roles ar ON ar.role_id = rs.role_id \
             WHERE ar.application_id = $1 AND s.resource_id = $2 ORDER BY s.name";
        let names: Vec<String> = self
            .fetch_all(SQL, &args![application_id, resource_id])
            .await?;
        Ok(Scopes::from_names(names))
    }

    /// Point the management resource at this deployment's public URL.
    pub async fn set_management_indicator(&self, indicator: &str) -> Result<()> {
        self.execute_one(Statement::new(
            "UPDATE resources SET indicator = $1 WHERE id = $2 AND indicator <> $1",
            args![indicator, MANAGEMENT_RESOURCE_ID],
        ))
        .await?;
        Ok(())
    }

    /// Give the built-in objects (the management API and its scope, its roles, the console),
    /// which the migrations create undated, the date of this database's first start: the
    /// console shows when they came, not 1970-01-01. By their fixed ids, so a start-up never
    /// scans a table.
    pub async fn date_built_ins(&self, now_ms: i64) -> Result<()> {
        use latchkey_core::client::CONSOLE_APP_ID;
        use latchkey_core::resource::{ADMIN_ROLE_ID, MANAGEMENT_ROLE_ID};
        let built_in = [
            ("resources", MANAGEMENT_RESOURCE_ID),
            ("scopes", "management-api-all"),
            ("roles", MANAGEMENT_ROLE_ID),
            ("roles", ADMIN_ROLE_ID),
            ("applications", CONSOLE_APP_ID),
        ];
        let statements = built_in.map(|(table, id)| {
            let sql =
                format!("UPDATE {table} SET created_at = $1 WHERE id = $2 AND created_at = 0");
            Statement::new(sql, args![now_ms, id])
        });
        self.execute(statements.into()).await?;
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
                .find_resource_named("https://id.example.com/api")
                .await
                .ok()
                .flatten();
            let resource = resource.unwrap_or_else(|| panic!("management resource missing"));
            assert!(resource.is_management);
            let defined = db.find_scope_names(&resource.id).await.unwrap_or_default();
            assert_eq!(defined.to_string(), MANAGEMENT_SCOPE);

            let app = Application {
                dynamic: None,
                id: "ops".into(),
                name: "Ops".into(),
                description: None,
                app_type: ApplicationType::MachineToMachine,
                is_third_party: false,
                redirect_uris: vec![],
                post_logout_redirect_uris: vec![],
                cors_allowed_origins: vec![],
                settings: Default::default(),
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

    #[tokio::test]
    async fn built_ins_get_the_date_of_the_first_start_once() {
        for db in test_dbs::each().await {
            let created = |db: &crate::Db| {
                let db = db.clone();
                async move {
                    let found = db
                        .find_resource(latchkey_core::resource::MANAGEMENT_RESOURCE_ID)
                        .await;
                    found.ok().flatten().map_or(-1, |r| r.created_at)
                }
            };
            assert_eq!(created(&db).await, 0);
            db.date_built_ins(1_700_000_000_000)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            db.date_built_ins(1_800_000_000_000)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(created(&db).await, 1_700_000_000_000);
        }
    }
}
