//! `POST /oidc/token` (RFC 6749 §3.2): authenticate the client, then run its grant.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::client::{Application, GrantType};
use latchkey_core::params::Params;
use latchkey_core::token::{self, TokenResponse, client_credentials};
use latchkey_core::{ErrorCode, OAuthError};
use latchkey_store::audit::AuditEntry;
use serde_json::{Value, json};

use super::client;
use crate::app::AppState;
use crate::cache::ClientEntry;
use crate::error::Error;
use crate::keyring::RsaOn;
use crate::throttle::ClientAddress;

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    body: Bytes,
) -> Result<Response, Error> {
    let params = client::form(&headers, &body)?;
    let client = client::authenticate(&state, (&headers, address), &params).await?;
    let mut response = run_grant(&state, &client, &params).await.into_response();
    super::cors::answered(&headers, &mut response, &client);
    Ok(response)
}

/// Run the client's grant.
async fn run_grant(
    state: &AppState,
    client: &ClientEntry,
    params: &Params,
) -> Result<Response, Error> {
    let application = &client.application;
    let grant = token::grant_type(params)?;
    // Before anything the grant itself would check (RFC 6749 §5.2).
    if !application.app_type.allows(grant) {
        return Err(OAuthError::new(
            ErrorCode::UnauthorizedClient,
            "this application may not use this grant",
        )
        .into());
    }
    // Serialized once, here: the client-credentials response never becomes a `Value`.
    let (body, scope) = match grant {
        GrantType::ClientCredentials => {
            let response = machine_token(state, application, params).await?;
            let scope = Value::String(response.scope.clone());
            (serde_json::to_vec(&response), scope)
        }
        GrantType::AuthorizationCode => {
            let body = super::redeem::exchange_code(state, application, params).await?;
            (serde_json::to_vec(&body), body["scope"].clone())
        }
        GrantType::RefreshToken => {
            let body = super::user_tokens::refresh(state, application, params).await?;
            (serde_json::to_vec(&body), body["scope"].clone())
        }
    };
    let body = body.map_err(|e| Error::Internal(e.to_string()))?;
    let action = match grant {
        GrantType::RefreshToken => "token.refresh",
        _ => "token.issue",
    };
    let entry = AuditEntry {
        actor_type: "application",
        actor_id: Some(application.id.clone()),
        action: action.to_owned(),
        target_type: Some("application"),
        target_id: Some(application.id.clone()),
        details: json!({"grantType": params.get("grant_type"), "scope": scope}),
    };
    state.audit.record(entry, state.clock.now_ms());
    state.metrics.token_issued(grant);
    let json = HeaderValue::from_static("application/json");
    Ok(no_store(([(header::CONTENT_TYPE, json)], body)))
}

/// `client_credentials`: a JWT access token for one API, with the scopes the roles allow.
async fn machine_token(
    state: &AppState,
    application: &Application,
    params: &Params,
) -> Result<TokenResponse, Error> {
    let request = client_credentials::parse(params)?;
    let api = state
        .cache
        .api(&state.db, &application.id, &request.resource)
        .await?
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known"))?;
    let (resource, defined, allowed) = (&api.resource, &api.defined, &api.allowed);
    let issuer = state.config.issuer();
    let now_ms = state.clock.now_ms();
    let claims = client_credentials::grant(
        application,
        &request,
        resource,
        defined,
        allowed,
        &issuer,
        now_ms,
    )?;
    let (expires_in, scope) = (claims.exp - claims.iat, claims.scope.clone());
    let access_token = state
        .keys
        .get()
        .sign(
            state.config.access_token_alg,
            "at+jwt",
            claims,
            RsaOn::InPlace,
        )
        .await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope,
    })
}

/// Token responses are never cached (RFC 6749 §5.1).
pub fn no_store(body: impl IntoResponse) -> Response {
    (
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}
