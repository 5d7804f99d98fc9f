//! `POST /oidc/token/revocation` (RFC 7009). Always 200 for an authenticated client: a token
//! that is unknown, expired or another client's is left alone without saying so.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_core::OAuthError;
use latchkey_core::client::Application;
use latchkey_core::grant::token_hash;
use latchkey_core::params::Params;

use super::client::ClientRequest;
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::error::Error;
use crate::manage::Actor;

pub async fn revoke(State(state): State<AppState>, request: ClientRequest) -> Response {
    let ClientRequest {
        headers,
        params,
        client,
    } = request;
    let mut response = revoke_token(&state, &client.application, &params)
        .await
        .into_response();
    super::cors::answered(&headers, &mut response, &client);
    response
}

async fn revoke_token(
    state: &AppState,
    app: &Application,
    params: &Params,
) -> Result<Response, Error> {
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let hash = token_hash(token);
    let now = state.clock.now_ms();
    // A refresh token ends its whole grant: the refresh family and its opaque access tokens,
    // even when the token presented was already rotated out (RFC 7009 §2.1), so that a
    // refresh racing the revocation leaves nothing alive.
    let family = match state.db.find_refresh_token(&hash, now).await? {
        Some((_, grant)) => Some(grant),
        None => match state.db.find_consumed_refresh_token(&hash).await? {
            Some(grant_id) => state.db.find_grant(&grant_id).await?,
            None => None,
        },
    };
    if let Some(grant) = family.filter(|grant| grant.client_id == app.id) {
        state.db.revoke_grant(&grant.id, now).await?;
        let actor = Actor::application(app.id.clone());
        let target = ("grant", grant.id.as_str());
        audit::write_now(
            state,
            &actor,
            "grant.revoke",
            target,
            json!({"by": "refresh_token"}),
        )
        .await;
    } else if let Some((_, grant)) = state.db.find_access_token(&hash, now).await?
        && grant.client_id == app.id
    {
        state.db.delete_access_token(&hash).await?;
        let actor = Actor::application(app.id.clone());
        let target = ("grant", grant.id.as_str());
        audit::write_now(
            state,
            &actor,
            "token.revoke",
            target,
            json!({"by": "access_token"}),
        )
        .await;
    }
    // JWT access tokens are self-contained: they cannot be recalled and expire on their own.
    Ok(super::token::no_store(StatusCode::OK.into_response()))
}
