//! `POST /oidc/reg`: dynamic client registration (RFC 7591) under the administrator's
//! policy (off, or needing an initial access token), open to any origin (browser clients
//! such as MCP Inspector register from their pages). One address registers at most 20 new
//! clients an hour; the same public registration repeated from the same address within a
//! day answers the client it made, since agents register again at every connection.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::client::ClientSecret;
use latchkey_core::dynamic::Mode;
use latchkey_core::dynamic_registration;
use latchkey_core::grant::token_hash;
use latchkey_core::lifetimes::REGISTRATION_REUSE_MS;
use latchkey_core::throttle::REGISTRATIONS_PER_ADDRESS;
use latchkey_core::{ErrorCode, OAuthError, random};
use latchkey_store::third_party::SignInExperience;
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::error::{BearerError, Error};
use crate::manage::Actor;
use crate::throttle::{ClientAddress, per_address};

pub async fn register(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut response = match registered(&state, address, &headers, &body).await {
        Ok(response) => response,
        Err(Refused::Token(e)) => e.into_response(),
        Err(Refused::Error(e)) => e.into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// A browser's preflight: any origin may register (no cookie is ever involved).
pub async fn preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Authorization, Content-Type"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

enum Refused {
    /// The initial access token is missing or not valid (RFC 6750 challenge).
    Token(BearerError),
    Error(Error),
}

impl<E: Into<Error>> From<E> for Refused {
    fn from(e: E) -> Self {
        Self::Error(e.into())
    }
}

async fn registered(
    state: &AppState,
    address: ClientAddress,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Refused> {
    let policy = state.cache.policy(&state.db).await?;
    if policy.dcr.mode == Mode::Off {
        let why = "dynamic client registration is turned off on this server";
        return Err(OAuthError::new(ErrorCode::AccessDenied, why).into());
    }
    if policy.dcr.initial_access_token_required {
        spend_initial_access_token(state, headers).await?;
    }
    let request = dynamic_registration::parse(body)?;
    let now = state.clock.now_ms();
    let from = address
        .0
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let digest = request.digest(&from);
    // A secret cannot be shown twice, so only public registrations are answered again.
    if request.is_public()
        && let Some(existing) = state
            .db
            .find_registered_client(&digest, now - REGISTRATION_REUSE_MS)
            .await?
    {
        return Ok(created(request.response(&existing, None)));
    }
    let limit = per_address(state, "registration", address, &REGISTRATIONS_PER_ADDRESS);
    let (key, wait) = limit.await?;
    if let Some(wait_ms) = wait {
        return Err(Error::Throttled { wait_ms }.into());
    }
    let app = request.application(random::id(), now);
    let secret = (!request.is_public()).then(|| ClientSecret::generate("registration", now, None));
    let branding = SignInExperience {
        display_name: None,
        logo_url: request.logo_uri.clone(),
        dark_logo_url: None,
        terms_of_use_url: request.tos_uri.clone(),
        privacy_policy_url: request.policy_uri.clone(),
    };
    let kept = secret.as_ref().map(|(_, kept)| kept);
    state
        .db
        .insert_registered_client(&app, kept, &branding, &digest)
        .await?;
    count(state, &key, now).await?;
    let details = json!({"clientName": app.name, "redirectUris": app.redirect_uris,
        "tokenEndpointAuthMethod": request.token_endpoint_auth_method,
        "softwareId": request.software_id});
    let target = ("application", app.id.as_str());
    audit::write_now(
        state,
        &Actor::address(address),
        "application.register",
        target,
        details,
    )
    .await;
    let value = secret.as_ref().map(|(value, _)| value.as_str());
    Ok(created(request.response(&app, value)))
}

/// Count a new registration against the address.
async fn count(state: &AppState, key: &str, now: i64) -> Result<(), Error> {
    crate::throttle::count(state, key, &REGISTRATIONS_PER_ADDRESS, now).await?;
    state.cache.throttled();
    Ok(())
}

/// RFC 7591 §3: the registration carries an initial access token as a bearer token; one
/// use of it is spent.
async fn spend_initial_access_token(state: &AppState, headers: &HeaderMap) -> Result<(), Refused> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let Some(token) = presented else {
        return Err(Refused::Token(BearerError::Missing));
    };
    let now = state.clock.now_ms();
    match state
        .db
        .use_initial_access_token(&token_hash(token), now)
        .await?
    {
        true => Ok(()),
        false => Err(Refused::Token(BearerError::InvalidToken)),
    }
}

fn created(body: serde_json::Value) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}
