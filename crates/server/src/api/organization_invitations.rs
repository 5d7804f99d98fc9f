//! `/api/organization-invitations`: invitations to join an organization, mailed or not.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_store::organization_invitations::InvitationFilter;
use serde_json::Value;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::organization_invitations::{
    self as invitations, InvitationView, NewInvitation, StatusChange,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, remove))
        .routes(routes!(status))
        .routes(routes!(message))
}

#[utoipa::path(
    get,
    path = "/api/organization-invitations",
    tag = "Organization invitations",
    params(
        ("organizationId" = Option<String>, Query, description = "Only this organization's"),
        ("inviterId" = Option<String>, Query, description = "Only those this user sent"),
        ("invitee" = Option<String>, Query, description = "Only those to this email address"),
    ),
    responses((status = 200, body = [InvitationView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let filter = InvitationFilter {
        organization_id: query_value(&pairs, "organizationId").map(str::to_owned),
        inviter_id: query_value(&pairs, "inviterId").map(str::to_owned),
        invitee: query_value(&pairs, "invitee").map(|e| e.trim().to_lowercase()),
    };
    Ok(axum::Json(invitations::list(&state, filter).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/organization-invitations",
    tag = "Organization invitations",
    request_body = NewInvitation,
    responses((status = 201, body = InvitationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewInvitation>,
) -> Result<Response, Problem> {
    Ok(created(invitations::create(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/organization-invitations/{id}",
    tag = "Organization invitations",
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = InvitationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(invitations::get(&state, &id).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/organization-invitations/{id}",
    tag = "Organization invitations",
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    invitations::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    put,
    path = "/api/organization-invitations/{id}/status",
    tag = "Organization invitations",
    params(("id" = String, Path, description = "Invitation id")),
    request_body = StatusChange,
    responses((status = 200, body = InvitationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn status(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Response, Problem> {
    let changed = invitations::change_status(&state, &actor, &id, change).await?;
    Ok(axum::Json(changed).into_response())
}

#[utoipa::path(
    post,
    path = "/api/organization-invitations/{id}/message",
    tag = "Organization invitations",
    params(("id" = String, Path, description = "Invitation id")),
    request_body(content = Object, description = "The message payload: `link` and `locale`, both optional"),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn message(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(payload): ApiJson<Value>,
) -> Result<StatusCode, Problem> {
    invitations::resend(&state, &actor, &id, payload).await?;
    Ok(StatusCode::NO_CONTENT)
}
