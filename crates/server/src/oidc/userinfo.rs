//! `/oidc/me` (OIDC Core §5.3): the claims of the token's scopes, for a bearer access token.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::claims::user_claims;
use latchkey_core::grant::token_hash;
use latchkey_core::scope::Scopes;

use crate::app::AppState;
use crate::bearer::BearerToken;
use crate::error::Error;

fn invalid_token() -> Response {
    let mut response = (
        StatusCode::UNAUTHORIZED,
        Json(serde_json::json!({"error": "invalid_token"})),
    )
        .into_response();
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="latchkey", error="invalid_token""#),
    );
    response
}

pub async fn userinfo(
    State(state): State<AppState>,
    headers: HeaderMap,
    BearerToken(token): BearerToken,
) -> Response {
    let Some(token) = token else {
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer realm="latchkey""#),
        );
        return response;
    };
    let now = state.clock.now_ms();
    let found = match state.db.find_access_token(&token_hash(&token), now).await {
        Ok(found) => found,
        Err(e) => return Error::from(e).into_response(),
    };
    let Some((access, grant)) = found else {
        return invalid_token();
    };
    let mut response = claims(&state, &access.scope, &grant.user_id).await;
    if headers.contains_key(header::ORIGIN) {
        match state.cache.client(&state.db, &grant.client_id).await {
            Ok(Some(client)) => super::cors::answered(&headers, &mut response, &client),
            Ok(None) => return invalid_token(),
            Err(e) => return Error::from(e).into_response(),
        }
    }
    response
}

/// The claims of `scope` about the user, unless the user may no longer sign in.
async fn claims(state: &AppState, scope: &str, user_id: &str) -> Response {
    let user = match state.db.find_user(user_id).await {
        Ok(Some(user)) if user.is_active() => user,
        Ok(_) => return invalid_token(),
        Err(e) => return Error::from(e).into_response(),
    };
    let scope = Scopes::parse(scope).unwrap_or_default();
    let mut response = match super::token::role_names(state, &user.id).await {
        Ok(roles) => Json(serde_json::Value::Object(user_claims(
            &user, &roles, &scope,
        )))
        .into_response(),
        Err(e) => return e.into_response(),
    };
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
