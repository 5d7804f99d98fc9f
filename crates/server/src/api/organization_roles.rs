//! `/api/organization-roles`: the organization template's roles, and the organization
//! scopes and API scopes each holds.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_store::organization_roles::Template;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::{ListQuery, ProblemDetails};
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::organization_template::{
    self as template, NewOrganizationRole, OrganizationRoleView, OrganizationRoleWithScopes,
    OrganizationScopeIds, OrganizationScopeView, ResourceScopeIds, TemplatePatch,
};
use crate::manage::resources::ScopeView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(scopes, add_scopes, replace_scopes))
        .routes(routes!(remove_scope))
        .routes(routes!(
            resource_scopes,
            add_resource_scopes,
            replace_resource_scopes
        ))
        .routes(routes!(remove_resource_scope))
}

#[utoipa::path(
    get,
    path = "/api/organization-roles",
    tag = "Organization roles",
    params(ListQuery, ("q" = Option<String>, Query, description = "Matches id, name or description")),
    responses((status = 200, body = [OrganizationRoleWithScopes], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let search = query_value(&pairs, "q").or(query_value(&pairs, "search"));
    let (found, total) = template::list_roles(&state, search, page(&pairs)?).await?;
    Ok(listed(found, total))
}

#[utoipa::path(
    post,
    path = "/api/organization-roles",
    tag = "Organization roles",
    request_body = NewOrganizationRole,
    responses((status = 201, body = OrganizationRoleView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewOrganizationRole>,
) -> Result<Response, Problem> {
    Ok(created(template::create_role(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/organization-roles/{id}",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    responses((status = 200, body = OrganizationRoleView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let role = template::find_role(&state, &id).await?;
    Ok(axum::Json(OrganizationRoleView::from(role)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/organization-roles/{id}",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    request_body = TemplatePatch,
    responses((status = 200, body = OrganizationRoleView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<TemplatePatch>,
) -> Result<Response, Problem> {
    let changed = template::update_role(&state, &actor, &id, patch).await?;
    Ok(axum::Json(changed).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/organization-roles/{id}",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    template::delete(&state, &actor, (Template::Roles, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/organization-roles/{id}/scopes",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    responses((status = 200, body = [OrganizationScopeView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    template::find_role(&state, &id).await?;
    let held = state.db.find_organization_role_scopes(&id).await?;
    let views: Vec<OrganizationScopeView> = held.into_iter().map(Into::into).collect();
    Ok(axum::Json(views).into_response())
}

#[utoipa::path(
    post,
    path = "/api/organization-roles/{id}/scopes",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    request_body = OrganizationScopeIds,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OrganizationScopeIds>,
) -> Result<StatusCode, Problem> {
    let ids = (false, input.organization_scope_ids.as_slice());
    template::set_role_scopes(&state, &actor, &id, ids, false).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    put,
    path = "/api/organization-roles/{id}/scopes",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    request_body = OrganizationScopeIds,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn replace_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<OrganizationScopeIds>,
) -> Result<StatusCode, Problem> {
    let ids = (false, input.organization_scope_ids.as_slice());
    template::set_role_scopes(&state, &actor, &id, ids, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/organization-roles/{id}/scopes/{scope_id}",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id"), ("scope_id" = String, Path, description = "Organization scope id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    template::remove_role_scope(&state, &actor, &id, (false, &scope_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/organization-roles/{id}/resource-scopes",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    responses((status = 200, body = [ScopeView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn resource_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    template::find_role(&state, &id).await?;
    let held = state.db.find_organization_role_resource_scopes(&id).await?;
    let views: Vec<ScopeView> = held.into_iter().map(Into::into).collect();
    Ok(axum::Json(views).into_response())
}

#[utoipa::path(
    post,
    path = "/api/organization-roles/{id}/resource-scopes",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    request_body = ResourceScopeIds,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_resource_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ResourceScopeIds>,
) -> Result<StatusCode, Problem> {
    let ids = (true, input.scope_ids.as_slice());
    template::set_role_scopes(&state, &actor, &id, ids, false).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    put,
    path = "/api/organization-roles/{id}/resource-scopes",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id")),
    request_body = ResourceScopeIds,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn replace_resource_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ResourceScopeIds>,
) -> Result<StatusCode, Problem> {
    let ids = (true, input.scope_ids.as_slice());
    template::set_role_scopes(&state, &actor, &id, ids, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/organization-roles/{id}/resource-scopes/{scope_id}",
    tag = "Organization roles",
    params(("id" = String, Path, description = "Organization role id"), ("scope_id" = String, Path, description = "API scope id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_resource_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    template::remove_role_scope(&state, &actor, &id, (true, &scope_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
