//! `/api/organizations/{id}/applications`: the machine-to-machine applications of an
//! organization, and the organization roles each holds there.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_store::organization_members::Member;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, listed};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::organization_members::{
    self as members, ApplicationIds, MemberApplicationView, RoleAssignment,
};
use crate::manage::organization_template::OrganizationRoleView;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(
            list_applications,
            add_applications,
            replace_applications
        ))
        .routes(routes!(remove_application))
        .routes(routes!(
            application_roles,
            add_application_roles,
            replace_application_roles
        ))
        .routes(routes!(remove_application_role))
}

#[utoipa::path(
    get,
    path = "/api/organizations/{id}/applications",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id")),
    responses((status = 200, body = [MemberApplicationView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_applications(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let found = members::applications(&state, &id).await?;
    let total = found.len() as i64;
    Ok(listed(found, total))
}

#[utoipa::path(
    post,
    path = "/api/organizations/{id}/applications",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id")),
    request_body = ApplicationIds,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_applications(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ApplicationIds>,
) -> Result<StatusCode, Problem> {
    let apps = input
        .application_ids
        .iter()
        .map(|a| Member::Application(a))
        .collect();
    members::add(&state, &actor, &id, apps, None).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    put,
    path = "/api/organizations/{id}/applications",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id")),
    request_body = ApplicationIds,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn replace_applications(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ApplicationIds>,
) -> Result<StatusCode, Problem> {
    let apps = input
        .application_ids
        .iter()
        .map(|a| Member::Application(a))
        .collect();
    members::add(&state, &actor, &id, apps, Some(Member::Application(""))).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/organizations/{id}/applications/{application_id}",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("application_id" = String, Path, description = "Application id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_application(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, app_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    members::remove(&state, &actor, &id, Member::Application(&app_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/organizations/{id}/applications/{application_id}/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("application_id" = String, Path, description = "Application id")),
    responses((status = 200, body = [OrganizationRoleView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn application_roles(
    State(state): State<AppState>,
    _: Caller,
    Path((id, app_id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let roles = members::roles(&state, &id, Member::Application(&app_id)).await?;
    Ok(axum::Json(roles).into_response())
}

#[utoipa::path(
    post,
    path = "/api/organizations/{id}/applications/{application_id}/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("application_id" = String, Path, description = "Application id")),
    request_body = RoleAssignment,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_application_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, app_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RoleAssignment>,
) -> Result<StatusCode, Problem> {
    let app = [Member::Application(&app_id)];
    members::give_roles(&state, &actor, &id, &app, (input, false)).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    put,
    path = "/api/organizations/{id}/applications/{application_id}/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("application_id" = String, Path, description = "Application id")),
    request_body = RoleAssignment,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn replace_application_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, app_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RoleAssignment>,
) -> Result<StatusCode, Problem> {
    let app = [Member::Application(&app_id)];
    members::give_roles(&state, &actor, &id, &app, (input, true)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/organizations/{id}/applications/{application_id}/roles/{role_id}",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("application_id" = String, Path, description = "Application id"), ("role_id" = String, Path, description = "Organization role id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_application_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, app_id, role_id)): Path<(String, String, String)>,
) -> Result<StatusCode, Problem> {
    members::take_role(&state, &actor, &id, Member::Application(&app_id), &role_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
