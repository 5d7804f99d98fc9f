//! `/api/organizations/{id}/users`: the users of an organization, and the organization roles
//! each holds there.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_store::organization_members::Member;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::{ListQuery, ProblemDetails};
use super::{ApiJson, Caller, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::organization_members::{
    self as members, MemberUserView, RoleAssignment, UserIds, UsersRoles,
};
use crate::manage::organization_template::{OrganizationRoleView, OrganizationScopeView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, add_users, replace_users))
        .routes(routes!(remove_user))
        .routes(routes!(give_users_roles))
        .routes(routes!(user_roles, add_user_roles, replace_user_roles))
        .routes(routes!(remove_user_role))
        .routes(routes!(user_scopes))
}

#[utoipa::path(
    get,
    path = "/api/organizations/{id}/users",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ListQuery, ("q" = Option<String>, Query, description = "Matches id, username, email or name"), ("organizationRoleId" = Option<String>, Query, description = "Only members holding this role")),
    responses((status = 200, body = [MemberUserView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_users(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let search = query_value(&pairs, "q").or(query_value(&pairs, "search"));
    let role = query_value(&pairs, "organizationRoleId");
    let (found, total) = members::users(&state, &id, (search, role), page(&pairs)?).await?;
    Ok(listed(found, total))
}

#[utoipa::path(
    post,
    path = "/api/organizations/{id}/users",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id")),
    request_body = UserIds,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UserIds>,
) -> Result<StatusCode, Problem> {
    let users = input.user_ids.iter().map(|u| Member::User(u)).collect();
    members::add(&state, &actor, &id, users, None).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    put,
    path = "/api/organizations/{id}/users",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id")),
    request_body = UserIds,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn replace_users(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UserIds>,
) -> Result<StatusCode, Problem> {
    let users = input.user_ids.iter().map(|u| Member::User(u)).collect();
    members::add(&state, &actor, &id, users, Some(Member::User(""))).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/organizations/{id}/users/{user_id}",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "User id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_user(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    members::remove(&state, &actor, &id, Member::User(&user_id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/organizations/{id}/users/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id")),
    request_body = UsersRoles,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn give_users_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<UsersRoles>,
) -> Result<StatusCode, Problem> {
    let users: Vec<Member<'_>> = input.user_ids.iter().map(|u| Member::User(u)).collect();
    let assignment = RoleAssignment {
        organization_role_ids: input.organization_role_ids,
        organization_role_names: vec![],
    };
    members::give_roles(&state, &actor, &id, &users, (assignment, false)).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    get,
    path = "/api/organizations/{id}/users/{user_id}/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "User id")),
    responses((status = 200, body = [OrganizationRoleView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn user_roles(
    State(state): State<AppState>,
    _: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let roles = members::roles(&state, &id, Member::User(&user_id)).await?;
    Ok(axum::Json(roles).into_response())
}

#[utoipa::path(
    post,
    path = "/api/organizations/{id}/users/{user_id}/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "User id")),
    request_body = RoleAssignment,
    responses((status = 201), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_user_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RoleAssignment>,
) -> Result<StatusCode, Problem> {
    let user = [Member::User(&user_id)];
    members::give_roles(&state, &actor, &id, &user, (input, false)).await?;
    Ok(StatusCode::CREATED)
}

#[utoipa::path(
    put,
    path = "/api/organizations/{id}/users/{user_id}/roles",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "User id")),
    request_body = RoleAssignment,
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn replace_user_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<RoleAssignment>,
) -> Result<StatusCode, Problem> {
    let user = [Member::User(&user_id)];
    members::give_roles(&state, &actor, &id, &user, (input, true)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    delete,
    path = "/api/organizations/{id}/users/{user_id}/roles/{role_id}",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "User id"), ("role_id" = String, Path, description = "Organization role id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_user_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, user_id, role_id)): Path<(String, String, String)>,
) -> Result<StatusCode, Problem> {
    members::take_role(&state, &actor, &id, Member::User(&user_id), &role_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/organizations/{id}/users/{user_id}/scopes",
    tag = "Organization members",
    params(("id" = String, Path, description = "Organization id"), ("user_id" = String, Path, description = "User id")),
    responses((status = 200, body = [OrganizationScopeView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn user_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Response, Problem> {
    let scopes = members::scopes(&state, &id, Member::User(&user_id)).await?;
    Ok(axum::Json(scopes).into_response())
}
