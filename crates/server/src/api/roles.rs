//! `/api/roles`: roles and the scopes they grant.

use super::openapi::ListQuery;
use crate::manage::roles::RoleScopeView;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::roles::{self as roles, NewRole, RolePatch, RoleView, ScopeIds};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(list_scopes, add_scopes))
        .routes(routes!(remove_scope))
}

#[utoipa::path(
    get,
    path = "/api/roles",
    tag = "Roles",
    params(ListQuery),
    responses((status = 200, body = [RoleView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let (found, total) = state
        .db
        .list_roles(query_value(&pairs, "search"), page(&pairs)?)
        .await?;
    Ok(listed(
        found.into_iter().map(RoleView::from).collect(),
        total,
    ))
}

#[utoipa::path(
    post,
    path = "/api/roles",
    tag = "Roles",
    request_body = NewRole,
    responses((status = 201, body = RoleView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewRole>,
) -> Result<Response, Problem> {
    Ok(created(roles::create(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/roles/{id}",
    tag = "Roles",
    params(("id" = String, Path, description = "Role id")),
    responses((status = 200, body = RoleView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(RoleView::from(roles::find(&state, &id).await?)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/roles/{id}",
    tag = "Roles",
    params(("id" = String, Path, description = "Role id")),
    request_body = RolePatch,
    responses((status = 200, body = RoleView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<RolePatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(roles::update(&state, &actor, &id, patch).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/roles/{id}",
    tag = "Roles",
    params(("id" = String, Path, description = "Role id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    roles::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/roles/{id}/scopes",
    tag = "Roles",
    params(("id" = String, Path, description = "Role id")),
    responses((status = 200, body = [RoleScopeView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(roles::scopes(&state, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/roles/{id}/scopes",
    tag = "Roles",
    params(("id" = String, Path, description = "Role id")),
    request_body = ScopeIds,
    responses((status = 201, body = [RoleScopeView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ScopeIds>,
) -> Result<Response, Problem> {
    Ok(created(
        roles::add_scopes(&state, &actor, &id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/api/roles/{id}/scopes/{scope_id}",
    tag = "Roles",
    params(("id" = String, Path, description = "Role id"), ("scope_id" = String, Path, description = "Scope id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    roles::remove_scope(&state, &actor, &id, &scope_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
