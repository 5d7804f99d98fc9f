//! `/oidc/me` (OIDC Core §5.3): the claims of the token's scopes, for a bearer access token.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::claims::userinfo_claims;
use latchkey_core::grant::token_hash;
use latchkey_core::organization;
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
    let hash = token_hash(&token);
    let found = state.db.find_access_token_and_user(&hash, now).await?;
    let (access, grant, user) = found.ok_or(BearerError::InvalidToken)?;
    // Userinfo is OpenID Connect's: a plain OAuth 2.0 token (no `openid`) does not reach it.
    let scope = Scopes::parse(&access.scope).unwrap_or_default();
    if !scope.contains("openid") {
        return Err(BearerError::InsufficientScope("openid"));
    }
    // The client is read only when it matters: for CORS, or to know whether it is a third
    // party that hears only of the organizations the user chose for it.
    let cors = headers.contains_key(header::ORIGIN);
    let client = match cors || organization::needs_memberships(&scope) {
        true => {
            let client = state.cache.client(&state.db, &grant.client_id).await?;
            Some(client.ok_or(BearerError::InvalidToken)?)
        }
        false => None,
    };
    let app = client.as_ref().map(|c| &c.application);
    let third_party = app.filter(|a| a.is_third_party).map(|a| a.id.as_str());
    let mut response = claims(&state, &scope, user, third_party).await?;
    if let Some(client) = client.filter(|_| cors) {
        super::cors::answered(&headers, &mut response, &client);
    }
    Ok(response)
}

/// The claims of `scope` about the user, unless the user may no longer sign in.
async fn claims(
    state: &AppState,
    scope: &Scopes,
    user: User,
    third_party: Option<&str>,
) -> Result<Response, BearerError> {
    if !user.is_active() {
        return Err(BearerError::InvalidToken);
    }
    let held = super::token::held(state, third_party, &user.id, scope).await?;
    let claims = serde_json::Value::Object(userinfo_claims(&user, &held, scope));
    let mut response = Json(claims).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
