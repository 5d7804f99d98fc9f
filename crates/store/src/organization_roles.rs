//! The organization template, one for every organization: organization scopes, and
//! organization roles made of organization scopes and API scopes. Also what a member's roles
//! hold in one organization, which is what organization tokens carry.

use latchkey_core::organization::{OrganizationRole, OrganizationScope};
use latchkey_core::resource::Scope;
use latchkey_core::role::RoleType;

use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Arg, Statement, args, placeholders};
use crate::{Db, Error, Result};

const ROLE_COLUMNS: &str = "id, name, description, type, created_at";
pub(crate) const SCOPE_COLUMNS: &str = "id, name, description, created_at";

impl Record for OrganizationRole {
    fn from_row(row: &impl Columns) -> Result<Self> {
        let role_type: String = row.get("type")?;
        Ok(OrganizationRole {
            id: row.get("id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            role_type: RoleType::parse(&role_type)
                .ok_or_else(|| Error::Corrupt(format!("unknown role type {role_type}")))?,
            created_at: row.get("created_at")?,
        })
    }
}

impl Record for OrganizationScope {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(OrganizationScope {
            id: row.get("id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            created_at: row.get("created_at")?,
        })
    }
}

/// Which part of the template: the organization roles or the organization scopes.
#[derive(Debug, Clone, Copy)]
pub enum Template {
    Roles,
    Scopes,
}

impl Template {
    fn table(self) -> &'static str {
        match self {
            Self::Roles => "organization_roles",
            Self::Scopes => "organization_scopes",
        }
    }
}

impl Db {
    pub async fn find_organization_role(&self, id: &str) -> Result<Option<OrganizationRole>> {
        let sql = format!("SELECT {ROLE_COLUMNS} FROM organization_roles WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    pub async fn find_organization_scope(&self, id: &str) -> Result<Option<OrganizationScope>> {
        let sql = format!("SELECT {SCOPE_COLUMNS} FROM organization_scopes WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    /// Roles by name (Logto's API also names roles to assign), in the order asked.
    pub async fn find_organization_roles_named(
        &self,
        names: &[String],
    ) -> Result<Vec<OrganizationRole>> {
        let found: Vec<OrganizationRole> = self
            .fetch_all(
                &format!(
                    "SELECT {ROLE_COLUMNS} FROM organization_roles WHERE name IN ({})",
                    placeholders(names.len())
                ),
                &names.iter().map(Arg::from).collect::<Vec<_>>(),
            )
            .await?;
        Ok(names
            .iter()
            .filter_map(|n| found.iter().find(|r| &r.name == n).cloned())
            .collect())
    }

    pub async fn list_organization_roles(
        &self,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<OrganizationRole>, i64)> {
        let mut filter = Filter::default();
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "name", "description"], term);
        }
        let table = Template::Roles.table();
        self.list_page(ROLE_COLUMNS, table, &filter, "created_at, id", page)
            .await
    }

    pub async fn list_organization_scopes(
        &self,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<OrganizationScope>, i64)> {
        let mut filter = Filter::default();
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "name", "description"], term);
        }
        let table = Template::Scopes.table();
        self.list_page(SCOPE_COLUMNS, table, &filter, "created_at, id", page)
            .await
    }

    /// Add a role; `Conflict` when the name is taken.
    pub async fn insert_organization_role(&self, role: &OrganizationRole) -> Result<()> {
        self.execute_one(Statement::new(
            "INSERT INTO organization_roles (id, name, description, type, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
            args![
                &role.id,
                &role.name,
                &role.description,
                role.role_type.as_str(),
                role.created_at
            ],
        ))
        .await?;
        Ok(())
    }

    /// Add a scope; `Conflict` when the name is taken.
    pub async fn insert_organization_scope(&self, scope: &OrganizationScope) -> Result<()> {
        self.execute_one(Statement::new(
            "INSERT INTO organization_scopes (id, name, description, created_at) \
             VALUES ($1, $2, $3, $4)",
            args![&scope.id, &scope.name, &scope.description, scope.created_at],
        ))
        .await?;
        Ok(())
    }

    /// Rename or describe again a role or a scope; `Conflict` when the name is taken.
    pub async fn update_template(
        &self,
        part: Template,
        id: &str,
        (name, description): (&str, Option<&str>),
    ) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET name = $1, description = $2 WHERE id = $3",
            part.table()
        );
        self.execute_found(Statement::new(sql, args![name, description, id]))
            .await
    }

    /// Delete a role (members lose it) or a scope (roles lose it).
    pub async fn delete_template(&self, part: Template, id: &str) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE id = $1", part.table());
        self.execute_found(Statement::new(sql, args![id])).await
    }

    /// The organization scopes a role holds.
    pub async fn find_organization_role_scopes(
        &self,
        role_id: &str,
    ) -> Result<Vec<OrganizationScope>> {
        const SQL: &str = "SELECT s.id, s.name, s.description, s.created_at \
             FROM organization_scopes s JOIN organization_role_scopes h \
             ON h.organization_scope_id = s.id WHERE h.organization_role_id = $1 ORDER BY s.name";
        self.fetch_all(SQL, &args![role_id]).await
    }

    /// The API scopes a role holds.
    pub async fn find_organization_role_resource_scopes(
        &self,
        role_id: &str,
    ) -> Result<Vec<Scope>> {
        const SQL: &str = "SELECT s.id, s.resource_id, s.name, s.description, s.descriptions, \
             s.created_at FROM scopes s JOIN organization_role_resource_scopes h \
             ON h.scope_id = s.id WHERE h.organization_role_id = $1 ORDER BY s.resource_id, s.name";
        self.fetch_all(SQL, &args![role_id]).await
    }

    /// Give a role organization scopes (`resource: false`) or API scopes, kept if held
    /// already, or (`replace`) exactly these; all or nothing, `Missing` for an unknown id.
    pub async fn set_organization_role_scopes(
        &self,
        role_id: &str,
        (resource, scope_ids): (bool, &[String]),
        replace: bool,
    ) -> Result<()> {
        let (table, column) = scope_link(resource);
        let mut statements = Vec::new();
        if replace {
            let sql = format!("DELETE FROM {table} WHERE organization_role_id = $1");
            statements.push(Statement::new(sql, args![role_id]));
        }
        for scope_id in scope_ids {
            let sql = format!(
                "INSERT INTO {table} (organization_role_id, {column}) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING"
            );
            statements.push(Statement::new(sql, args![role_id, scope_id]));
        }
        self.execute(statements).await?;
        Ok(())
    }

    /// Take one scope from a role; `NotFound` if it did not hold it.
    pub async fn remove_organization_role_scope(
        &self,
        role_id: &str,
        (resource, scope_id): (bool, &str),
    ) -> Result<()> {
        let (table, column) = scope_link(resource);
        let sql = format!("DELETE FROM {table} WHERE organization_role_id = $1 AND {column} = $2");
        self.execute_found(Statement::new(sql, args![role_id, scope_id]))
            .await
    }
}

/// The link table of a role's organization scopes (`resource: false`) or API scopes, and
/// its scope column.
fn scope_link(resource: bool) -> (&'static str, &'static str) {
    match resource {
        false => ("organization_role_scopes", "organization_scope_id"),
        true => ("organization_role_resource_scopes", "scope_id"),
    }
}
