//! `/api/applications/{id}/user-consent-scopes` and `/sign-in-experience`: what a third-party
//! application may ask for, and how its consent page looks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::third_party::{
    self, ConsentScopesInput, ConsentScopesView, SignInExperienceView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_scopes, add_scopes))
        .routes(routes!(remove_scope))
        .routes(routes!(show_experience, put_experience))
}

#[utoipa::path(
    get,
    path = "/api/applications/{id}/user-consent-scopes",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ConsentScopesView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(third_party::scopes(&state, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/applications/{id}/user-consent-scopes",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    request_body = ConsentScopesInput,
    responses((status = 201, body = ConsentScopesView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ConsentScopesInput>,
) -> Result<Response, Problem> {
    Ok(created(
        third_party::add_scopes(&state, &actor, &id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/api/applications/{id}/user-consent-scopes/{scope_type}/{scope_id}",
    tag = "Applications",
    params(
        ("id" = String, Path, description = "Application id"),
        ("scope_type" = String, Path, description = "`user-scopes`, `resource-scopes`, `organization-scopes` or `organization-resource-scopes`"),
        ("scope_id" = String, Path, description = "A user scope's name, or a scope's id"),
    ),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_type, scope_id)): Path<(String, String, String)>,
) -> Result<StatusCode, Problem> {
    third_party::remove_scope(&state, &actor, &id, &scope_type, &scope_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/applications/{id}/sign-in-experience",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = SignInExperienceView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show_experience(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(third_party::experience(&state, &id).await?).into_response())
}

#[utoipa::path(
    put,
    path = "/api/applications/{id}/sign-in-experience",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    request_body = SignInExperienceView,
    responses((status = 200, body = SignInExperienceView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn put_experience(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SignInExperienceView>,
) -> Result<Response, Problem> {
    Ok(axum::Json(third_party::put_experience(&state, &actor, &id, input).await?).into_response())
}
