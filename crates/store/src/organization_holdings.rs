//! What members hold in organizations: the organization scopes and API scopes their roles
//! give there, which organization tokens carry and the consent plan offers.

use latchkey_core::organization::OrganizationScope;
use latchkey_core::resource::Scope;

use crate::organization_members::{Member, Tables};
use crate::organization_roles::SCOPE_COLUMNS;
use crate::sql::statement::{Arg, args, placeholders};
use crate::{Db, Result};

impl Db {
    /// The organization scopes among `names`.
    pub async fn find_organization_scopes_named(
        &self,
        names: &latchkey_core::scope::Scopes,
    ) -> Result<Vec<OrganizationScope>> {
        let values: Vec<Arg> = names.iter().map(Arg::from).collect();
        let sql = format!(
            "SELECT {SCOPE_COLUMNS} FROM organization_scopes WHERE name IN ({}) ORDER BY name",
            placeholders(values.len())
        );
        self.fetch_all(&sql, &values).await
    }

    /// The scopes of API `resource_id` that `user_id`'s organization roles hold in any of
    /// the user's organizations.
    pub async fn find_organization_resource_scopes(
        &self,
        user_id: &str,
        resource_id: &str,
    ) -> Result<Vec<Scope>> {
        const SQL: &str = "SELECT DISTINCT s.id, s.resource_id, s.name, s.description, \
             s.descriptions, s.created_at FROM scopes s \
             JOIN organization_role_resource_scopes rs ON rs.scope_id = s.id \
             JOIN organization_user_roles h ON h.organization_role_id = rs.organization_role_id \
             WHERE h.user_id = $1 AND s.resource_id = $2 ORDER BY s.name";
        self.fetch_all(SQL, &args![user_id, resource_id]).await
    }

    /// The organization scopes `member`'s roles hold in the organization, by name; `None`
    /// when it is not a member. What an organization token may carry.
    pub async fn find_member_scopes(
        &self,
        organization_id: &str,
        member: Member<'_>,
    ) -> Result<Option<Vec<OrganizationScope>>> {
        if !self.find_membership(organization_id, member).await? {
            return Ok(None);
        }
        let Tables { roles, column, .. } = member.tables();
        let sql = format!(
            "SELECT DISTINCT s.id, s.name, s.description, s.created_at FROM organization_scopes s \
             JOIN organization_role_scopes rs ON rs.organization_scope_id = s.id \
             JOIN {roles} h ON h.organization_role_id = rs.organization_role_id \
             WHERE h.organization_id = $1 AND h.{column} = $2 ORDER BY s.name"
        );
        let held = self
            .fetch_all(&sql, &args![organization_id, member.id()])
            .await?;
        Ok(Some(held))
    }

    /// The scopes of API `resource_id` that `member`'s roles hold in the organization;
    /// `None` when it is not a member.
    pub async fn find_member_resource_scopes(
        &self,
        organization_id: &str,
        member: Member<'_>,
        resource_id: &str,
    ) -> Result<Option<Vec<Scope>>> {
        if !self.find_membership(organization_id, member).await? {
            return Ok(None);
        }
        let Tables { roles, column, .. } = member.tables();
        let sql = format!(
            "SELECT DISTINCT s.id, s.resource_id, s.name, s.description, s.descriptions, \
             s.created_at FROM scopes s \
             JOIN organization_role_resource_scopes rs ON rs.scope_id = s.id \
             JOIN {roles} h ON h.organization_role_id = rs.organization_role_id \
             WHERE h.organization_id = $1 AND h.{column} = $2 AND s.resource_id = $3 \
             ORDER BY s.name"
        );
        let held = self
            .fetch_all(&sql, &args![organization_id, member.id(), resource_id])
            .await?;
        Ok(Some(held))
    }
}
