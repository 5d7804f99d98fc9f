//! The page where a code sent by mail is typed: after sign-up, for an address on the
//! account page, and (with a new password) for recovery. Also what a typed code does to
//! the address's budget of wrong codes.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use latchkey_core::email::{Challenge, Check};
use latchkey_core::throttle::{EMAIL_CODES_PER_ADDRESS, minutes};
use serde::Deserialize;

use crate::app::AppState;
use crate::html;
use crate::i18n::{Locale, Text};
use crate::throttle::{ClientAddress, count, per_address};

#[derive(Template)]
#[template(path = "email_code.html")]
struct CodePage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    title: &'a str,
    message: &'a str,
    notice: Option<&'a str>,
    error: Option<&'a str>,
    action: &'a str,
    csrf: &'a str,
    challenge: &'a str,
    code: &'a str,
    new_password: bool,
    password_error: Option<&'a str>,
    button: &'a str,
    resend: bool,
    nonce: String,
}

/// What the form posts.
#[derive(Debug, Default, Deserialize)]
pub struct Typed {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub challenge: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub password: String,
    /// Set by the "send a new code" button.
    #[serde(default)]
    pub resend: Option<String>,
}

/// One rendering of the code page.
pub struct Form<'a> {
    pub locale: Locale,
    /// Where the form posts, with its CSRF token and the challenge it answers.
    pub action: String,
    pub csrf: std::borrow::Cow<'a, str>,
    pub challenge: String,
    /// The address the code went to, shown in the message (the recovery page names none).
    pub email: Option<String>,
    pub code: String,
    pub new_password: bool,
    pub resend: bool,
    /// The client's redirect URI, when the form ends there (sign-up): the page's CSP allows it.
    pub redirect_uri: Option<&'a str>,
}

impl Form<'_> {
    /// The same form with CSRF token `csrf`, owned.
    pub fn with_csrf(self, csrf: Option<String>) -> Form<'static> {
        Form {
            csrf: csrf.unwrap_or_default().into(),
            redirect_uri: None,
            action: self.action,
            challenge: self.challenge,
            email: self.email,
            code: self.code,
            locale: self.locale,
            new_password: self.new_password,
            resend: self.resend,
        }
    }

    pub fn render(
        &self,
        state: &AppState,
        notice: Option<&str>,
        error: Option<&str>,
        password_error: Option<&str>,
    ) -> Response {
        let text = self.locale.text();
        let message = match &self.email {
            Some(email) => text.email.code_sent.replace("{email}", email),
            None => text.email.recover_sent.to_owned(),
        };
        let (title, button) = match self.new_password {
            true => (text.email.recover_title, text.email.reset_button),
            false => (text.email.code_title, text.email.code_button),
        };
        let page = CodePage {
            lang: self.locale.tag(),
            company: &state.config.company_name,
            logo: state.config.logo_url.as_deref(),
            text,
            title,
            message: &message,
            notice,
            error,
            action: &self.action,
            csrf: &self.csrf,
            challenge: &self.challenge,
            code: &self.code,
            new_password: self.new_password,
            password_error,
            button,
            resend: self.resend,
            nonce: html::nonce(),
        };
        let status = match error.or(password_error) {
            Some(_) => StatusCode::BAD_REQUEST,
            None => StatusCode::OK,
        };
        html::render_for(status, &page, &page.nonce, self.redirect_uri)
    }

    /// The page answered 429 with `Retry-After`, saying how long to wait.
    pub fn too_many(&self, state: &AppState, message: &str, wait_ms: i64) -> Response {
        let message = message.replace("{minutes}", &minutes(wait_ms).to_string());
        let mut response = self.render(state, None, Some(&message), None);
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        if let Ok(value) = HeaderValue::from_str(&((wait_ms + 999) / 1000).to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// What became of a typed code.
pub enum Verdict {
    /// Right: the caller consumes the challenge with what it proves.
    Valid(Challenge),
    /// The page to answer with: a wrong or spent code, or the address must wait.
    Refused(Response),
}

/// Check `typed` against `challenge` (none: a code for nothing, answered like a wrong one),
/// counting a wrong code against the challenge and the address.
pub async fn check(
    state: &AppState,
    address: ClientAddress,
    form: &Form<'_>,
    challenge: Option<Challenge>,
    typed: &str,
) -> Result<Verdict, latchkey_store::Error> {
    let text = form.locale.text();
    let (key, wait) = per_address(state, "email-code", address, &EMAIL_CODES_PER_ADDRESS).await?;
    if let Some(wait) = wait {
        return Ok(Verdict::Refused(form.too_many(
            state,
            text.too_many_attempts,
            wait,
        )));
    }
    let now = state.clock.now_ms();
    let verdict = challenge.as_ref().map(|c| c.check(typed, now));
    let message = match (verdict, challenge) {
        (Some(Check::Valid), Some(challenge)) => return Ok(Verdict::Valid(challenge)),
        (Some(Check::Spent), _) => text.email.code_spent,
        (Some(Check::Wrong), Some(challenge)) => {
            state.db.count_challenge_failure(&challenge.id).await?;
            count(state, &key, &EMAIL_CODES_PER_ADDRESS, now).await?;
            text.email.code_wrong
        }
        _ => {
            count(state, &key, &EMAIL_CODES_PER_ADDRESS, now).await?;
            text.email.code_wrong
        }
    };
    Ok(Verdict::Refused(form.render(
        state,
        None,
        Some(message),
        None,
    )))
}
