//! `/api/organizations` and `/api/users/{id}/organizations`: organizations themselves.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::{ListQuery, ProblemDetails};
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::organization_consent::{self, OrganizationIds};
use crate::manage::organizations::{
    self as organizations, NewOrganization, OrganizationPatch, OrganizationView,
    UserOrganizationView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(of_user))
        .routes(routes!(consented, share, add_shared))
        .routes(routes!(take_back))
}

#[utoipa::path(
    get,
    path = "/api/organizations",
    tag = "Organizations",
    params(ListQuery, ("q" = Option<String>, Query, description = "Matches id, name or description"), ("showFeatured" = Option<bool>, Query, description = "Add usersCount and a few featuredUsers")),
    responses((status = 200, body = [OrganizationView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let search = query_value(&pairs, "q").or(query_value(&pairs, "search"));
    let featured = query_value(&pairs, "showFeatured") == Some("true");
    let (found, total) = organizations::list(&state, search, page(&pairs)?, featured).await?;
    Ok(listed(found, total))
}

#[utoipa::path(
    post,
    path = "/api/organizations",
    tag = "Organizations",
    request_body = NewOrganization,
    responses((status = 201, body = OrganizationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewOrganization>,
) -> Result<Response, Problem> {
    Ok(created(organizations::create(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/organizations/{id}",
    tag = "Organizations",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = OrganizationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let org = organizations::find(&state, &id).await?;
    Ok(axum::Json(OrganizationView::from(org)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/organizations/{id}",
    tag = "Organizations",
    params(("id" = String, Path, description = "Organization id")),
    request_body = OrganizationPatch,
    responses((status = 200, body = OrganizationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<OrganizationPatch>,
) -> Result<Response, Problem> {
    let view = organizations::update(&state, &actor, &id, patch).await?;
    Ok(axum::Json(view).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/organizations/{id}",
    tag = "Organizations",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    organizations::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/users/{id}/organizations",
    tag = "Organizations",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = [UserOrganizationView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn of_user(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(organizations::of_user(&state, &id).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/applications/{id}/users/{user_id}/consent-organizations",
    tag = "Organizations",
    params(("id" = String, Path, description = "Application id"), ("user_id" = String, Path, description = "User id")),
    responses((status = 200, body = [OrganizationView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn consented(
    State(state): State<AppState>,
    _: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let chosen = organization_consent::chosen(&state, &id, &user_id).await?;
    Ok(axum::Json(chosen).into_response())
}

#[utoipa::path(
    put,
    path = "/api/applications/{id}/users/{user_id}/consent-organizations",
    tag = "Organizations",
    params(("id" = String, Path, description = "Application id"), ("user_id" = String, Path, description = "User id")),
    request_body = OrganizationIds,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn share(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<OrganizationIds>,
) -> Result<StatusCode, Problem> {
    let at = (id.as_str(), user_id.as_str());
    organization_consent::share(&state, &actor, at, &input.organization_ids, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/applications/{id}/users/{user_id}/consent-organizations",
    tag = "Organizations",
    params(("id" = String, Path, description = "Application id"), ("user_id" = String, Path, description = "User id")),
    request_body = OrganizationIds,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_shared(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<OrganizationIds>,
) -> Result<StatusCode, Problem> {
    let at = (id.as_str(), user_id.as_str());
    organization_consent::share(&state, &actor, at, &input.organization_ids, false).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    delete,
    path = "/api/applications/{id}/users/{user_id}/consent-organizations/{organization_id}",
    tag = "Organizations",
    params(("id" = String, Path, description = "Application id"), ("user_id" = String, Path, description = "User id"), ("organization_id" = String, Path, description = "Organization id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn take_back(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id, organization_id)): Path<(String, String, String)>,
) -> Result<StatusCode, Problem> {
    let at = (id.as_str(), user_id.as_str());
    organization_consent::take_back(&state, &actor, at, &organization_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
