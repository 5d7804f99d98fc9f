//! API resources and their scopes. The management API's own resource is read-only.

use std::collections::BTreeMap;

use latchkey_core::registration::{self as rules};
use latchkey_core::resource::{Resource, Scope};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Actor;
use super::Error;
use super::applications::not_found_as;
use crate::app::AppState;
use crate::audit;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceView {
    pub id: String,
    pub name: String,
    pub indicator: String,
    pub access_token_ttl: i64,
    /// The management API's resource: visible, never changed through the API.
    pub is_read_only: bool,
    pub created_at: i64,
}

impl From<Resource> for ResourceView {
    fn from(r: Resource) -> Self {
        Self {
            id: r.id,
            name: r.name,
            indicator: r.indicator,
            access_token_ttl: r.access_token_ttl,
            is_read_only: r.is_management,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeView {
    pub id: String,
    pub resource_id: String,
    pub name: String,
    pub description: String,
    /// The description in other languages, by language tag: `{"fr": "Lire vos documents"}`.
    pub descriptions: BTreeMap<String, String>,
    pub created_at: i64,
}

impl From<Scope> for ScopeView {
    fn from(s: Scope) -> Self {
        Self {
            id: s.id,
            resource_id: s.resource_id,
            name: s.name,
            description: s.description,
            descriptions: s.descriptions,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewResource {
    pub name: String,
    pub indicator: String,
    pub access_token_ttl: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourcePatch {
    pub name: Option<String>,
    pub access_token_ttl: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewScope {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// The description in other languages, by language tag (`fr`); consent pages in that
    /// language show it instead.
    #[serde(default)]
    pub descriptions: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScopePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Replaces every per-language description.
    pub descriptions: Option<BTreeMap<String, String>>,
}

fn read_only() -> Error {
    Error::refused(
        "resource.read_only",
        "the management API's resource cannot be changed",
    )
}

pub async fn find(state: &AppState, id: &str) -> Result<Resource, Error> {
    state
        .db
        .find_resource(id)
        .await?
        .ok_or_else(|| Error::NotFound("resource"))
}

async fn writable(state: &AppState, id: &str) -> Result<Resource, Error> {
    let resource = find(state, id).await?;
    match resource.is_management {
        true => Err(read_only()),
        false => Ok(resource),
    }
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewResource,
) -> Result<ResourceView, Error> {
    rules::check_indicator(&input.indicator)?;
    let ttl = input
        .access_token_ttl
        .unwrap_or(latchkey_core::lifetimes::API_ACCESS_TOKEN_DEFAULT_SECS);
    rules::check_access_token_ttl(ttl)?;
    let resource = Resource {
        id: latchkey_core::random::id(),
        name: rules::check_name("name", &input.name)?,
        indicator: input.indicator,
        access_token_ttl: ttl,
        is_management: false,
        created_at: state.clock.now_ms(),
    };
    state
        .db
        .insert_resource(&resource)
        .await
        .map_err(|e| match e {
            latchkey_store::Error::Conflict => Error::conflict(
                "resource.indicator_exists",
                "another API resource has this indicator",
            )
            .with_field("indicator"),
            other => other.into(),
        })?;
    audit::write_now(
        state,
        actor,
        "resource.create",
        ("resource", &resource.id),
        json!({"indicator": resource.indicator}),
    )
    .await;
    Ok(resource.into())
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: ResourcePatch,
) -> Result<ResourceView, Error> {
    let mut resource = writable(state, id).await?;
    if let Some(name) = &patch.name {
        resource.name = rules::check_name("name", name)?;
    }
    if let Some(ttl) = patch.access_token_ttl {
        rules::check_access_token_ttl(ttl)?;
        resource.access_token_ttl = ttl;
    }
    state.db.update_resource(&resource).await?;
    audit::write_now(state, actor, "resource.update", ("resource", id), json!({})).await;
    Ok(resource.into())
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    writable(state, id).await?;
    state
        .db
        .delete_resource(id)
        .await
        .map_err(|e| not_found_as(e, "resource"))?;
    audit::write_now(state, actor, "resource.delete", ("resource", id), json!({})).await;
    Ok(())
}

pub async fn list_scopes(state: &AppState, resource_id: &str) -> Result<Vec<ScopeView>, Error> {
    let resource = find(state, resource_id).await?;
    Ok(state
        .db
        .list_scopes(&resource.id)
        .await?
        .into_iter()
        .map(ScopeView::from)
        .collect())
}

fn scope_conflict(e: latchkey_store::Error) -> Error {
    match e {
        latchkey_store::Error::Conflict => Error::conflict(
            "scope.name_exists",
            "this resource already has a scope of that name",
        )
        .with_field("name"),
        other => other.into(),
    }
}

pub async fn create_scope(
    state: &AppState,
    actor: &Actor,
    resource_id: &str,
    input: NewScope,
) -> Result<ScopeView, Error> {
    let resource = writable(state, resource_id).await?;
    rules::check_scope_name(&input.name)?;
    let scope = Scope {
        id: latchkey_core::random::id(),
        resource_id: resource.id,
        name: input.name,
        description: rules::check_description("description", Some(&input.description))?
            .unwrap_or_default(),
        descriptions: rules::check_descriptions("descriptions", &input.descriptions)?,
        created_at: state.clock.now_ms(),
    };
    state
        .db
        .insert_scope(&scope)
        .await
        .map_err(scope_conflict)?;
    audit::write_now(
        state,
        actor,
        "scope.create",
        ("scope", &scope.id),
        json!({"name": scope.name, "resourceId": scope.resource_id}),
    )
    .await;
    Ok(scope.into())
}

async fn find_scope(state: &AppState, resource_id: &str, scope_id: &str) -> Result<Scope, Error> {
    state
        .db
        .find_scope(scope_id)
        .await?
        .filter(|s| s.resource_id == resource_id)
        .ok_or_else(|| Error::NotFound("scope"))
}

pub async fn update_scope(
    state: &AppState,
    actor: &Actor,
    resource_id: &str,
    scope_id: &str,
    patch: ScopePatch,
) -> Result<ScopeView, Error> {
    writable(state, resource_id).await?;
    let mut scope = find_scope(state, resource_id, scope_id).await?;
    if let Some(name) = patch.name {
        rules::check_scope_name(&name)?;
        scope.name = name;
    }
    if let Some(description) = patch.description {
        scope.description =
            rules::check_description("description", Some(&description))?.unwrap_or_default();
    }
    if let Some(descriptions) = patch.descriptions {
        scope.descriptions = rules::check_descriptions("descriptions", &descriptions)?;
    }
    state
        .db
        .update_scope(&scope)
        .await
        .map_err(scope_conflict)?;
    audit::write_now(state, actor, "scope.update", ("scope", scope_id), json!({})).await;
    Ok(scope.into())
}

pub async fn delete_scope(
    state: &AppState,
    actor: &Actor,
    resource_id: &str,
    scope_id: &str,
) -> Result<(), Error> {
    writable(state, resource_id).await?;
    state
        .db
        .delete_scope(resource_id, scope_id)
        .await
        .map_err(|e| not_found_as(e, "scope"))?;
    audit::write_now(state, actor, "scope.delete", ("scope", scope_id), json!({})).await;
    Ok(())
}
