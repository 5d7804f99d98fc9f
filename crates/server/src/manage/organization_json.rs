//! The JSON shapes of organization members and of the organization template, as Logto's
//! management API has them: what `organization_members` and `organization_template` take and
//! answer; and invitations (`organization_invitations`).

use latchkey_core::organization::{OrganizationRole, OrganizationScope};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::application_json::ApplicationView;
use super::nullable;
use super::organizations::RoleRef;
use super::users::UserView;

/// A member user, with the organization roles held there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberUserView {
    #[serde(flatten)]
    pub user: UserView,
    pub organization_roles: Vec<RoleRef>,
}

/// A member application, with the organization roles held there.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberApplicationView {
    #[serde(flatten)]
    pub application: ApplicationView,
    pub organization_roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserIds {
    pub user_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationIds {
    pub application_ids: Vec<String>,
}

/// Roles to give, by id or by name (Logto takes either).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleAssignment {
    #[serde(default)]
    pub organization_role_ids: Vec<String>,
    #[serde(default)]
    pub organization_role_names: Vec<String>,
}

/// The same roles for several members at once.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UsersRoles {
    pub user_ids: Vec<String>,
    pub organization_role_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationScopeView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: i64,
}

impl From<OrganizationScope> for OrganizationScopeView {
    fn from(s: OrganizationScope) -> Self {
        Self {
            id: s.id,
            name: s.name,
            description: s.description,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRoleView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `User` or `MachineToMachine`: which members may hold it.
    #[serde(rename = "type")]
    pub role_type: &'static str,
    pub created_at: i64,
}

impl From<OrganizationRole> for OrganizationRoleView {
    fn from(r: OrganizationRole) -> Self {
        Self {
            role_type: r.role_type.as_str(),
            id: r.id,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

/// A role as listed: with the organization scopes and API scopes it holds.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrganizationRoleWithScopes {
    #[serde(flatten)]
    pub role: OrganizationRoleView,
    pub scopes: Vec<ScopeRef>,
    pub resource_scopes: Vec<ResourceScopeRef>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceScopeRef {
    pub id: String,
    pub name: String,
    pub resource: ScopeRef,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrganizationRole {
    pub name: String,
    pub description: Option<String>,
    /// `User` (the default) or `MachineToMachine`.
    #[serde(rename = "type")]
    pub role_type: Option<String>,
    #[serde(default)]
    pub organization_scope_ids: Vec<String>,
    #[serde(default)]
    pub resource_scope_ids: Vec<String>,
}

/// A new organization scope.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewOrganizationScope {
    pub name: String,
    pub description: Option<String>,
}

/// A change to a role or a scope.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TemplatePatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationScopeIds {
    pub organization_scope_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceScopeIds {
    pub scope_ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    pub id: String,
    pub inviter_id: Option<String>,
    pub invitee: String,
    pub accepted_user_id: Option<String>,
    pub organization_id: String,
    /// `Pending`, `Accepted`, `Expired` or `Revoked`.
    pub status: &'static str,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
    pub organization_roles: Vec<RoleRef>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInvitation {
    pub inviter_id: Option<String>,
    /// The email address invited.
    pub invitee: String,
    pub organization_id: String,
    /// Milliseconds since the epoch; at most 90 days away (default: 7 days).
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub organization_role_ids: Vec<String>,
    /// `false` (the default): no mail; an object: the invitation is mailed, with its `link`
    /// if given (the app's own acceptance page) or else Latchkey's, in `locale` (`en`, `fr`).
    #[schema(value_type = Option<Object>)]
    pub message_payload: Option<Value>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusChange {
    /// `Accepted` or `Revoked`.
    pub status: String,
    /// With `Accepted`: the user who joins (their primary email must be the invitee).
    pub accepted_user_id: Option<String>,
}
