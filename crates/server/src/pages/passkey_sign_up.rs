//! Creating an account with a passkey and no password (`/sign-up/{interaction}/passkey`):
//! a username, then the device's screen lock. The account, its passkey and their audit
//! entries are written together; it has no password until one is set, and can add an
//! address (proven by a code) from its account pages.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use super::passkey_form::{Answer, options_for, options_json};
use super::sign_up::{actor, reason, render};
use super::{expired, pending_form, start_session};
use crate::app::AppState;
use crate::audit;
use crate::error::{OrPage, PageError};
use crate::manage::{Actor, Error, mfa, users};
use crate::passkeys;
use crate::throttle::ClientAddress;

#[derive(Debug, Deserialize)]
pub struct Start {
    csrf: String,
    #[serde(default)]
    username: String,
}

fn taken() -> Error {
    Error::conflict(
        "user.identifier_exists",
        "the username, email or phone number is already in use",
    )
}

pub async fn options(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<Start>,
) -> Result<Response, PageError> {
    if !state.config.sign_up {
        return Ok(expired(&state, &headers));
    }
    pending_form(&state, &headers, &id, &form.csrf).await?;
    let input = users::NewUser {
        username: Some(form.username),
        ..users::NewUser::default()
    };
    let user = match users::new_user(&state, input).await {
        Ok(user) => user,
        Err(problem) => return Ok(options_json(Err(problem))),
    };
    // Said now rather than after the device's prompt; checked again when written.
    let name = user.username.as_deref().unwrap_or_default();
    let existing = state.db.find_user_by_identifier(name).await;
    if existing.or_page(&state, &headers)?.is_some() {
        return Ok(options_json(Err(taken())));
    }
    let start = passkeys::start_sign_up(&state, &user);
    Ok(options_for(&state, address, start).await)
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Answer>,
) -> Result<Response, PageError> {
    if !state.config.sign_up {
        return Ok(expired(&state, &headers));
    }
    let pending = pending_form(&state, &headers, &id, &form.csrf).await?;
    let text = pending.locale(&headers).text();
    let answer = (form.ceremony.as_str(), form.credential.as_str());
    let refused = |problem: &Error| match problem {
        Error::Conflict { .. } => Some(reason(text, problem)),
        _ => Some((text.mfa.sign_up_failed, "")),
    };
    let (user_id, username, factor, amr) = match passkeys::finish_sign_up(&state, answer).await {
        Ok(found) => found,
        Err(problem @ Error::Invalid { .. }) => {
            return render(&state, &headers, &pending, ("", ""), refused(&problem)).await;
        }
        Err(other) => return Err(other).or_page(&state, &headers),
    };
    let input = users::NewUser {
        username: Some(username.clone()),
        ..users::NewUser::default()
    };
    let mut user = users::new_user(&state, input)
        .await
        .or_page(&state, &headers)?;
    // The passkey names the account by the id it was created for.
    user.id = user_id;
    let created = audit::entry(
        &actor(&pending),
        "user.create",
        ("user", &user.id),
        json!({}),
    );
    let who = Actor::user(&user.id);
    let enrolled = mfa::audit(&who, "user.mfa.enroll", &user.id, &factor);
    let now = state.clock.now_ms();
    let written = state
        .db
        .insert_user_with_verification(&user, &factor, &[created, enrolled], now)
        .await;
    match written {
        Ok(()) => {}
        Err(latchkey_store::Error::Conflict) => {
            let entered = (username.as_str(), "");
            return render(&state, &headers, &pending, entered, refused(&taken())).await;
        }
        Err(other) => return Err(other).or_page(&state, &headers),
    }
    start_session(&state, &headers, (&user.id, amr), &id, None).await
}
