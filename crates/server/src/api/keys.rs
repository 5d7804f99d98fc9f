//! `/api/configs/oidc/private-keys`: list, rotate and retire signing keys.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_core::jwt::Algorithm;
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::keys::{self as keys, KeyView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(rotate))
        .routes(routes!(remove))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct RotateInput {
    /// `RSA` or `EC`; both families when omitted.
    signing_key_algorithm: Option<String>,
    /// Rotate even though the previous key may still verify live tokens (they stop verifying)
    /// or the next key was published moments ago: for a leaked key. Without it such a
    /// rotation is refused with 409 `key.rotation_too_soon`.
    #[serde(default)]
    force: bool,
}

#[utoipa::path(
    get,
    path = "/api/configs/oidc/private-keys",
    tag = "Signing keys",
    responses((status = 200, body = [KeyView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(State(state): State<AppState>, _: Caller) -> Result<Response, Problem> {
    let stored = state.db.find_signing_keys().await?;
    Ok(axum::Json(stored.iter().map(KeyView::from).collect::<Vec<_>>()).into_response())
}

#[utoipa::path(
    post,
    path = "/api/configs/oidc/private-keys/rotate",
    tag = "Signing keys",
    request_body = RotateInput,
    responses((status = 201, body = [KeyView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn rotate(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<RotateInput>,
) -> Result<Response, Problem> {
    let algorithms = match input.signing_key_algorithm.as_deref() {
        None => vec![Algorithm::RS256, Algorithm::ES256],
        Some(family) => vec![keys::parse_family(family).ok_or_else(|| {
            Problem::unprocessable(
                "key.invalid_algorithm",
                "signingKeyAlgorithm must be RSA or EC",
            )
            .with_field("signingKeyAlgorithm")
        })?],
    };
    let stored = keys::rotate_now(&state, &actor, &algorithms, input.force).await?;
    Ok(created(stored))
}

#[utoipa::path(
    delete,
    path = "/api/configs/oidc/private-keys/{key_id}",
    tag = "Signing keys",
    params(("key_id" = String, Path, description = "Key id (kid)")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(key_id): Path<String>,
) -> Result<StatusCode, Problem> {
    keys::retire(&state, &actor, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
