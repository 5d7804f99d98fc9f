//! What every passkey form shares: the browser's answer as it is posted, and the options a
//! ceremony starts with, as the page's script asks for them.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use serde::Deserialize;
use serde_json::json;

use latchkey_core::throttle::PASSKEY_CEREMONIES_PER_ADDRESS;

use crate::app::AppState;
use crate::manage::Error;
use crate::throttle::{ClientAddress, count, per_address};

/// A passkey form: its CSRF token, and the browser's answer to a ceremony.
#[derive(Debug, Deserialize)]
pub struct Answer {
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) ceremony: String,
    #[serde(default)]
    pub(super) credential: String,
}

/// The ceremony's id and the browser's `publicKey` options, or a 400 saying why not (a 500
/// that says nothing more for the server's own failures, which are logged).
pub(super) fn options_json(started: Result<(String, serde_json::Value), Error>) -> Response {
    match started {
        Ok((ceremony, options)) => {
            Json(json!({"ceremony": ceremony, "publicKey": options})).into_response()
        }
        Err(error) => {
            let status = match &error {
                Error::Store(_) | Error::Internal(_) => {
                    tracing::error!(error = %error, "passkey options failed");
                    StatusCode::INTERNAL_SERVER_ERROR
                }
                _ => StatusCode::BAD_REQUEST,
            };
            let said = match status {
                StatusCode::BAD_REQUEST => error.to_string(),
                _ => "the server could not start this".to_owned(),
            };
            let body = Body::from(json!({"error": said}).to_string());
            let mut response = (status, body).into_response();
            let json = HeaderValue::from_static("application/json");
            response.headers_mut().insert(header::CONTENT_TYPE, json);
            response
        }
    }
}

/// The options `start` gives, once `address` may start another ceremony (each start counts):
/// else a 429 with `Retry-After`.
pub(super) async fn options_for(
    state: &AppState,
    address: ClientAddress,
    start: impl Future<Output = Result<(String, serde_json::Value), Error>>,
) -> Response {
    let policy = &PASSKEY_CEREMONIES_PER_ADDRESS;
    let limit = per_address(state, "passkey-ceremony", address, policy).await;
    let key = match limit {
        Ok((_, Some(wait_ms))) => {
            let body = Body::from(json!({"error": "too many passkey requests"}).to_string());
            return super::throttled(body.into_response(), wait_ms);
        }
        Ok((key, None)) => key,
        Err(error) => return options_json(Err(error.into())),
    };
    if let Err(error) = count(state, &key, policy, state.clock.now_ms()).await {
        return options_json(Err(error.into()));
    }
    options_json(start.await)
}
