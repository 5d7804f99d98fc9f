//! The organization template, shared by every organization, in Logto's shapes: organization
//! scopes, and organization roles made of organization scopes and API scopes.

use latchkey_core::organization::{OrganizationRole, OrganizationScope};
use latchkey_core::registration::{self as rules};
use latchkey_core::role::RoleType;
use latchkey_store::Page;
use latchkey_store::organization_roles::Template;
use serde_json::json;

pub use super::organization_json::{
    NewOrganizationRole, NewOrganizationScope, OrganizationRoleView, OrganizationRoleWithScopes,
    OrganizationScopeIds, OrganizationScopeView, ResourceScopeIds, ResourceScopeRef, ScopeRef,
    TemplatePatch,
};
use super::{Actor, Error};
use crate::app::AppState;
use crate::audit;

fn name_taken(e: latchkey_store::Error) -> Error {
    match e {
        latchkey_store::Error::Conflict => {
            Error::conflict("organization.name_exists", "this name is taken").with_field("name")
        }
        latchkey_store::Error::Missing => {
            Error::invalid("scope.not_found", "a scope does not exist").with_field("scopeIds")
        }
        other => Error::from(other),
    }
}

pub async fn find_role(state: &AppState, id: &str) -> Result<OrganizationRole, Error> {
    let found = state.db.find_organization_role(id).await?;
    found.ok_or(Error::NotFound("organization role"))
}

pub async fn find_scope(state: &AppState, id: &str) -> Result<OrganizationScope, Error> {
    let found = state.db.find_organization_scope(id).await?;
    found.ok_or(Error::NotFound("organization scope"))
}

/// A role with what it holds.
pub async fn role_with_scopes(
    state: &AppState,
    role: OrganizationRole,
) -> Result<OrganizationRoleWithScopes, Error> {
    let scopes = state.db.find_organization_role_scopes(&role.id).await?;
    let mut resource_scopes = Vec::new();
    for scope in state
        .db
        .find_organization_role_resource_scopes(&role.id)
        .await?
    {
        let resource = super::resources::find(state, &scope.resource_id).await?;
        resource_scopes.push(ResourceScopeRef {
            id: scope.id,
            name: scope.name,
            resource: ScopeRef {
                id: resource.id,
                name: resource.name,
            },
        });
    }
    Ok(OrganizationRoleWithScopes {
        role: role.into(),
        scopes: scopes
            .into_iter()
            .map(|s| ScopeRef {
                id: s.id,
                name: s.name,
            })
            .collect(),
        resource_scopes,
    })
}

pub async fn list_roles(
    state: &AppState,
    search: Option<&str>,
    page: Page,
) -> Result<(Vec<OrganizationRoleWithScopes>, i64), Error> {
    let (roles, total) = state.db.list_organization_roles(search, page).await?;
    let mut views = Vec::with_capacity(roles.len());
    for role in roles {
        views.push(role_with_scopes(state, role).await?);
    }
    Ok((views, total))
}

pub async fn create_role(
    state: &AppState,
    actor: &Actor,
    input: NewOrganizationRole,
) -> Result<OrganizationRoleView, Error> {
    let role_type = match input.role_type.as_deref() {
        None => RoleType::User,
        Some(t) => RoleType::parse(t).ok_or_else(|| {
            Error::invalid("role.invalid_type", "type must be User or MachineToMachine")
                .with_field("type")
        })?,
    };
    refuse_management(state, &input.resource_scope_ids).await?;
    let role = OrganizationRole {
        id: latchkey_core::random::id(),
        name: rules::check_name("name", &input.name)?,
        description: rules::check_description("description", input.description.as_deref())?,
        role_type,
        created_at: state.clock.now_ms(),
    };
    state
        .db
        .insert_organization_role(&role)
        .await
        .map_err(name_taken)?;
    for (resource, ids) in [
        (false, &input.organization_scope_ids),
        (true, &input.resource_scope_ids),
    ] {
        if !ids.is_empty() {
            let set = state
                .db
                .set_organization_role_scopes(&role.id, (resource, ids), false);
            if let Err(e) = set.await {
                // A role with half its scopes is not what was asked for.
                state.db.delete_template(Template::Roles, &role.id).await?;
                return Err(name_taken(e));
            }
        }
    }
    let details = json!({"name": role.name, "type": role_type.as_str()});
    audit::write_now(
        state,
        actor,
        "organization_role.create",
        ("organization_role", &role.id),
        details,
    )
    .await;
    Ok(role.into())
}

pub async fn create_scope(
    state: &AppState,
    actor: &Actor,
    input: NewOrganizationScope,
) -> Result<OrganizationScopeView, Error> {
    rules::check_scope_name(&input.name)?;
    let scope = OrganizationScope {
        id: latchkey_core::random::id(),
        name: input.name,
        description: rules::check_description("description", input.description.as_deref())?,
        created_at: state.clock.now_ms(),
    };
    state
        .db
        .insert_organization_scope(&scope)
        .await
        .map_err(name_taken)?;
    let details = json!({"name": scope.name});
    audit::write_now(
        state,
        actor,
        "organization_scope.create",
        ("organization_scope", &scope.id),
        details,
    )
    .await;
    Ok(scope.into())
}

/// Rename or describe again a role; the role as it is now.
pub async fn update_role(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: TemplatePatch,
) -> Result<OrganizationRoleView, Error> {
    let mut role = find_role(state, id).await?;
    if let Some(name) = &patch.name {
        role.name = rules::check_name("name", name)?;
    }
    role.description = described(role.description, &patch)?;
    write(
        state,
        actor,
        (Template::Roles, id),
        (&role.name, &role.description),
    )
    .await?;
    Ok(role.into())
}

/// Rename or describe again a scope; the scope as it is now.
pub async fn update_scope(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: TemplatePatch,
) -> Result<OrganizationScopeView, Error> {
    let mut scope = find_scope(state, id).await?;
    if let Some(name) = &patch.name {
        rules::check_scope_name(name)?;
        scope.name = name.clone();
    }
    scope.description = described(scope.description, &patch)?;
    write(
        state,
        actor,
        (Template::Scopes, id),
        (&scope.name, &scope.description),
    )
    .await?;
    Ok(scope.into())
}

fn described(before: Option<String>, patch: &TemplatePatch) -> Result<Option<String>, Error> {
    match &patch.description {
        Some(d) => Ok(rules::check_description("description", d.as_deref())?),
        None => Ok(before),
    }
}

async fn write(
    state: &AppState,
    actor: &Actor,
    (part, id): (Template, &str),
    (name, description): (&str, &Option<String>),
) -> Result<(), Error> {
    let update = state
        .db
        .update_template(part, id, (name, description.as_deref()));
    update.await.map_err(name_taken)?;
    let (action, kind) = audit_names(part, Change::Update);
    audit::write_now(state, actor, action, (kind, id), json!({})).await;
    Ok(())
}

pub async fn delete(
    state: &AppState,
    actor: &Actor,
    (part, id): (Template, &str),
) -> Result<(), Error> {
    let (action, kind) = audit_names(part, Change::Delete);
    let what = match part {
        Template::Roles => "organization role",
        Template::Scopes => "organization scope",
    };
    state
        .db
        .delete_template(part, id)
        .await
        .map_err(|e| Error::from(e).named(what))?;
    audit::write_now(state, actor, action, (kind, id), json!({})).await;
    Ok(())
}

enum Change {
    Update,
    Delete,
}

/// The audit log's action and object kind for a change to `part`.
fn audit_names(part: Template, change: Change) -> (&'static str, &'static str) {
    match (part, change) {
        (Template::Roles, Change::Update) => ("organization_role.update", "organization_role"),
        (Template::Roles, Change::Delete) => ("organization_role.delete", "organization_role"),
        (Template::Scopes, Change::Update) => ("organization_scope.update", "organization_scope"),
        (Template::Scopes, Change::Delete) => ("organization_scope.delete", "organization_scope"),
    }
}

/// Give a role organization scopes (`resource: false`) or API scopes; `replace`: exactly
/// these.
pub async fn set_role_scopes(
    state: &AppState,
    actor: &Actor,
    role_id: &str,
    (resource, ids): (bool, &[String]),
    replace: bool,
) -> Result<(), Error> {
    find_role(state, role_id).await?;
    if resource {
        refuse_management(state, ids).await?;
    }
    let set = state
        .db
        .set_organization_role_scopes(role_id, (resource, ids), replace);
    set.await.map_err(name_taken)?;
    let details = json!({"scopes": ids, "api": resource, "replace": replace});
    audit::write_now(
        state,
        actor,
        "organization_role.scopes",
        ("organization_role", role_id),
        details,
    )
    .await;
    Ok(())
}

pub async fn remove_role_scope(
    state: &AppState,
    actor: &Actor,
    role_id: &str,
    (resource, scope_id): (bool, &str),
) -> Result<(), Error> {
    find_role(state, role_id).await?;
    state
        .db
        .remove_organization_role_scope(role_id, (resource, scope_id))
        .await
        .map_err(|e| Error::from(e).named("scope"))?;
    let details = json!({"scope": scope_id, "api": resource});
    audit::write_now(
        state,
        actor,
        "organization_role.scope_remove",
        ("organization_role", role_id),
        details,
    )
    .await;
    Ok(())
}

/// An organization role never holds the management API's scope: a token within one
/// organization must not administer them all.
async fn refuse_management(state: &AppState, scope_ids: &[String]) -> Result<(), Error> {
    for id in scope_ids {
        let scope = state.db.find_scope(id).await?;
        if scope.is_some_and(|s| s.resource_id == latchkey_core::resource::MANAGEMENT_RESOURCE_ID) {
            return Err(Error::invalid(
                "organization.management_scope",
                "an organization role cannot hold the management API's scope",
            )
            .with_field("resourceScopeIds"));
        }
    }
    Ok(())
}
