//! `/device` (RFC 8628 §3.3): a person types the code their device shows (or follows the
//! link that carries it, and still sees it before going on); a live code starts the
//! device's authorization request as an interaction like any other, through sign-in and
//! the consent or confirmation page. Wrong codes are counted against the address. Once the
//! user decides, the device gets its answer at its next poll, and the user a page saying so.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::device::normalize_user_code;
use latchkey_core::grant::token_hash;
use latchkey_core::throttle::{USER_CODES_PER_ADDRESS, minutes};
use latchkey_core::{ErrorCode, OAuthError};
use serde::Deserialize;

use super::locale;
use crate::app::AppState;
use crate::audit;
use crate::browser;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::Actor;
use crate::throttle::{ClientAddress, per_address};

#[derive(Template)]
#[template(path = "device.html")]
struct CodePage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    user_code: &'a str,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Code {
    #[serde(default)]
    user_code: String,
}

fn code_page(
    state: &AppState,
    headers: &HeaderMap,
    typed: &str,
    error: Option<String>,
) -> Response {
    let locale = locale(headers, None);
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    let page = CodePage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        user_code: typed,
        error,
    };
    html::render(status, &page, &html::nonce())
}

/// The form, with the code filled in when the link carried it (`verification_uri_complete`):
/// the person still compares it with their device's and presses Continue.
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(code): Query<Code>,
) -> Response {
    code_page(&state, &headers, code.user_code.trim(), None)
}

/// A typed code: a live one starts its request's interaction; anything else is counted
/// against the address and said plainly.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Form(code): Form<Code>,
) -> Result<Response, PageError> {
    let text = locale(&headers, None).text();
    let now = state.clock.now_ms();
    let limit = per_address(&state, "user-code", address, &USER_CODES_PER_ADDRESS).await;
    let (key, wait) = limit.or_page(&state, &headers)?;
    if let Some(wait) = wait {
        let why = text
            .too_many_attempts
            .replace("{minutes}", &minutes(wait).to_string());
        return Ok(code_page(&state, &headers, &code.user_code, Some(why)));
    }
    let authorization = match normalize_user_code(&code.user_code) {
        Some(normal) => {
            let hash = token_hash(&normal);
            let found = state.db.find_device_by_user_code(&hash, now).await;
            found.or_page(&state, &headers)?
        }
        None => None,
    };
    let Some(authorization) = authorization else {
        let counted = crate::throttle::count(&state, &key, &USER_CODES_PER_ADDRESS, now).await;
        counted.or_page(&state, &headers)?;
        let why = text.device.wrong_code.to_owned();
        return Ok(code_page(&state, &headers, &code.user_code, Some(why)));
    };
    let session = browser::current_session(&state, &headers).await;
    let session = session.or_page(&state, &headers)?;
    let page = match session {
        Some(_) => "consent",
        None => "sign-in",
    };
    let client_id = Some(authorization.client_id.as_str());
    let begun = browser::begin_interaction(
        &state,
        &headers,
        client_id,
        authorization.request,
        session.as_ref(),
        page,
    );
    begun.await.or_page(&state, &headers)
}

#[derive(Template)]
#[template(path = "device_done.html")]
struct DonePage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    title: &'static str,
    app_name: &'a str,
    message: &'static str,
}

/// What the user sees once their decision reached the device: approved (its grant and code
/// are recorded), or refused or failed (`error`; a denial is recorded for the device's next
/// poll, if it was still undecided).
pub async fn answered(
    state: &AppState,
    headers: &HeaderMap,
    (request, actor): (&AuthorizationRequest, &Actor),
    outcome: Result<(), &OAuthError>,
) -> Response {
    let words = locale(headers, Some(request)).text().device;
    let id = request.device.as_deref().unwrap_or_default();
    // Any failure ends the device's wait: its next poll hears `access_denied` rather than
    // `authorization_pending` until the code expires.
    if outcome.is_err()
        && let Err(e) = state.db.deny_device(id, state.clock.now_ms()).await
    {
        return PageError::new(state, headers, e).into_response();
    }
    let (status, title, message, action) = match outcome {
        Ok(()) => (
            StatusCode::OK,
            words.approved_title,
            words.approved,
            "device.approve",
        ),
        Err(error) if error.code == ErrorCode::AccessDenied => (
            StatusCode::OK,
            words.denied_title,
            words.denied,
            "device.deny",
        ),
        Err(_) => (
            StatusCode::BAD_REQUEST,
            words.denied_title,
            words.failed,
            "device.fail",
        ),
    };
    let details =
        serde_json::json!({"clientId": request.client_id, "scope": request.scope.to_string()});
    audit::write_now(state, actor, action, ("device_authorization", id), details).await;
    let locale = locale(headers, Some(request));
    let app_name = match state.cache.client(&state.db, &request.client_id).await {
        Ok(Some(entry)) => super::display_name(state, &entry.application)
            .await
            .unwrap_or_default(),
        _ => String::new(),
    };
    let page = DonePage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        title,
        app_name: &app_name,
        message,
    };
    html::render(status, &page, &html::nonce())
}
