//! `/api/users`: users, their passwords (and recovery mail), suspension and roles.

use super::openapi::ListQuery;
use crate::manage::roles::RoleView;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::assignments;
use crate::manage::roles::RoleIds;
use crate::manage::users::{
    self as users, NewUser, PasswordInput, SuspensionInput, UserPatch, UserView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(set_password))
        .routes(routes!(password_reset_email))
        .routes(routes!(set_suspended))
        .routes(routes!(list_roles, add_roles))
        .routes(routes!(remove_role))
}

#[utoipa::path(
    get,
    path = "/api/users",
    tag = "Users",
    params(ListQuery),
    responses((status = 200, body = [UserView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
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
        .list_users(query_value(&pairs, "search"), page(&pairs)?)
        .await?;
    Ok(listed(
        found.into_iter().map(UserView::from).collect(),
        total,
    ))
}

#[utoipa::path(
    post,
    path = "/api/users",
    tag = "Users",
    request_body = NewUser,
    responses((status = 201, body = UserView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewUser>,
) -> Result<Response, Problem> {
    Ok(created(users::create(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/users/{id}",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(UserView::from(users::find(&state, &id).await?)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/users/{id}",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    request_body = UserPatch,
    responses((status = 200, body = UserView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(users::update(&state, &actor, &id, patch).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/users/{id}",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    users::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    patch,
    path = "/api/users/{id}/password",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    request_body = PasswordInput,
    responses((status = 200, body = UserView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn set_password(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PasswordInput>,
) -> Result<Response, Problem> {
    Ok(axum::Json(users::set_password(&state, &actor, &id, input).await?).into_response())
}

/// Send the user a password recovery mail (a code and a link, good for 15 minutes), in the
/// language of their profile's `locale`. 409 `mail.not_configured` without an SMTP server;
/// 422 `user.email_missing` when the user has no address.
#[utoipa::path(
    post,
    path = "/api/users/{id}/password-reset-email",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 204, description = "Queued"), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn password_reset_email(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    crate::manage::email::send_password_reset(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    patch,
    path = "/api/users/{id}/is-suspended",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    request_body = SuspensionInput,
    responses((status = 200, body = UserView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn set_suspended(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<SuspensionInput>,
) -> Result<Response, Problem> {
    Ok(axum::Json(users::set_suspended(&state, &actor, &id, input).await?).into_response())
}

#[utoipa::path(
    get,
    path = "/api/users/{id}/roles",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = [RoleView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_roles(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(assignments::roles_of_user(&state, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/users/{id}/roles",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    request_body = RoleIds,
    responses((status = 201, body = [RoleView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RoleIds>,
) -> Result<Response, Problem> {
    Ok(created(
        assignments::assign_to_user(&state, &actor, &id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/api/users/{id}/roles/{role_id}",
    tag = "Users",
    params(("id" = String, Path, description = "User id"), ("role_id" = String, Path, description = "Role id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, role_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    assignments::unassign_from_user(&state, &actor, &id, &role_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
