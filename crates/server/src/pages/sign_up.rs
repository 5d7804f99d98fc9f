//! The sign-up page (when enabled): username, optional email, password. The account is
//! created through the same operation as the management API's, then signed in.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use latchkey_core::grant::hash_matches;
use latchkey_core::mfa::Amr;
use serde::Deserialize;

use super::{Pending, expired, pending, start_session};
use crate::app::AppState;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::{Actor, Error, email, users};
use crate::throttle::ClientAddress;

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    interaction: &'a str,
    csrf: &'a str,
    username: &'a str,
    email: &'a str,
    /// What is wrong, in the page's language, and the field it concerns (empty for the form).
    error: Option<(&'a str, &'static str)>,
    /// Whether an account can be created with a passkey alone.
    passkey: bool,
    nonce: String,
}

#[derive(Debug, Deserialize)]
pub struct NewAccount {
    csrf: String,
    username: String,
    #[serde(default)]
    email: String,
    password: String,
}

pub(super) async fn render(
    state: &AppState,
    headers: &HeaderMap,
    pending: &Pending,
    (username, email): (&str, &str),
    error: Option<(&str, &'static str)>,
) -> Result<Response, PageError> {
    let locale = pending.locale(headers);
    let app_name = pending.destination(state, locale.text()).await;
    let app_name = app_name.or_page(state, headers)?;
    let page = SignUpPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        app_name: &app_name,
        interaction: &pending.interaction.id,
        csrf: &pending.csrf,
        username,
        email,
        error,
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

/// Why the account was not created, in words the person can act on, and the field at fault.
pub(super) fn reason(text: &'static Text, problem: &Error) -> (&'static str, &'static str) {
    let code = match problem {
        Error::Conflict { .. } => return (text.account_exists, "username"),
        Error::Invalid { code, .. } => code.as_ref(),
        _ => "",
    };
    match code {
        code if code.starts_with("user.password_") => (text.password_problem(code), "password"),
        "user.invalid_username" => (text.invalid_username, "username"),
        "user.invalid_email" => (text.invalid_email, "email"),
        _ => (text.sign_up_invalid, ""),
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    if !state.config.sign_up {
        return Ok(expired(&state, &headers));
    }
    let pending = pending(&state, &headers, &id).await?;
    render(&state, &headers, &pending, ("", ""), None).await
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<NewAccount>,
) -> Result<Response, PageError> {
    if !state.config.sign_up {
        return Ok(expired(&state, &headers));
    }
    let pending = pending(&state, &headers, &id).await?;
    if !hash_matches(&form.csrf, &pending.interaction.csrf_hash) {
        return Ok(expired(&state, &headers));
    }
    let input = users::NewUser {
        username: Some(form.username.clone()),
        primary_email: Some(form.email.clone()).filter(|e| !e.trim().is_empty()),
        password: Some(form.password),
        ..users::NewUser::default()
    };
    let entered = (form.username.as_str(), form.email.as_str());
    let refused = |problem: Error| Some(reason(pending.locale(&headers).text(), &problem));
    let user = match users::new_user(&state, input).await {
        Ok(user) => user,
        Err(problem) => return render(&state, &headers, &pending, entered, refused(problem)).await,
    };
    // With mail, an address is proven by a code: before the account exists, or after.
    if email::enabled(&state) && user.primary_email.is_some() {
        return super::sign_up_code::begin(&state, &headers, address, &pending, user).await;
    }
    match users::add(&state, &actor(&pending), user, None).await {
        Ok(user) => start_session(&state, &headers, (&user.id, Amr::password()), &id, None).await,
        Err(problem) => render(&state, &headers, &pending, entered, refused(problem)).await,
    }
}

/// Who creates an account on the sign-up page, for the audit log.
pub(super) fn actor(pending: &Pending) -> Actor {
    Actor {
        kind: "self_service",
        id: pending
            .interaction
            .client_id
            .clone()
            .unwrap_or_else(|| "account".into()),
    }
}
