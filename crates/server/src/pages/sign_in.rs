//! The sign-in page: username or email, and password.

use std::sync::OnceLock;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::grant::{hash_matches, token_hash};
use latchkey_core::session::{Interaction, Session};
use latchkey_core::user::MAX_PASSWORD_BYTES;
use serde::Deserialize;

use crate::app::AppState;
use crate::browser::{self, INTERACTION_COOKIE, SESSION_ABSOLUTE_MS, SESSION_COOKIE};
use crate::html::{self, ErrorPage};
use crate::i18n::{Locale, Text};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage<'a> {
    lang: &'static str,
    company: &'a str,
    text: &'static Text,
    app_name: &'a str,
    interaction: &'a str,
    csrf: &'a str,
    identifier: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub struct Credentials {
    csrf: String,
    identifier: String,
    password: String,
}

fn locale(headers: &HeaderMap, request: Option<&AuthorizationRequest>) -> Locale {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Locale::negotiate(request.and_then(|r| r.ui_locales.as_deref()), accept)
}

fn expired(state: &AppState, headers: &HeaderMap) -> Response {
    let locale = locale(headers, None);
    let page = ErrorPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        text: locale.text(),
        message: locale.text().expired_interaction,
        code: None,
    };
    html::render(StatusCode::BAD_REQUEST, &page, &html::nonce())
}

/// The pending interaction, only for the browser it was started in: that browser holds the
/// binding secret whose hash the interaction stores. The same secret is the form's CSRF
/// token (a cross-site page can neither read the cookie nor guess it).
async fn pending(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Option<(Interaction, AuthorizationRequest, String)> {
    let binding = browser::cookie(headers, INTERACTION_COOKIE)?;
    let interaction = state
        .db
        .find_interaction(id, state.clock.now_ms())
        .await
        .ok()
        .flatten()?;
    if !hash_matches(binding, &interaction.csrf_hash) {
        return None;
    }
    let request = serde_json::from_str(&interaction.request).ok()?;
    Some((interaction, request, binding.to_owned()))
}

async fn app_name(state: &AppState, client_id: &str) -> String {
    state
        .db
        .find_application(client_id)
        .await
        .ok()
        .flatten()
        .map(|a| a.name)
        .unwrap_or_default()
}

async fn render_form(
    state: &AppState,
    headers: &HeaderMap,
    (interaction, request, csrf): (&Interaction, &AuthorizationRequest, &str),
    identifier: &str,
    error: Option<&str>,
) -> Response {
    let locale = locale(headers, Some(request));
    let name = app_name(state, &interaction.client_id).await;
    let page = SignInPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        text: locale.text(),
        app_name: &name,
        interaction: &interaction.id,
        csrf,
        identifier,
        error,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html::render(status, &page, &html::nonce())
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    match pending(&state, &headers, &id).await {
        Some((interaction, request, csrf)) => {
            let hint = request.login_hint.clone().unwrap_or_default();
            render_form(
                &state,
                &headers,
                (&interaction, &request, &csrf),
                &hint,
                None,
            )
            .await
        }
        None => expired(&state, &headers),
    }
}

/// A hash to verify against when the user does not exist, so that both cases cost the same.
fn decoy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        latchkey_core::user::hash_password(&latchkey_core::random::secret()).unwrap_or_default()
    })
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Credentials>,
) -> Response {
    let Some((interaction, request, csrf)) = pending(&state, &headers, &id).await else {
        return expired(&state, &headers);
    };
    if !hash_matches(&form.csrf, &interaction.csrf_hash) {
        return expired(&state, &headers);
    }
    let pending = (&interaction, &request, csrf.as_str());
    let locale = locale(&headers, Some(&request));
    let fail = locale.text().invalid_credentials;
    if form.password.len() > MAX_PASSWORD_BYTES || form.identifier.len() > 256 {
        return render_form(&state, &headers, pending, "", Some(fail)).await;
    }
    let user = state
        .db
        .find_user_by_identifier(form.identifier.trim())
        .await
        .ok()
        .flatten();
    let stored = user
        .as_ref()
        .and_then(|u| u.password_hash.clone())
        .unwrap_or_else(|| decoy_hash().to_owned());
    let matches = crate::password::verify(form.password, stored).await;
    let Some(user) = user.filter(|u| matches && !u.is_suspended && u.password_hash.is_some())
    else {
        return render_form(&state, &headers, pending, &form.identifier, Some(fail)).await;
    };
    // Always a new session id after sign-in: a planted cookie can never become signed in.
    let now = state.clock.now_ms();
    if let Some(old) = browser::cookie(&headers, SESSION_COOKIE) {
        let _ = state.db.delete_session(&token_hash(old)).await;
    }
    let value = latchkey_core::random::secret();
    let session = Session {
        id_hash: token_hash(&value),
        user_id: user.id.clone(),
        auth_time: now,
        created_at: now,
        last_seen_at: now,
        expires_at: now + SESSION_ABSOLUTE_MS,
    };
    if let Err(e) = state.db.insert_session(&session).await {
        return crate::error::Error::from(e).into_response();
    }
    let mut response = Redirect::to(&format!("/oidc/auth/resume/{id}")).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        browser::set_cookie(&state, SESSION_COOKIE, &value, SESSION_ABSOLUTE_MS / 1000),
    );
    response
}
