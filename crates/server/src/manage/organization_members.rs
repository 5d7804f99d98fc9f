//! Who belongs to an organization, users and machine-to-machine applications, and the
//! organization roles each holds there, in Logto's shapes. A role's type must fit its holder
//! (`User` roles for users, `MachineToMachine` roles for applications); roles are given to
//! members only (`organization.require_membership`).

use latchkey_core::client::ApplicationType;
use latchkey_core::organization::OrganizationRole;
use latchkey_core::role::RoleType;
use latchkey_store::Page;
use latchkey_store::organization_members::Member;
use serde_json::json;

pub use super::organization_json::{
    ApplicationIds, MemberApplicationView, MemberUserView, RoleAssignment, UserIds, UsersRoles,
};
use super::organization_template::{OrganizationRoleView, OrganizationScopeView};
use super::organizations::{RoleRef, find as find_organization};
use super::{Actor, Error};
use crate::app::AppState;
use crate::audit;

fn require_membership() -> Error {
    Error::invalid(
        "organization.require_membership",
        "this user or application is not a member of the organization",
    )
}

/// What a member is called in the audit log.
fn target(member: Member<'_>) -> (&'static str, String) {
    match member {
        Member::User(id) => ("user", id.to_owned()),
        Member::Application(id) => ("application", id.to_owned()),
    }
}

/// Make `ids` members (`replace`: and only them); users must exist, applications must exist
/// and be machine-to-machine ones.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    organization_id: &str,
    ids: Vec<Member<'_>>,
    replace: Option<Member<'_>>,
) -> Result<(), Error> {
    find_organization(state, organization_id).await?;
    for member in &ids {
        if let Member::Application(id) = member {
            let app = super::applications::find(state, id).await?;
            if app.app_type != ApplicationType::MachineToMachine {
                return Err(Error::invalid(
                    "application.type_not_allowed",
                    "only machine-to-machine applications can be members of an organization",
                )
                .with_field("applicationIds"));
            }
        }
    }
    let now = state.clock.now_ms();
    let added: Vec<(&str, String)> = ids.iter().map(|m| target(*m)).collect();
    state
        .db
        .add_members(organization_id, ids, replace, now)
        .await
        .map_err(|e| match e {
            latchkey_store::Error::Missing => Error::invalid(
                "entity.relation_foreign_key_not_found",
                "one of these users does not exist",
            ),
            other => other.into(),
        })?;
    let action = match replace {
        Some(_) => "organization.members_replace",
        None => "organization.members_add",
    };
    let details = json!({"members": added});
    audit::write_now(
        state,
        actor,
        action,
        ("organization", organization_id),
        details,
    )
    .await;
    Ok(())
}

pub async fn remove(
    state: &AppState,
    actor: &Actor,
    organization_id: &str,
    member: Member<'_>,
) -> Result<(), Error> {
    find_organization(state, organization_id).await?;
    state
        .db
        .remove_member(organization_id, member)
        .await
        .map_err(|e| Error::from(e).named("member"))?;
    let details = json!({"member": target(member)});
    let at = ("organization", organization_id);
    audit::write_now(state, actor, "organization.member_remove", at, details).await;
    Ok(())
}

/// A page of member users with their roles; `role_id`: only those holding it.
pub async fn users(
    state: &AppState,
    organization_id: &str,
    (search, role_id): (Option<&str>, Option<&str>),
    page: Page,
) -> Result<(Vec<MemberUserView>, i64), Error> {
    find_organization(state, organization_id).await?;
    let (users, total) = state
        .db
        .list_organization_users(organization_id, search, role_id, page)
        .await?;
    let ids: Vec<Member<'_>> = users.iter().map(|u| Member::User(&u.id)).collect();
    let roles = state.db.find_members_roles(organization_id, &ids).await?;
    let views = users
        .into_iter()
        .map(|user| MemberUserView {
            organization_roles: roles_of(&roles, &user.id),
            user: user.into(),
        })
        .collect();
    Ok((views, total))
}

/// Every member application with its roles.
pub async fn applications(
    state: &AppState,
    organization_id: &str,
) -> Result<Vec<MemberApplicationView>, Error> {
    find_organization(state, organization_id).await?;
    let ids = state
        .db
        .list_organization_applications(organization_id)
        .await?;
    let members: Vec<Member<'_>> = ids.iter().map(|id| Member::Application(id)).collect();
    let roles = state
        .db
        .find_members_roles(organization_id, &members)
        .await?;
    let mut views = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(app) = state.db.find_application(id).await? {
            views.push(MemberApplicationView {
                organization_roles: roles_of(&roles, id),
                application: app.into(),
            });
        }
    }
    Ok(views)
}

fn roles_of(roles: &[(String, OrganizationRole)], member_id: &str) -> Vec<RoleRef> {
    roles
        .iter()
        .filter(|(id, _)| id == member_id)
        .map(|(_, role)| RoleRef::from(role.clone()))
        .collect()
}

/// The roles a member holds in the organization.
pub async fn roles(
    state: &AppState,
    organization_id: &str,
    member: Member<'_>,
) -> Result<Vec<OrganizationRoleView>, Error> {
    member_of(state, organization_id, member).await?;
    let roles = state
        .db
        .find_members_roles(organization_id, &[member])
        .await?;
    Ok(roles.into_iter().map(|(_, r)| r.into()).collect())
}

/// The organization scopes a member's roles hold there.
pub async fn scopes(
    state: &AppState,
    organization_id: &str,
    member: Member<'_>,
) -> Result<Vec<OrganizationScopeView>, Error> {
    member_of(state, organization_id, member).await?;
    let held = state.db.find_member_scopes(organization_id, member).await?;
    Ok(held
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect())
}

async fn member_of(
    state: &AppState,
    organization_id: &str,
    member: Member<'_>,
) -> Result<(), Error> {
    find_organization(state, organization_id).await?;
    match state.db.find_membership(organization_id, member).await? {
        true => Ok(()),
        false => Err(require_membership()),
    }
}

/// Give `members` roles (`replace`: exactly these), after checking each is a member and
/// each role exists and fits it.
pub async fn give_roles(
    state: &AppState,
    actor: &Actor,
    organization_id: &str,
    members: &[Member<'_>],
    (assignment, replace): (RoleAssignment, bool),
) -> Result<(), Error> {
    for member in members {
        member_of(state, organization_id, *member).await?;
    }
    let mut role_ids = assignment.organization_role_ids;
    let named = state
        .db
        .find_organization_roles_named(&assignment.organization_role_names)
        .await?;
    if named.len() != assignment.organization_role_names.len() {
        return Err(unknown_role("organizationRoleNames"));
    }
    role_ids.extend(named.into_iter().map(|r| r.id));
    for role_id in &role_ids {
        let role = state.db.find_organization_role(role_id).await?;
        let role = role.ok_or_else(|| unknown_role("organizationRoleIds"))?;
        for member in members {
            let fits = match member {
                Member::User(_) => role.role_type == RoleType::User,
                Member::Application(_) => role.role_type == RoleType::MachineToMachine,
            };
            if !fits {
                return Err(Error::invalid(
                    "organization.role_type_mismatch",
                    format!("the role {} is not for this kind of member", role.name),
                )
                .with_field("organizationRoleIds"));
            }
        }
    }
    for member in members {
        state
            .db
            .set_member_roles(organization_id, *member, &role_ids, replace)
            .await?;
    }
    let details = json!({"members": members.iter().map(|m| target(*m)).collect::<Vec<_>>(), "roles": role_ids});
    let at = ("organization", organization_id);
    audit::write_now(state, actor, "organization.member_roles", at, details).await;
    Ok(())
}

fn unknown_role(field: &'static str) -> Error {
    Error::invalid(
        "organization.role_not_found",
        "an organization role does not exist",
    )
    .with_field(field)
}

pub async fn take_role(
    state: &AppState,
    actor: &Actor,
    organization_id: &str,
    member: Member<'_>,
    role_id: &str,
) -> Result<(), Error> {
    member_of(state, organization_id, member).await?;
    state
        .db
        .remove_member_role(organization_id, member, role_id)
        .await
        .map_err(|e| Error::from(e).named("organization role"))?;
    let details = json!({"member": target(member), "role": role_id});
    let at = ("organization", organization_id);
    audit::write_now(state, actor, "organization.member_role_remove", at, details).await;
    Ok(())
}
