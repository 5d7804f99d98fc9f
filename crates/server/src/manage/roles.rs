//! Roles, the scopes they grant, and their assignment to users and machine applications.

use latchkey_core::registration::{self as rules};
use latchkey_core::role::{Role, RoleType};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Actor;
use super::Error;
use super::applications::not_found_as;
use super::resources::ScopeView;
use crate::app::AppState;
use crate::audit;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleView {
    pub id: String,
    pub name: String,
    pub description: String,
    #[serde(rename = "type")]
    pub role_type: &'static str,
    pub is_read_only: bool,
    pub created_at: i64,
}

impl From<Role> for RoleView {
    fn from(r: Role) -> Self {
        Self {
            is_read_only: r.is_builtin(),
            role_type: r.role_type.as_str(),
            id: r.id,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRole {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(rename = "type")]
    pub role_type: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RolePatch {
    pub name: Option<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopeIds {
    pub scope_ids: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleIds {
    pub role_ids: Vec<String>,
}

/// A scope a role grants, with the API it belongs to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleScopeView {
    #[serde(flatten)]
    pub scope: ScopeView,
    pub resource: ResourceRef,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceRef {
    pub id: String,
    pub name: String,
    pub indicator: String,
}

fn read_only() -> Error {
    Error::refused("role.read_only", "built-in roles cannot be changed")
}

fn name_conflict(e: latchkey_store::Error) -> Error {
    match e {
        latchkey_store::Error::Conflict => {
            Error::conflict("role.name_exists", "another role has this name").with_field("name")
        }
        other => other.into(),
    }
}

pub async fn find(state: &AppState, id: &str) -> Result<Role, Error> {
    state
        .db
        .find_role(id)
        .await?
        .ok_or_else(|| Error::NotFound("role"))
}

async fn writable(state: &AppState, id: &str) -> Result<Role, Error> {
    let role = find(state, id).await?;
    match role.is_builtin() {
        true => Err(read_only()),
        false => Ok(role),
    }
}

pub async fn create(state: &AppState, actor: &Actor, input: NewRole) -> Result<RoleView, Error> {
    let role_type = match input.role_type.as_deref() {
        None => RoleType::User,
        Some(t) => RoleType::parse(t).ok_or_else(|| {
            Error::invalid("role.invalid_type", "type must be User or MachineToMachine")
                .with_field("type")
        })?,
    };
    let role = Role {
        id: latchkey_core::random::id(),
        name: rules::check_name("name", &input.name)?,
        description: rules::check_description("description", Some(&input.description))?
            .unwrap_or_default(),
        role_type,
        created_at: state.clock.now_ms(),
    };
    state.db.insert_role(&role).await.map_err(name_conflict)?;
    audit::write_now(
        state,
        actor,
        "role.create",
        ("role", &role.id),
        json!({"name": role.name, "type": role_type.as_str()}),
    )
    .await;
    Ok(role.into())
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: RolePatch,
) -> Result<RoleView, Error> {
    let mut role = writable(state, id).await?;
    if let Some(name) = &patch.name {
        role.name = rules::check_name("name", name)?;
    }
    if let Some(description) = &patch.description {
        role.description =
            rules::check_description("description", Some(description))?.unwrap_or_default();
    }
    state.db.update_role(&role).await.map_err(name_conflict)?;
    audit::write_now(state, actor, "role.update", ("role", id), json!({})).await;
    Ok(role.into())
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    writable(state, id).await?;
    state
        .db
        .delete_role(id)
        .await
        .map_err(|e| not_found_as(e, "role"))?;
    audit::write_now(state, actor, "role.delete", ("role", id), json!({})).await;
    Ok(())
}

pub async fn scopes(state: &AppState, id: &str) -> Result<Vec<RoleScopeView>, Error> {
    let role = find(state, id).await?;
    let mut views = Vec::new();
    for scope in state.db.find_role_scopes(&role.id).await? {
        let resource = super::resources::find(state, &scope.resource_id).await?;
        views.push(RoleScopeView {
            scope: scope.into(),
            resource: ResourceRef {
                id: resource.id,
                name: resource.name,
                indicator: resource.indicator,
            },
        });
    }
    Ok(views)
}

pub async fn add_scopes(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ScopeIds,
) -> Result<Vec<RoleScopeView>, Error> {
    let role = writable(state, id).await?;
    for (i, scope_id) in input.scope_ids.iter().enumerate() {
        if state.db.find_scope(scope_id).await?.is_none() {
            return Err(Error::invalid(
                "scope.not_found",
                format!("scope {scope_id} does not exist"),
            )
            .with_field(format!("scopeIds[{i}]")));
        }
    }
    state.db.add_role_scopes(&role.id, &input.scope_ids).await?;
    audit::write_now(
        state,
        actor,
        "role.scopes.add",
        ("role", id),
        json!({"scopeIds": input.scope_ids}),
    )
    .await;
    scopes(state, id).await
}

pub async fn remove_scope(
    state: &AppState,
    actor: &Actor,
    id: &str,
    scope_id: &str,
) -> Result<(), Error> {
    writable(state, id).await?;
    state
        .db
        .remove_role_scope(id, scope_id)
        .await
        .map_err(|e| not_found_as(e, "scope"))?;
    audit::write_now(
        state,
        actor,
        "role.scopes.remove",
        ("role", id),
        json!({"scopeId": scope_id}),
    )
    .await;
    Ok(())
}
