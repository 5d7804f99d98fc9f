//! The account's connected apps (`/account/apps`): the third-party applications the signed-in
//! user allowed, what each may access, and **Remove access**. Without a session the browser
//! signs in first and comes back here.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::grant::{hash_matches, token_hash};
use latchkey_core::session::Session;
use serde::Deserialize;

use super::locale;
use crate::app::AppState;
use crate::browser::{self, SESSION_COOKIE};
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::{Actor, grants};

const APPS: &str = "/account/apps";

#[derive(Template)]
#[template(path = "account_apps.html")]
struct AppsPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    apps: Vec<AppRow>,
    csrf: String,
}

struct AppRow {
    grant_id: String,
    name: String,
    logo: Option<String>,
    access: Vec<String>,
    offline: bool,
    since: String,
    last_used: String,
}

#[derive(Debug, Deserialize)]
pub struct Removal {
    csrf: String,
}

/// The account forms' CSRF token: derived from the session cookie, which a cross-site page
/// can neither read nor guess, so nothing needs storing.
fn csrf_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    browser::cookie(state, headers, SESSION_COOKIE)
        .map(|v| token_hash(&format!("account-form:{v}")))
}

/// The signed-in session, or the sign-in to go through first.
async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Session, PageError> {
    match browser::current_session(state, headers)
        .await
        .or_page(state, headers)?
    {
        Some(session) => Ok(session),
        None => {
            let request = serde_json::json!({ "return_to": APPS }).to_string();
            let begun =
                browser::begin_interaction(state, headers, None, request, None, "sign-in").await;
            Err(PageError::instead(begun.or_page(state, headers)?))
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers).await?;
    let text = locale(&headers, None).text();
    let found = grants::list(&state, &session.user_id, Some(true)).await;
    let found = found.or_page(&state, &headers)?;
    let mut apps = Vec::with_capacity(found.len());
    for grant in found {
        let branding = state
            .db
            .find_sign_in_experience(&grant.application.id)
            .await;
        let branding = branding.or_page(&state, &headers)?.unwrap_or_default();
        let access = grant.access(text);
        apps.push(AppRow {
            grant_id: grant.id,
            name: branding.display_name.unwrap_or(grant.application.name),
            logo: branding.logo_url,
            access,
            offline: grant.user_scopes.iter().any(|s| s == "offline_access"),
            since: html::date(grant.created_at),
            last_used: html::date(grant.last_used_at),
        });
    }
    let page = AppsPage {
        lang: locale(&headers, None).tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text,
        apps,
        csrf: csrf_token(&state, &headers).unwrap_or_default(),
    };
    Ok(html::render(StatusCode::OK, &page, &html::nonce()))
}

pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(grant_id): Path<String>,
    Form(form): Form<Removal>,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers).await?;
    let expected = csrf_token(&state, &headers).unwrap_or_default();
    if !hash_matches(&form.csrf, &token_hash(&expected)) {
        return Ok(super::expired(&state, &headers));
    }
    let actor = Actor::user(&session.user_id);
    match grants::revoke(&state, &actor, &session.user_id, &grant_id).await {
        // Gone already (another tab) is as good as removed.
        Ok(()) | Err(crate::manage::Error::NotFound(_)) => Ok(Redirect::to(APPS).into_response()),
        Err(problem) => Err(PageError::new(&state, &headers, problem)),
    }
}
