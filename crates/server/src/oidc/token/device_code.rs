//! `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628 §3.4): each poll is
//! answered from the device authorization as `core::device::poll` decides (and remembered,
//! with the interval it sets); once the user approved, the poll redeems the code the
//! approval issued exactly as a code redemption does, once.

use latchkey_core::client::Application;
use latchkey_core::device::{self, Poll};
use latchkey_core::grant::{AuthorizationCode, Grant, token_hash};
use latchkey_core::token::TokenResponse;
use latchkey_core::token::device_code::{self as rules, Request};
use latchkey_core::{ErrorCode, OAuthError};
use serde_json::json;

use super::issuance::invalid_grant;
use crate::app::AppState;
use crate::audit;
use crate::error::Error;
use crate::manage::Actor;

const INVALID_DEVICE_CODE: &str = "the device code is invalid";

pub async fn poll(
    state: &AppState,
    app: &Application,
    request: Request,
) -> Result<TokenResponse, Error> {
    let now = state.clock.now_ms();
    let hash = token_hash(&request.device_code);
    let Some(authorization) = state.db.find_device_by_device_code(&hash).await? else {
        return Err(invalid_grant(INVALID_DEVICE_CODE));
    };
    let code_hash = match device::poll(&authorization, &app.id, now) {
        Poll::Redeem { code_hash } => code_hash,
        // Another client's code tells it nothing, and changes nothing.
        Poll::Refused { error, .. } if error.code == ErrorCode::InvalidGrant => {
            return Err(invalid_grant(INVALID_DEVICE_CODE));
        }
        Poll::Refused {
            error,
            interval_secs,
        } => {
            let first_after_expiry = authorization
                .last_polled_at
                .is_none_or(|last| last < authorization.expires_at);
            if error.code == ErrorCode::ExpiredToken && first_after_expiry {
                let actor = Actor::application(app.id.clone());
                let target = ("device_authorization", authorization.id.as_str());
                audit::write_now(state, &actor, "device.expire", target, json!({})).await;
            }
            let id = &authorization.id;
            state.db.record_device_poll(id, now, interval_secs).await?;
            return Err(Error::OAuth(error));
        }
    };
    let check = move |code: &AuthorizationCode, grant: &Grant, client: &Application| {
        rules::check(code, grant, &client.id).map_err(Error::OAuth)
    };
    let taken = super::authorization_code::take(state, app, (&code_hash, request.resource), check);
    // Approved, but the grant was revoked (or the code expired) since.
    taken.await?.ok_or_else(|| {
        OAuthError::new(
            ErrorCode::ExpiredToken,
            "the device code is no longer valid",
        )
        .into()
    })
}
