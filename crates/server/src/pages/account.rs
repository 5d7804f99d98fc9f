//! The account: its home (`/account`: who is signed in, the address, the connected apps, sign
//! out) and its connected apps (`/account/apps`: the third-party applications the user
//! allowed, what each may access, and **Remove access**, confirmed on a page of its own and
//! then said done).
//! Without a session the browser signs in first and comes back to the page it asked for.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
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
use crate::manage::{Actor, grants, organization_consent};

const HOME: &str = "/account";
const APPS: &str = "/account/apps";

#[derive(Template)]
#[template(path = "account.html")]
struct HomePage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    name: String,
    /// The username or email shown beside the name.
    detail: Option<String>,
    email: Option<String>,
    verified: bool,
    /// Passkeys and authenticator apps enrolled.
    factors: usize,
}

#[derive(Template)]
#[template(path = "account_remove.html")]
struct RemovePage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app: AppRow,
    csrf: String,
}

#[derive(Template)]
#[template(path = "account_apps.html")]
struct AppsPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    apps: Vec<AppRow>,
    csrf: String,
    /// Just removed one: said so at the top.
    removed: bool,
}

struct AppRow {
    grant_id: String,
    app_id: String,
    /// The organizations the user let it into: (id, name), each removable alone.
    organizations: Vec<(String, String)>,
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
    /// Set by the confirmation page: without it, the answer is that page.
    #[serde(default)]
    confirmed: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Shown {
    removed: Option<String>,
}

/// The account forms' CSRF token: derived from the session cookie, which a cross-site page
/// can neither read nor guess, so nothing needs storing.
pub(super) fn csrf_token(state: &AppState, headers: &HeaderMap) -> Option<String> {
    browser::cookie(state, headers, SESSION_COOKIE)
        .map(|v| token_hash(&format!("account-form:{v}")))
}

/// The signed-in session, or the sign-in to go through first, coming back to `here`.
pub(super) async fn signed_in(
    state: &AppState,
    headers: &HeaderMap,
    here: &str,
) -> Result<Session, PageError> {
    match browser::current_session(state, headers)
        .await
        .or_page(state, headers)?
    {
        // Under `LATCHKEY_MFA=required`, one factor is not enough here either.
        Some(session) if !state.config.mfa.admits(&session.amr) => {
            let request = serde_json::json!({ "return_to": here }).to_string();
            let begun = browser::begin_interaction(
                state,
                headers,
                None,
                request,
                Some(&session),
                "second-factor",
            );
            Err(PageError::instead(begun.await.or_page(state, headers)?))
        }
        Some(session) => Ok(session),
        None => {
            let request = serde_json::json!({ "return_to": here }).to_string();
            let begun =
                browser::begin_interaction(state, headers, None, request, None, "sign-in").await;
            Err(PageError::instead(begun.or_page(state, headers)?))
        }
    }
}

/// The session, if its sign-in is recent enough to change how the account signs in;
/// otherwise the sign-in (password or passkey, then any second factor) to go through again,
/// coming back to `here`.
pub(super) async fn signed_in_recently(
    state: &AppState,
    headers: &HeaderMap,
    here: &str,
) -> Result<Session, PageError> {
    let session = signed_in(state, headers, here).await?;
    let now = state.clock.now_ms();
    if session.satisfies_max_age(Some(latchkey_core::lifetimes::REAUTH_SECS), now) {
        return Ok(session);
    }
    let request = serde_json::json!({ "return_to": here }).to_string();
    let begun = browser::begin_interaction(state, headers, None, request, None, "sign-in").await;
    Err(PageError::instead(begun.or_page(state, headers)?))
}

pub async fn home(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers, HOME).await?;
    let user = state.db.find_user(&session.user_id).await;
    let Some(user) = user.or_page(&state, &headers)? else {
        return Ok(super::expired(&state, &headers));
    };
    let detail = user.username.clone().or(user.primary_email.clone());
    let page = HomePage {
        lang: locale(&headers, None).tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale(&headers, None).text(),
        name: user.name.clone().or(detail.clone()).unwrap_or_default(),
        detail: detail.filter(|d| Some(d) != user.name.as_ref()),
        email: user.primary_email.clone(),
        verified: user.primary_email_verified,
        factors: crate::manage::mfa::list(&state, &user.id)
            .await
            .or_page(&state, &headers)?
            .iter()
            .filter(|f| f.kind != latchkey_core::mfa::Kind::BackupCode)
            .count(),
    };
    Ok(html::render(StatusCode::OK, &page, &html::nonce()))
}

/// The user's third-party apps, as rows of the page.
async fn rows(
    state: &AppState,
    headers: &HeaderMap,
    user_id: &str,
) -> Result<Vec<AppRow>, PageError> {
    let text = locale(headers, None).text();
    let found = grants::list(state, user_id, Some(true)).await;
    let found = found.or_page(state, headers)?;
    let mut apps = Vec::with_capacity(found.len());
    for grant in found {
        let branding = state
            .db
            .find_sign_in_experience(&grant.application.id)
            .await;
        let branding = branding.or_page(state, headers)?.unwrap_or_default();
        let access = grant.access(text);
        apps.push(AppRow {
            grant_id: grant.id,
            app_id: grant.application.id,
            organizations: (grant.organizations.into_iter())
                .map(|o| (o.id, o.name))
                .collect(),
            name: branding.display_name.unwrap_or(grant.application.name),
            logo: branding.logo_url,
            access,
            offline: grant.user_scopes.iter().any(|s| s == "offline_access"),
            since: html::date(grant.created_at),
            last_used: html::date(grant.last_used_at),
        });
    }
    Ok(apps)
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers, APPS).await?;
    let page = AppsPage {
        lang: locale(&headers, None).tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale(&headers, None).text(),
        apps: rows(&state, &headers, &session.user_id).await?,
        csrf: csrf_token(&state, &headers).unwrap_or_default(),
        removed: shown.removed.is_some(),
    };
    Ok(html::render(StatusCode::OK, &page, &html::nonce()))
}

pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(grant_id): Path<String>,
    Form(form): Form<Removal>,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers, APPS).await?;
    let expected = csrf_token(&state, &headers).unwrap_or_default();
    if !hash_matches(&form.csrf, &token_hash(&expected)) {
        return Ok(super::expired(&state, &headers));
    }
    if form.confirmed.is_none() {
        let apps = rows(&state, &headers, &session.user_id).await?;
        let Some(app) = apps.into_iter().find(|a| a.grant_id == grant_id) else {
            // Gone already (another tab).
            return Ok(Redirect::to(APPS).into_response());
        };
        let page = RemovePage {
            lang: locale(&headers, None).tag(),
            company: &state.config.company_name,
            logo: state.config.logo_url.as_deref(),
            text: locale(&headers, None).text(),
            app,
            csrf: expected,
        };
        return Ok(html::render(StatusCode::OK, &page, &html::nonce()));
    }
    let actor = Actor::user(&session.user_id);
    match grants::revoke(&state, &actor, &session.user_id, &grant_id).await {
        // Gone already (another tab) is as good as removed.
        Ok(()) | Err(crate::manage::Error::NotFound(_)) => {
            Ok(Redirect::to(&format!("{APPS}?removed=1")).into_response())
        }
        Err(problem) => Err(PageError::new(&state, &headers, problem)),
    }
}

/// Take one organization back from an application, leaving the rest of what was shared.
pub async fn remove_organization(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((grant_id, organization_id)): Path<(String, String)>,
    Form(form): Form<Removal>,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers, APPS).await?;
    let expected = csrf_token(&state, &headers).unwrap_or_default();
    if !hash_matches(&form.csrf, &token_hash(&expected)) {
        return Ok(super::expired(&state, &headers));
    }
    let apps = rows(&state, &headers, &session.user_id).await?;
    let Some(app) = apps.into_iter().find(|a| a.grant_id == grant_id) else {
        return Ok(Redirect::to(APPS).into_response());
    };
    let actor = Actor::user(&session.user_id);
    let at = (app.app_id.as_str(), session.user_id.as_str());
    match organization_consent::take_back(&state, &actor, at, &organization_id).await {
        // Gone already (another tab) is as good as removed.
        Ok(()) | Err(crate::manage::Error::NotFound(_)) => {
            Ok(Redirect::to(&format!("{APPS}?removed=1")).into_response())
        }
        Err(problem) => Err(PageError::new(&state, &headers, problem)),
    }
}
