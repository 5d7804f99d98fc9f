//! Signing in with a passkey from the first screen (`/sign-in/{interaction}/passkey`): no
//! username, the browser offers the keys it holds for this site (a button, or the username
//! field's autofill). A passkey with user verification is two factors on its own.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::json;

use super::passkey_form::{Answer, options_for};
use super::{pending_form, sign_in, start_session};
use crate::app::AppState;
use crate::audit;
use crate::error::{OrPage, PageError};
use crate::manage::{Actor, Error};
use crate::passkeys;
use crate::throttle::ClientAddress;

pub async fn options(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<Answer>,
) -> Result<Response, PageError> {
    pending_form(&state, &headers, &id, &form.csrf).await?;
    let start = passkeys::start_sign_in(&state, None);
    Ok(options_for(&state, address, start).await)
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<Answer>,
) -> Result<Response, PageError> {
    let pending = pending_form(&state, &headers, &id, &form.csrf).await?;
    let text = pending.locale(&headers).text();
    let answer = (form.ceremony.as_str(), form.credential.as_str());
    let (user_id, amr) = match passkeys::finish_sign_in(&state, answer, None).await {
        Ok(found) => found,
        Err(Error::Invalid { detail, .. }) => {
            let details = json!({"reason": detail, "clientId": pending.interaction.client_id});
            let actor = Actor::address(address);
            audit::write_now(
                &state,
                &actor,
                "sign_in.failure",
                ("account", "passkey"),
                details,
            )
            .await;
            state.metrics.sign_in_failed();
            let error = Some(text.mfa.passkey_failed);
            return sign_in::render_form(&state, &headers, &pending, "", error).await;
        }
        Err(other) => return Err(other).or_page(&state, &headers),
    };
    let user = state
        .db
        .find_user(&user_id)
        .await
        .or_page(&state, &headers)?;
    if !user.is_some_and(|u| u.is_active()) {
        let error = Some(text.mfa.passkey_failed);
        return sign_in::render_form(&state, &headers, &pending, "", error).await;
    }
    let details = json!({
        "clientId": pending.interaction.client_id,
        "address": Actor::address(address).id,
        "amr": amr.claim(),
    });
    let entry = audit::entry(
        &Actor::user(&user_id),
        "sign_in.success",
        ("user", &user_id),
        details,
    );
    start_session(&state, &headers, (&user_id, amr), &id, Some(entry)).await
}
