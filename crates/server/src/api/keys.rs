//! `/api/configs/oidc/private-keys`: list, rotate and retire signing keys.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use latchkey_core::jwt::Algorithm;
use serde::Deserialize;
use serde_json::json;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::keys::{self as keys, KeyView};
use crate::manage::{Actor, audit};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/configs/oidc/private-keys", get(list))
        .route("/api/configs/oidc/private-keys/rotate", post(rotate))
        .route("/api/configs/oidc/private-keys/{key_id}", delete(remove))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct RotateInput {
    /// `RSA` or `EC`; both families when omitted.
    signing_key_algorithm: Option<String>,
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
    let stored = keys::rotate(
        &state.db,
        state.keys.encryption(),
        &algorithms,
        state.clock.now_ms(),
    )
    .await?;
    state.keys.refresh().await?;
    let names: Vec<&str> = algorithms.iter().map(|a| a.as_str()).collect();
    audit(
        &state,
        &actor,
        "key.rotate",
        ("key", "signing"),
        json!({"algorithms": names}),
    )
    .await;
    Ok(created(
        stored.iter().map(KeyView::from).collect::<Vec<_>>(),
    ))
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
    retire(&state, &actor, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Only a `previous` key may be removed: the current and next keys are needed to sign.
async fn retire(state: &AppState, actor: &Actor, key_id: &str) -> Result<(), Problem> {
    let stored = state.db.find_signing_keys().await?;
    let key = stored
        .iter()
        .find(|k| k.kid == key_id)
        .ok_or_else(|| Problem::not_found("signing key"))?;
    if key.state != latchkey_core::keys::KeyState::Previous {
        return Err(Problem::unprocessable(
            "key.not_previous",
            "only a previous key can be deleted; rotate first",
        ));
    }
    state.db.delete_previous_signing_key(key_id).await?;
    state.keys.refresh().await?;
    audit(state, actor, "key.delete", ("key", key_id), json!({})).await;
    Ok(())
}
