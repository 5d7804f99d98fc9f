//! `/api/resources`: API resources and their scopes.

use super::openapi::ListQuery;
use crate::manage::protected_resource::{self, ProtectedResourceMetadata};
use crate::manage::resources::ScopeView;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::resources::{
    self as resources, NewResource, NewScope, ResourcePatch, ResourceView, ScopePatch,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(protected_resource_metadata))
        .routes(routes!(list_scopes, create_scope))
        .routes(routes!(update_scope, delete_scope))
}

#[utoipa::path(
    get,
    path = "/api/resources",
    tag = "API resources",
    params(ListQuery),
    responses((status = 200, body = [ResourceView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
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
        .list_resources(query_value(&pairs, "search"), page(&pairs)?)
        .await?;
    Ok(listed(
        found.into_iter().map(ResourceView::from).collect(),
        total,
    ))
}

#[utoipa::path(
    post,
    path = "/api/resources",
    tag = "API resources",
    request_body = NewResource,
    responses((status = 201, body = ResourceView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewResource>,
) -> Result<Response, Problem> {
    Ok(created(resources::create(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/resources/{id}",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id")),
    responses((status = 200, body = ResourceView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(ResourceView::from(resources::find(&state, &id).await?)).into_response())
}

/// RFC 9728: the JSON the API's own server should publish at
/// `/.well-known/oauth-protected-resource`.
#[utoipa::path(
    get,
    path = "/api/resources/{id}/protected-resource-metadata",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id")),
    responses((status = 200, body = ProtectedResourceMetadata), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn protected_resource_metadata(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let metadata = protected_resource::metadata(&state, &id).await?;
    Ok(axum::Json(metadata).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/resources/{id}",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id")),
    request_body = ResourcePatch,
    responses((status = 200, body = ResourceView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ResourcePatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(resources::update(&state, &actor, &id, patch).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/resources/{id}",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    resources::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/resources/{id}/scopes",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id")),
    responses((status = 200, body = [ScopeView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(resources::list_scopes(&state, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/resources/{id}/scopes",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id")),
    request_body = NewScope,
    responses((status = 201, body = ScopeView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewScope>,
) -> Result<Response, Problem> {
    Ok(created(
        resources::create_scope(&state, &actor, &id, input).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/api/resources/{id}/scopes/{scope_id}",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id"), ("scope_id" = String, Path, description = "Scope id")),
    request_body = ScopePatch,
    responses((status = 200, body = ScopeView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<ScopePatch>,
) -> Result<Response, Problem> {
    Ok(
        axum::Json(resources::update_scope(&state, &actor, &id, &scope_id, patch).await?)
            .into_response(),
    )
}

#[utoipa::path(
    delete,
    path = "/api/resources/{id}/scopes/{scope_id}",
    tag = "API resources",
    params(("id" = String, Path, description = "API resource id"), ("scope_id" = String, Path, description = "Scope id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn delete_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    resources::delete_scope(&state, &actor, &id, &scope_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
