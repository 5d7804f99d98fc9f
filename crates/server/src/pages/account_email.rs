//! The account's address (`/account/email`): whether it is proven, a code to prove it, and a
//! new address, which needs the current password (or, without one, a recent sign-in) and replaces the old one only once its
//! own code is typed (the old address is then told). Whether another account holds an
//! address is said only to whoever proved they own it.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::email::{Challenge, Purpose};
use latchkey_core::grant::{hash_matches, token_hash};
use latchkey_core::user::{User, check_email, normalize_identifier};
use serde::Deserialize;
use serde_json::json;

use super::account::{csrf_token, signed_in};
use super::code::{self, Typed, Verdict};
use super::locale;
use crate::app::AppState;
use crate::audit;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::{Locale, Text};
use crate::mail::{self, Kind};
use crate::manage::{Actor, email};
use crate::throttle::{Budget, ClientAddress};

const HERE: &str = "/account/email";

#[derive(Template)]
#[template(path = "account_email.html")]
struct EmailPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    email: Option<&'a str>,
    verified: bool,
    mail: bool,
    has_password: bool,
    csrf: &'a str,
    new_email: &'a str,
    error: Option<&'a str>,
    proven: bool,
    nonce: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    proven: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Deserialize)]
pub struct Csrf {
    csrf: String,
}

fn page(
    state: &AppState,
    headers: &HeaderMap,
    user: &User,
    (new_email, error): (&str, Option<&str>),
    proven: bool,
) -> Response {
    let locale = locale(headers, None);
    let csrf = csrf_token(state, headers).unwrap_or_default();
    let page = EmailPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        email: user.primary_email.as_deref(),
        verified: user.primary_email_verified,
        mail: email::enabled(state),
        has_password: user.password_hash.is_some(),
        csrf: &csrf,
        new_email,
        error,
        proven,
        nonce: html::nonce(),
    };
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    html::render(status, &page, &page.nonce)
}

/// The signed-in user, once the form's CSRF token is checked.
async fn user(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<User, PageError> {
    let session = signed_in(state, headers, HERE).await?;
    if let Some(csrf) = csrf {
        let expected = csrf_token(state, headers).unwrap_or_default();
        if !hash_matches(csrf, &token_hash(&expected)) {
            return Err(PageError::instead(super::expired(state, headers)));
        }
    }
    let user = state
        .db
        .find_user(&session.user_id)
        .await
        .or_page(state, headers)?;
    user.ok_or_else(|| PageError::instead(super::expired(state, headers)))
}

/// The code page for challenge `id`, whose code went to `address`.
fn form(state: &AppState, headers: &HeaderMap, id: String, address: &str) -> code::Form<'static> {
    code::Form {
        locale: locale(headers, None),
        action: format!("{HERE}/code"),
        csrf: "".into(),
        challenge: id,
        email: Some(address.to_owned()),
        code: String::new(),
        new_password: false,
        resend: true,
        redirect_uri: None,
    }
    .with_csrf(csrf_token(state, headers))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let user = user(&state, &headers, None).await?;
    Ok(page(
        &state,
        &headers,
        &user,
        ("", None),
        shown.proven.is_some(),
    ))
}

/// Send a code to `address` for `user`, within the limits; the code page, or why not.
async fn send(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddress,
    user: &User,
    address: &str,
) -> Result<Response, PageError> {
    let locale: Locale = locale(headers, None);
    let refusal = mail::address_refusal(state, client, locale).await;
    if let Some((message, _)) = refusal.or_page(state, headers)? {
        let mut response = page(state, headers, user, (address, Some(&message)), false);
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(response);
    }
    let id = email::send_verification(state, user, address, locale).await;
    let id = id.map_err(|e| PageError::new(state, headers, e))?;
    Ok(form(state, headers, id, address).render(state, None, None, None))
}

/// "Verify it": a code to the current address.
pub async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientAddress,
    Form(form): Form<Csrf>,
) -> Result<Response, PageError> {
    let user = user(&state, &headers, Some(&form.csrf)).await?;
    match user.primary_email.clone() {
        Some(address) if email::enabled(&state) => {
            send(&state, &headers, client, &user, &address).await
        }
        _ => Ok(Redirect::to(HERE).into_response()),
    }
}

/// A new address, with the current password.
pub async fn change(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientAddress,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let user = user(&state, &headers, Some(&form.csrf)).await?;
    if !email::enabled(&state) {
        return Ok(Redirect::to(HERE).into_response());
    }
    let text = locale(&headers, None).text();
    let address = normalize_identifier(&form.email);
    let refuse = |error: &str| {
        Ok(page(
            &state,
            &headers,
            &user,
            (&form.email, Some(error)),
            false,
        ))
    };
    if check_email(&address).is_err() {
        return refuse(text.invalid_email);
    }
    let same = user
        .primary_email
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case(&address));
    if same && user.primary_email_verified {
        return refuse(text.email.same_email);
    }
    if let Some(stored) = user.password_hash.clone() {
        let mut budget = Budget::sign_in(&format!("user:{}", user.id), client);
        if let Some(wait) = budget.wait(&state).await.or_page(&state, &headers)? {
            let minutes = latchkey_core::throttle::minutes(wait).to_string();
            return refuse(&text.too_many_attempts.replace("{minutes}", &minutes));
        }
        if !crate::password::verify(form.password.clone(), stored).await {
            budget.failed(&state).await.or_page(&state, &headers)?;
            return refuse(text.email.wrong_password);
        }
        budget.succeeded(&state).await.or_page(&state, &headers)?;
    } else {
        // No password to ask for (a passkey-only account): a recent sign-in instead.
        super::account::signed_in_recently(&state, &headers, HERE).await?;
    }
    send(&state, &headers, client, &user, &address).await
}

/// The code for an address of this account (or "send a new code").
pub async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: ClientAddress,
    Form(typed): Form<Typed>,
) -> Result<Response, PageError> {
    let user = user(&state, &headers, Some(&typed.csrf)).await?;
    let found = state
        .db
        .find_challenge(&typed.challenge)
        .await
        .or_page(&state, &headers)?;
    let ours = |c: &Challenge| {
        c.user_id.as_deref() == Some(user.id.as_str())
            && matches!(c.purpose, Purpose::Verify | Purpose::Change)
    };
    let Some(challenge) = found.filter(ours) else {
        return Ok(Redirect::to(HERE).into_response());
    };
    if typed.resend.is_some() {
        return send(&state, &headers, client, &user, &challenge.email.clone()).await;
    }
    let form = form(&state, &headers, challenge.id.clone(), &challenge.email);
    let verdict = code::check(&state, client, &form, Some(challenge), &typed.code).await;
    let challenge = match verdict.or_page(&state, &headers)? {
        Verdict::Valid(challenge) => challenge,
        Verdict::Refused(response) => return Ok(response),
    };
    let locale = locale(&headers, None);
    let current = user.primary_email.as_deref();
    let same = current.is_some_and(|c| c.eq_ignore_ascii_case(&challenge.email));
    // A code for the address the account had before a change proves nothing now.
    if challenge.purpose == Purpose::Verify && !same {
        let spent = locale.text().email.code_spent;
        return Ok(form.render(&state, None, Some(spent), None));
    }
    let old = current.filter(|_| !same);
    let told: Vec<_> = old
        .map(|old| email::notice(&state, Kind::EmailChanged, old, &user, locale))
        .into_iter()
        .collect();
    let now = state.clock.now_ms();
    let proven = state
        .db
        .prove_email(&challenge, &challenge.code_hash, now, &told)
        .await;
    let text = locale.text();
    match proven {
        Ok(true) => {
            mail::queued(&state, told.len());
            let action = match old {
                Some(_) => "user.email.change",
                None => "user.email.verify",
            };
            let actor = Actor::user(&user.id);
            audit::write_now(&state, &actor, action, ("user", &user.id), json!({})).await;
            Ok(Redirect::to(&format!("{HERE}?proven=1")).into_response())
        }
        Ok(false) => Ok(form.render(&state, None, Some(text.email.code_spent), None)),
        Err(latchkey_store::Error::Conflict) => {
            Ok(form.render(&state, None, Some(text.email.email_taken), None))
        }
        Err(e) => Err(PageError::new(&state, &headers, e)),
    }
}
