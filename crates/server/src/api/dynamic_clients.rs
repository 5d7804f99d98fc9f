//! `/api/configs/dynamic-clients` and `/api/applications/{id}/approval`: the policy for
//! clients that register themselves, and an administrator's decision about one of them.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::application_json::ApplicationView;
use crate::manage::dynamic_clients::{
    self, DecisionInput, InitialAccessTokenView, NewInitialAccessToken, PolicyView,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(show_policy, put_policy))
        .routes(routes!(decide))
        .routes(routes!(mint))
}

#[utoipa::path(
    get,
    path = "/api/configs/dynamic-clients",
    tag = "Dynamic clients",
    responses((status = 200, body = PolicyView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show_policy(
    State(state): State<AppState>,
    _: Caller,
) -> Result<Response, Problem> {
    Ok(axum::Json(dynamic_clients::policy(&state).await?).into_response())
}

/// Replace the policy: per kind (`cimd`, `dcr`) a `mode` (`off`, `approval`, `open`), the
/// hosts whose documents are verified, whether registration needs an initial access token,
/// and the ceiling every self-registered client is held to unless given its own.
#[utoipa::path(
    put,
    path = "/api/configs/dynamic-clients",
    tag = "Dynamic clients",
    request_body = PolicyView,
    responses((status = 200, body = PolicyView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn put_policy(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<PolicyView>,
) -> Result<Response, Problem> {
    let policy = dynamic_clients::put_policy(&state, &actor, input).await?;
    Ok(axum::Json(policy).into_response())
}

/// Approve a self-registered client (it may then be used in `approval` mode) or block it
/// (in every mode; its grants are revoked at once).
#[utoipa::path(
    post,
    path = "/api/applications/{id}/approval",
    tag = "Dynamic clients",
    params(("id" = String, Path, description = "Application id (a CIMD client's is its URL, percent-encoded)")),
    request_body = DecisionInput,
    responses((status = 200, body = ApplicationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn decide(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> Result<Response, Problem> {
    let view = dynamic_clients::decide(&state, &actor, &id, input).await?;
    Ok(axum::Json(view).into_response())
}

/// Mint an initial access token for dynamic registration (needed while the policy's
/// `dcr.initialAccessTokenRequired` is true); its value is shown once.
#[utoipa::path(
    post,
    path = "/api/configs/dynamic-clients/initial-access-tokens",
    tag = "Dynamic clients",
    request_body = NewInitialAccessToken,
    responses((status = 201, body = InitialAccessTokenView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn mint(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewInitialAccessToken>,
) -> Result<Response, Problem> {
    let token = dynamic_clients::mint_initial_access_token(&state, &actor, input).await?;
    Ok(super::created(token))
}
