//! The sign-in page: username or email, and password.

use std::sync::OnceLock;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::response::{IntoResponse, Redirect};
use latchkey_core::grant::hash_matches;
use latchkey_core::mfa::Amr;
use latchkey_core::user::MAX_PASSWORD_BYTES;
use serde::Deserialize;
use serde_json::json;

use super::{Pending, expired, pending};
use crate::app::AppState;
use crate::audit;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::Actor;
use crate::throttle::{Budget, ClientAddress};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    interaction: &'a str,
    csrf: &'a str,
    identifier: &'a str,
    error: Option<&'a str>,
    sign_up: bool,
    /// Whether "Forgot password?" leads anywhere (mail is on).
    recovery: bool,
    /// Whether passkeys work here (the public URL's host is a domain name).
    passkey: bool,
    nonce: String,
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    csrf: String,
    identifier: String,
    password: String,
}

pub(super) async fn render_form(
    state: &AppState,
    headers: &HeaderMap,
    pending: &Pending,
    identifier: &str,
    error: Option<&str>,
) -> Result<Response, PageError> {
    let locale = pending.locale(headers);
    let name = pending.destination(state, locale.text()).await;
    let name = name.or_page(state, headers)?;
    let page = SignInPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        app_name: &name,
        interaction: &pending.interaction.id,
        csrf: &pending.csrf,
        identifier,
        error,
        sign_up: state.config.sign_up,
        recovery: crate::manage::email::enabled(state),
        passkey: crate::passkeys::available(state),
        nonce: html::nonce(),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let redirect_uri = pending.redirect_uri();
    Ok(html::render_for(status, &page, &page.nonce, redirect_uri))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let pending = pending(&state, &headers, &id).await?;
    let hint = pending.request.as_ref().and_then(|r| r.login_hint.clone());
    render_form(&state, &headers, &pending, &hint.unwrap_or_default(), None).await
}

/// A hash to verify against when the user does not exist, so that both cases cost the same.
fn decoy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        latchkey_core::user::hash_password(&latchkey_core::random::secret()).unwrap_or_default()
    })
}

/// The form again, answered 429 with `Retry-After`: the budget of failed sign-ins is spent.
async fn too_many(
    state: &AppState,
    headers: &HeaderMap,
    pending: &Pending,
    wait_ms: i64,
) -> Result<Response, PageError> {
    let minutes = latchkey_core::throttle::minutes(wait_ms).to_string();
    let text = pending.locale(headers).text();
    let message = text.too_many_attempts.replace("{minutes}", &minutes);
    let response = render_form(state, headers, pending, "", Some(&message)).await?;
    Ok(super::throttled(response, wait_ms))
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<Credentials>,
) -> Result<Response, PageError> {
    let pending = pending(&state, &headers, &id).await?;
    if !hash_matches(&form.csrf, &pending.interaction.csrf_hash) {
        return Ok(expired(&state, &headers));
    }
    let pending = &pending;
    let locale = pending.locale(&headers);
    let fail = locale.text().invalid_credentials;
    // No identifier holds a control character: refused before any look-up (never trimmed
    // away, so `alice\r\n` is not alice).
    let controlled = form.identifier.chars().any(char::is_control);
    if form.password.len() > MAX_PASSWORD_BYTES || form.identifier.len() > 256 || controlled {
        return render_form(&state, &headers, pending, "", Some(fail)).await;
    }
    let identifier = latchkey_core::user::normalize_identifier(&form.identifier);
    let typed = identifier.to_lowercase();
    let user = state.db.find_user_by_identifier(&identifier).await;
    let user = user.or_page(&state, &headers)?;
    // One counter per account, whichever of its identifiers was typed.
    let account = match &user {
        Some(user) => format!("user:{}", user.id),
        None => format!("typed:{typed}"),
    };
    let mut budget = Budget::sign_in(&account, address);
    if let Some(wait_ms) = budget.wait(&state).await.or_page(&state, &headers)? {
        let target = ("account", typed.as_str());
        let details = json!({"retryAfterSeconds": (wait_ms + 999) / 1000});
        audit::write_now(
            &state,
            &Actor::address(address),
            "sign_in.throttled",
            target,
            details,
        )
        .await;
        state.metrics.sign_in_failed();
        return too_many(&state, &headers, pending, wait_ms).await;
    }
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let matches = crate::password::verify(form.password, stored).await;
    let reason = match &user {
        None => "unknown_user",
        Some(u) if u.password_hash.is_none() => "no_password",
        Some(_) if !matches => "wrong_password",
        Some(u) if !u.is_active() => "suspended",
        Some(_) => "",
    };
    let Some(user) = user.filter(|_| reason.is_empty()) else {
        budget.failed(&state).await.or_page(&state, &headers)?;
        let details = json!({"reason": reason, "clientId": pending.interaction.client_id});
        let target = ("account", typed.as_str());
        audit::write_now(
            &state,
            &Actor::address(address),
            "sign_in.failure",
            target,
            details,
        )
        .await;
        state.metrics.sign_in_failed();
        return render_form(&state, &headers, pending, &form.identifier, Some(fail)).await;
    };
    budget.succeeded(&state).await.or_page(&state, &headers)?;
    let details =
        json!({"clientId": pending.interaction.client_id, "address": Actor::address(address).id});
    let actor = Actor::user(&user.id);
    // An enrolled user proves a second factor before any session starts.
    let factors = crate::manage::mfa::list(&state, &user.id).await;
    if crate::manage::mfa::enrolled(&factors.or_page(&state, &headers)?) {
        let password = Amr::password();
        let half = state.db.set_interaction_proof(&id, &user.id, &password);
        half.await.or_page(&state, &headers)?;
        let entry = audit::entry(&actor, "sign_in.password", ("user", &user.id), details);
        let now = state.clock.now_ms();
        state.audit.queue(entry, now);
        return Ok(Redirect::to(&format!("/second-factor/{id}")).into_response());
    }
    let entry = audit::entry(&actor, "sign_in.success", ("user", &user.id), details);
    super::start_session(
        &state,
        &headers,
        (&user.id, Amr::password()),
        &id,
        Some(entry),
    )
    .await
}
