//! Organizations and who belongs to them: users and machine applications, each with the
//! organization roles held there (`organization_members`). The template (roles, scopes) is
//! `organization_roles`.

use latchkey_core::organization::{Membership, Organization, OrganizationRole};

use crate::organization_members::{Member, Tables};
use crate::sql::list::{Filter, Page};
use crate::sql::row::{Columns, Record};
use crate::sql::statement::{Statement, args};
use crate::{Db, Error, Result};

const COLUMNS: &str =
    "id, name, description, custom_data, is_mfa_required, color, branding, custom_css, created_at";

fn json(row: &impl Columns, column: &str) -> Result<serde_json::Value> {
    serde_json::from_str(&row.get::<String>(column)?)
        .map_err(|_| Error::Corrupt(format!("organizations.{column} is not JSON")))
}

impl Record for Organization {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Organization {
            id: row.get("id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            custom_data: json(row, "custom_data")?,
            is_mfa_required: row.flag("is_mfa_required")?,
            color: json(row, "color")?,
            branding: json(row, "branding")?,
            custom_css: row.get("custom_css")?,
            created_at: row.get("created_at")?,
        })
    }
}

impl Db {
    pub async fn find_organization(&self, id: &str) -> Result<Option<Organization>> {
        let sql = format!("SELECT {COLUMNS} FROM organizations WHERE id = $1");
        self.fetch_optional(&sql, &args![id]).await
    }

    /// A page of organizations, oldest first; `search` matches id, name or description.
    pub async fn list_organizations(
        &self,
        search: Option<&str>,
        page: Page,
    ) -> Result<(Vec<Organization>, i64)> {
        let mut filter = Filter::default();
        if let Some(term) = search.filter(|t| !t.is_empty()) {
            filter.search(&["id", "name", "description"], term);
        }
        self.list_page(COLUMNS, "organizations", &filter, "created_at, id", page)
            .await
    }

    pub async fn insert_organization(&self, org: &Organization) -> Result<()> {
        self.execute_one(write(
            org,
            "INSERT INTO organizations (name, description, custom_data, is_mfa_required, \
             color, branding, custom_css, id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        ))
        .await?;
        Ok(())
    }

    /// Write every field of an existing organization but its id and creation time.
    pub async fn update_organization(&self, org: &Organization) -> Result<()> {
        self.execute_found(write(
            org,
            "UPDATE organizations SET name = $1, description = $2, custom_data = $3, \
             is_mfa_required = $4, color = $5, branding = $6, custom_css = $7 \
             WHERE id = $8 AND created_at = $9",
        ))
        .await
    }

    /// Delete an organization: its memberships, roles held there and consents go with it.
    pub async fn delete_organization(&self, id: &str) -> Result<()> {
        self.execute_found(Statement::new(
            "DELETE FROM organizations WHERE id = $1",
            args![id],
        ))
        .await
    }

    /// Every organization `member` belongs to, oldest first, with the roles held in each.
    pub async fn find_member_organizations(
        &self,
        member: Member<'_>,
    ) -> Result<Vec<(Organization, Vec<OrganizationRole>)>> {
        let Tables {
            members, column, ..
        } = member.tables();
        let sql = format!(
            "SELECT o.id, o.name, o.description, o.custom_data, o.is_mfa_required, o.color, \
             o.branding, o.custom_css, o.created_at FROM organizations o \
             JOIN {members} m ON m.organization_id = o.id WHERE m.{column} = $1 \
             ORDER BY o.created_at, o.id"
        );
        let organizations: Vec<Organization> = self.fetch_all(&sql, &args![member.id()]).await?;
        let mut found = Vec::with_capacity(organizations.len());
        for org in organizations {
            let roles = self.find_members_roles(&org.id, &[member]).await?;
            found.push((org, roles.into_iter().map(|(_, role)| role).collect()));
        }
        Ok(found)
    }

    /// What the claims need of a user's organizations: ids, names and role names, in two
    /// reads whatever their number.
    pub async fn find_memberships(&self, user_id: &str) -> Result<Vec<Membership>> {
        const ORGANIZATIONS: &str = "SELECT o.id, o.name, o.description FROM organizations o \
             JOIN organization_users m ON m.organization_id = o.id WHERE m.user_id = $1 \
             ORDER BY o.created_at, o.id";
        const ROLES: &str = "SELECT h.organization_id, r.name FROM organization_user_roles h \
             JOIN organization_roles r ON r.id = h.organization_role_id WHERE h.user_id = $1 \
             ORDER BY r.name";
        let mut memberships: Vec<Membership> =
            self.fetch_all(ORGANIZATIONS, &args![user_id]).await?;
        let roles: Vec<(String, String)> = self.fetch_all(ROLES, &args![user_id]).await?;
        for (organization_id, role) in roles {
            if let Some(m) = memberships.iter_mut().find(|m| m.id == organization_id) {
                m.roles.push(role);
            }
        }
        Ok(memberships)
    }
}

impl Record for Membership {
    fn from_row(row: &impl Columns) -> Result<Self> {
        Ok(Membership {
            id: row.get("id")?,
            name: row.get("name")?,
            description: row.get("description")?,
            roles: Vec::new(),
        })
    }
}

/// `sql` with an organization's fields as `$1`…`$9`.
fn write(org: &Organization, sql: &'static str) -> Statement {
    Statement::new(
        sql,
        args![
            &org.name,
            &org.description,
            org.custom_data.to_string(),
            org.is_mfa_required,
            org.color.to_string(),
            org.branding.to_string(),
            &org.custom_css,
            &org.id,
            org.created_at,
        ],
    )
}
