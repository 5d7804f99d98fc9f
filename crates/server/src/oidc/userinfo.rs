//! `/oidc/me` (OIDC Core §5.3): the claims of the token's scopes, for a bearer access token.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::claims::user_claims;
use latchkey_core::grant::token_hash;
use latchkey_core::scope::Scopes;
use latchkey_core::user::User;

use crate::app::AppState;
use crate::bearer::BearerToken;
use crate::error::BearerError;

pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
    BearerToken(token): BearerToken,
) -> Result<Response, BearerError> {
    let token = token.ok_or(BearerError::Missing)?;
    let now = state.clock.now_ms();
    let found = state.db.find_access_token(&token_hash(&token), now).await?;
    let (access, grant) = found.ok_or(BearerError::InvalidToken)?;
    // Userinfo is OpenID Connect's: a plain OAuth 2.0 token (no `openid`) does not reach it.
    let scope = Scopes::parse(&access.scope).unwrap_or_default();
    if !scope.contains("openid") {
        return Err(BearerError::InsufficientScope("openid"));
    }
    let mut response = claims(&state, &scope, &grant.user_id).await?;
    if headers.contains_key(header::ORIGIN) {
        let client = state.cache.client(&state.db, &grant.client_id).await?;
        let client = client.ok_or(BearerError::InvalidToken)?;
        super::cors::answered(&headers, &mut response, &client);
    }
    Ok(response)
}

/// The claims of `scope` about the user, unless the user may no longer sign in.
async fn claims(state: &AppState, scope: &Scopes, user_id: &str) -> Result<Response, BearerError> {
    let user = state.db.find_user(user_id).await?;
    let user = user
        .filter(User::is_active)
        .ok_or(BearerError::InvalidToken)?;
    let roles = super::token::role_names(state, &user.id).await?;
    let claims = serde_json::Value::Object(user_claims(&user, &roles, scope));
    let mut response = Json(claims).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
