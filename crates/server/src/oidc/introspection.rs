//! `POST /oidc/token/introspection` (RFC 7662). An authenticated client learns about its own
//! opaque and refresh tokens, and about any JWT access token this server signed; for
//! anything else the answer is `{"active": false}` and nothing more.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use latchkey_core::OAuthError;
use latchkey_core::grant::token_hash;
use latchkey_core::jwt;
use serde_json::{Value, json};

use super::client::ClientRequest;
use crate::app::AppState;
use crate::error::Error;

pub async fn introspect(
    State(state): State<AppState>,
    ClientRequest { params, client, .. }: ClientRequest,
) -> Result<Response, Error> {
    let app = &client.application;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let answer = describe(&state, &app.id, token)
        .await?
        .unwrap_or_else(|| json!({"active": false}));
    Ok(super::token::no_store(Json(answer)))
}

async fn describe(state: &AppState, client_id: &str, token: &str) -> Result<Option<Value>, Error> {
    let now = state.clock.now_ms();
    let issuer = state.config.issuer();
    let hash = token_hash(token);
    if let Some((access, grant)) = state.db.find_access_token(&hash, now).await?
        && grant.client_id == client_id
    {
        return Ok(Some(json!({
            "active": true, "token_type": "Bearer", "scope": access.scope, "client_id": grant.client_id,
            "sub": grant.user_id, "iss": issuer, "iat": access.created_at / 1000, "exp": access.expires_at / 1000,
        })));
    }
    if let Some((refresh, grant)) = state.db.find_refresh_token(&hash, now).await?
        && grant.client_id == client_id
    {
        return Ok(Some(json!({
            "active": true, "token_type": "refresh_token", "scope": refresh.scope, "client_id": grant.client_id,
            "sub": grant.user_id, "iss": issuer, "iat": refresh.created_at / 1000, "exp": refresh.expires_at / 1000,
        })));
    }
    let keys = state.keys.get();
    let Ok(claims) = jwt::verify(token, "at+jwt", keys.public_keys()) else {
        return Ok(None);
    };
    let live = claims["exp"].as_i64().is_some_and(|exp| exp > now / 1000);
    if !live || claims["iss"].as_str() != Some(issuer.as_str()) {
        return Ok(None);
    }
    let mut answer = json!({"active": true, "token_type": "Bearer"});
    for name in [
        "scope",
        "client_id",
        "sub",
        "aud",
        "iss",
        "iat",
        "exp",
        "jti",
    ] {
        answer[name] = claims[name].clone();
    }
    Ok(Some(answer))
}
