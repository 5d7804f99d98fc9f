//! `POST /oidc/device/auth` (RFC 8628 §3.1–3.2): an authenticated client that may use the
//! device grant asks for a device code and a user code. Its `scope` and `resource` are read
//! like `/oidc/auth`'s and checked against the same ceiling and roles before anything is
//! stored; the request the user will decide on is stored with the codes' hashes. Each request
//! counts against the address it came from.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use latchkey_core::device::{self, DeviceAuthorization, Status};
use latchkey_core::dynamic::{Standing, refusal};
use latchkey_core::grant::token_hash;
use latchkey_core::random;
use latchkey_core::{ErrorCode, OAuthError};
use serde::Serialize;

use super::client::ClientRequest;
use super::token::no_store;
use crate::app::AppState;
use crate::error::Error;
use crate::throttle::{ClientAddress, per_address};
use latchkey_core::throttle::DEVICE_AUTHORIZATIONS_PER_ADDRESS;

/// The device authorization response (RFC 8628 §3.2).
#[derive(Debug, Serialize)]
struct Answer {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
    expires_in: i64,
    interval: i64,
}

pub async fn authorize(
    State(state): State<AppState>,
    address: ClientAddress,
    request: ClientRequest,
) -> Response {
    let answered = begin(&state, address, &request).await;
    let mut response = match answered {
        Ok(answer) => no_store(Json(answer)),
        Err(failure) => failure.into_response(),
    };
    super::cors::answered(&request.headers, &mut response, &request.client);
    response
}

async fn begin(
    state: &AppState,
    address: ClientAddress,
    request: &ClientRequest,
) -> Result<Answer, Error> {
    let app = &request.client.application;
    let now = state.clock.now_ms();
    let policy = &DEVICE_AUTHORIZATIONS_PER_ADDRESS;
    let (key, wait) = per_address(state, "device-authorization", address, policy).await?;
    if let Some(wait_ms) = wait {
        return Err(Error::Throttled { wait_ms });
    }
    crate::throttle::count(state, &key, &DEVICE_AUTHORIZATIONS_PER_ADDRESS, now).await?;
    if let Some(dynamic) = &app.dynamic {
        let policy = state.cache.policy(&state.db).await?;
        let standing = policy.standing(dynamic);
        if standing != Standing::Allowed {
            return Err(refusal(standing)
                .unwrap_or_else(OAuthError::invalid_client)
                .into());
        }
        if !policy.device_flow {
            let why = "self-registered clients may not use the device authorization grant here";
            return Err(OAuthError::new(ErrorCode::UnauthorizedClient, why).into());
        }
    }
    let id = random::ordered_id(now);
    let asked = device::parse(&request.params, app, &id)?;
    // A request that can never succeed fails here, before a person is asked to type a code.
    crate::consent::check(state, app, &asked).await?;
    let device_code = random::ordered_secret(now);
    let json = serde_json::to_string(&asked).map_err(|e| Error::Internal(e.to_string()))?;
    let mut authorization = DeviceAuthorization {
        id,
        device_code_hash: token_hash(&device_code),
        user_code_hash: String::new(),
        client_id: app.id.clone(),
        request: json,
        created_at: now,
        expires_at: now + device::EXPIRES_SECS * 1000,
        interval_secs: device::INTERVAL_SECS,
        last_polled_at: None,
        status: Status::Pending,
    };
    // A user code already live is drawn again (each draw collides with one chance in 2^34
    // per live code).
    for _ in 0..3 {
        let user_code = device::new_user_code();
        authorization.user_code_hash = token_hash(&user_code);
        match state.db.insert_device_authorization(&authorization).await {
            Ok(()) => return Ok(answer(state, device_code, &user_code)),
            Err(latchkey_store::Error::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::Internal("no free user code was drawn".into()))
}

fn answer(state: &AppState, device_code: String, user_code: &str) -> Answer {
    let verification_uri = format!("{}/device", state.config.public_url());
    let shown = device::display_user_code(user_code);
    Answer {
        device_code,
        verification_uri_complete: format!("{verification_uri}?user_code={shown}"),
        verification_uri,
        user_code: shown,
        expires_in: device::EXPIRES_SECS,
        interval: device::INTERVAL_SECS,
    }
}
