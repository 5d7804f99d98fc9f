//! Password recovery (`/recover`), linked from the sign-in page when mail is on. A person
//! names their account; the answer is the same page, after the same steps, whether or not an
//! account matches (an unknown account gets a challenge nothing opens). The code, typed or carried by the mail's link, lets them set a
//! new password, which ends every session of the account; the owner is told by mail.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use latchkey_core::email::Purpose;
use latchkey_core::user::{MAX_PASSWORD_BYTES, check_password};
use serde::Deserialize;
use serde_json::json;

use super::code::{self, Typed, Verdict};
use super::locale;
use crate::app::AppState;
use crate::audit;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::{Locale, Text};
use crate::mail::{self, Kind};
use crate::manage::{Actor, email};
use crate::throttle::ClientAddress;

#[derive(Template)]
#[template(path = "recover.html")]
struct RequestPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    interaction: &'a str,
    identifier: &'a str,
    error: Option<&'a str>,
    back: &'a str,
}

#[derive(Template)]
#[template(path = "notice.html")]
struct DonePage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    title: &'a str,
    message: &'a str,
    link: (&'a str, &'a str),
}

/// The sign-in the person came from, to go back to.
#[derive(Debug, Default, Deserialize)]
pub struct From {
    #[serde(default)]
    interaction: String,
    /// From the mail's link.
    #[serde(default)]
    code: String,
}

#[derive(Debug, Deserialize)]
pub struct Request {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    interaction: String,
}

/// Without mail there is no recovery: the page does not exist.
async fn absent(state: AppState, headers: HeaderMap) -> Response {
    super::not_found(State(state), headers).await
}

/// The interaction id, if it looks like one (it only ever builds a link back).
fn interaction(value: &str) -> &str {
    let plausible = value.len() <= 64 && value.bytes().all(|b| b.is_ascii_alphanumeric());
    if plausible { value } else { "" }
}

fn back(interaction: &str) -> String {
    match interaction {
        "" => "/account".to_owned(),
        id => format!("/sign-in/{id}"),
    }
}

fn form(locale: Locale, challenge: &str, from: &str, code: &str) -> code::Form<'static> {
    code::Form {
        locale,
        action: format!("/recover/{challenge}?interaction={from}"),
        csrf: "".into(),
        challenge: challenge.to_owned(),
        email: None,
        code: code.to_owned(),
        new_password: true,
        resend: false,
        redirect_uri: None,
    }
}

fn request_page(
    state: &AppState,
    headers: &HeaderMap,
    (from, identifier): (&str, &str),
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let locale = locale(headers, None);
    let back = back(from);
    let page = RequestPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        interaction: from,
        identifier,
        error,
        back: &back,
    };
    html::render(status, &page, &html::nonce())
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(from): Query<From>,
) -> Response {
    if !email::enabled(&state) {
        return absent(state, headers).await;
    }
    let from = interaction(&from.interaction);
    request_page(&state, &headers, (from, ""), None, StatusCode::OK)
}

/// An account named: the code page, whatever happens next.
pub async fn request(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Form(asked): Form<Request>,
) -> Result<Response, PageError> {
    if !email::enabled(&state) {
        return Ok(absent(state, headers).await);
    }
    let locale = locale(&headers, None);
    let from = interaction(&asked.interaction);
    let refusal = mail::address_refusal(&state, address, locale).await;
    if let Some((message, _)) = refusal.or_page(&state, &headers)? {
        let entered = (from, asked.identifier.as_str());
        let status = StatusCode::TOO_MANY_REQUESTS;
        return Ok(request_page(
            &state,
            &headers,
            entered,
            Some(&message),
            status,
        ));
    }
    let id = latchkey_core::random::id();
    email::recover(&state, id.clone(), &asked.identifier, locale)
        .await
        .or_page(&state, &headers)?;
    Ok(form(locale, &id, from, "").render(&state, None, None, None))
}

/// The code page, from the mail's link (the code filled in) or typed by hand.
pub async fn show_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(from): Query<From>,
) -> Response {
    if !email::enabled(&state) {
        return absent(state, headers).await;
    }
    let locale = locale(&headers, None);
    let code = latchkey_core::email::normalize_code(&from.code);
    let code = if code.len() <= 12 {
        code
    } else {
        String::new()
    };
    form(locale, &id, interaction(&from.interaction), &code).render(&state, None, None, None)
}

/// A code and a new password.
pub async fn reset(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Query(from): Query<From>,
    Form(typed): Form<Typed>,
) -> Result<Response, PageError> {
    if !email::enabled(&state) {
        return Ok(absent(state, headers).await);
    }
    let locale = locale(&headers, None);
    let text = locale.text();
    let from = interaction(&from.interaction);
    let found = state
        .db
        .find_challenge(&id)
        .await
        .or_page(&state, &headers)?;
    let found = found.filter(|c| c.purpose == Purpose::Recovery);
    let page = form(locale, &id, from, "");
    let verdict = code::check(&state, address, &page, found, &typed.code).await;
    let challenge = match verdict.or_page(&state, &headers)? {
        Verdict::Valid(challenge) => challenge,
        Verdict::Refused(response) => return Ok(response),
    };
    // The code stays good while the new password is refused.
    let kept = form(locale, &id, from, &typed.code);
    if typed.password.len() > MAX_PASSWORD_BYTES {
        let problem = text.password_problem("user.password_too_long");
        return Ok(kept.render(&state, None, None, Some(problem)));
    }
    if let Err(invalid) = check_password(&typed.password) {
        let problem = text.password_problem(invalid.code);
        return Ok(kept.render(&state, None, None, Some(problem)));
    }
    let user_id = challenge.user_id.clone().unwrap_or_default();
    let user = state
        .db
        .find_user(&user_id)
        .await
        .or_page(&state, &headers)?;
    // Suspended since the code was sent: the code opens nothing.
    let Some(user) = user.filter(|u| u.is_active()) else {
        return Ok(page.render(&state, None, Some(text.email.code_spent), None));
    };
    let Some(hash) = crate::password::hash(typed.password).await else {
        return Err(PageError::new(
            &state,
            &headers,
            crate::manage::Error::Internal("password hashing failed".into()),
        ));
    };
    // Told at the account's address now (the code went to the one it had then).
    let to = user.primary_email.as_deref().unwrap_or(&challenge.email);
    let told = [email::notice(
        &state,
        Kind::PasswordChanged,
        to,
        &user,
        locale,
    )];
    let now = state.clock.now_ms();
    let done = state
        .db
        .recover_password(&challenge, &challenge.code_hash, now, &hash, &told);
    if !done.await.or_page(&state, &headers)? {
        return Ok(page.render(&state, None, Some(text.email.code_spent), None));
    }
    mail::queued(&state, 1);
    let details = json!({"sessionsEnded": true, "tokensRevoked": true, "by": "email"});
    let actor = Actor::user(&user.id);
    audit::write_now(
        &state,
        &actor,
        "user.password.recover",
        ("user", &user.id),
        details,
    )
    .await;
    let back = back(from);
    let done = DonePage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        title: text.email.reset_done_title,
        message: text.email.reset_done,
        link: (text.email.back_to_sign_in, &back),
    };
    Ok(html::render(StatusCode::OK, &done, &html::nonce()))
}
