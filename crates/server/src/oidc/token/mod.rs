//! `POST /oidc/token` (RFC 6749 §3.2): authenticate the client, parse its request once
//! (`TokenRequest`), and hand it to the module of its `grant_type`. What every grant shares
//! (the response, the audit entry, the metrics, `no-store`) happens here, once.

mod authorization_code;
mod client_credentials;
mod device_code;
mod issuance;
mod organization;
mod refresh_token;
mod reuse;
mod token_exchange;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::client::GrantType;
use latchkey_core::token::TokenRequest;
use latchkey_store::audit::AuditEntry;
use serde_json::json;

pub use issuance::held;

use super::client::ClientRequest;
use crate::app::AppState;
use crate::cache::ClientEntry;
use crate::error::Error;

pub async fn token(State(state): State<AppState>, request: ClientRequest) -> Response {
    let ClientRequest {
        headers,
        params,
        client,
    } = request;
    let response = match TokenRequest::parse(&params, &client.application) {
        Ok(request) => run_grant(&state, &client, request).await,
        Err(error) => Err(error.into()),
    };
    let mut response = response.into_response();
    super::cors::answered(&headers, &mut response, &client);
    response
}

/// Run the client's grant and answer with its tokens.
async fn run_grant(
    state: &AppState,
    client: &ClientEntry,
    request: TokenRequest,
) -> Result<Response, Error> {
    let app = &client.application;
    let grant = request.grant_type();
    let response = match request {
        TokenRequest::AuthorizationCode(r) => authorization_code::redeem(state, app, r).await?,
        TokenRequest::RefreshToken(r) => refresh_token::refresh(state, app, r).await?,
        TokenRequest::ClientCredentials(r) => client_credentials::grant(state, app, r).await?,
        TokenRequest::DeviceCode(r) => device_code::poll(state, app, r).await?,
        TokenRequest::TokenExchange(r) => token_exchange::exchange(state, app, r).await?,
    };
    let body = serde_json::to_vec(&response).map_err(|e| Error::Internal(e.to_string()))?;
    let action = match grant {
        GrantType::RefreshToken => "token.refresh",
        GrantType::TokenExchange => "token.exchange",
        GrantType::AuthorizationCode | GrantType::ClientCredentials | GrantType::DeviceCode => {
            "token.issue"
        }
    };
    let entry = AuditEntry {
        actor_type: "application",
        actor_id: Some(app.id.clone()),
        action: action.to_owned(),
        target_type: Some("application"),
        target_id: Some(app.id.clone()),
        details: json!({"grantType": grant.as_str(), "scope": response.scope}),
    };
    state.audit.queue(entry, state.clock.now_ms());
    state.metrics.token_issued(grant);
    let json = HeaderValue::from_static("application/json");
    Ok(no_store(([(header::CONTENT_TYPE, json)], body)))
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
