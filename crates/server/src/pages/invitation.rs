//! The page an invitation's link opens: the link's secret moves into a short-lived cookie
//! (off the address bar, out of any sign-in's stored return address), the browser signs in or
//! signs up, and the invitee accepts with one button; the membership and its roles are made
//! in the same transaction that marks the invitation accepted, so the link works once. Only
//! the account whose address the invitation went to may accept it; accepting proves that
//! address, since the link reached it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::grant::{hash_matches, token_hash};
use latchkey_core::invitation::{self as rules, Invitation, Status};
use serde::Deserialize;
use serde_json::json;

use super::account::{csrf_token, signed_in};
use super::locale;
use crate::app::AppState;
use crate::audit;
use crate::browser;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::Actor;

const COOKIE: &str = "latchkey_invitation";
const HERE: &str = "/account/invitation";
/// Long enough to sign up with a code by mail.
const COOKIE_SECS: i64 = 30 * 60;

#[derive(Template)]
#[template(path = "invitation.html")]
struct InvitationPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    title: String,
    lines: Vec<String>,
    roles: Vec<String>,
    /// Set when the page offers to accept.
    csrf: Option<String>,
    sign_out: bool,
}

struct Shown {
    title: String,
    lines: Vec<String>,
    roles: Vec<String>,
    csrf: Option<String>,
    sign_out: bool,
}

fn render(state: &AppState, headers: &HeaderMap, status: StatusCode, shown: Shown) -> Response {
    let locale = locale(headers, None);
    let page = InvitationPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        title: shown.title,
        lines: shown.lines,
        roles: shown.roles,
        csrf: shown.csrf,
        sign_out: shown.sign_out,
    };
    html::render(status, &page, &html::nonce())
}

/// The page saying the invitation cannot be used, and why; the cookie is dropped.
fn gone(state: &AppState, headers: &HeaderMap, status: Option<Status>) -> Response {
    let words = locale(headers, None).text().invitation;
    let why = match status {
        Some(Status::Expired) => words.expired,
        Some(Status::Revoked) => words.revoked,
        Some(Status::Accepted) => words.used,
        _ => words.unknown,
    };
    let shown = Shown {
        title: words.gone_title.to_owned(),
        lines: vec![why.to_owned()],
        roles: Vec::new(),
        csrf: None,
        sign_out: false,
    };
    let mut response = render(state, headers, StatusCode::GONE, shown);
    let forget = browser::set_cookie(state, COOKIE, "", 0);
    response.headers_mut().append(header::SET_COOKIE, forget);
    response
}

/// The link: keep its secret in a cookie and continue without it in the address. Anything
/// but a secret's shape (43 base64url characters) is refused before it reaches a header.
pub async fn open(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let shaped = token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !shaped {
        return gone(&state, &headers, None);
    }
    let mut response = Redirect::to(HERE).into_response();
    let cookie = browser::set_cookie(&state, COOKIE, &token, COOKIE_SECS);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// The pending invitation this browser holds the link of, or the page saying why not.
async fn held(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Result<Invitation, Response>, PageError> {
    let Some(token) = browser::cookie(state, headers, COOKIE) else {
        return Ok(Err(gone(state, headers, None)));
    };
    let found = state.db.find_invitation_by_token(&token_hash(token)).await;
    let Some(invitation) = found.or_page(state, headers)? else {
        return Ok(Err(gone(state, headers, None)));
    };
    match invitation.status_at(state.clock.now_ms()) {
        Status::Pending => Ok(Ok(invitation)),
        other => Ok(Err(gone(state, headers, Some(other)))),
    }
}

fn fill(words: &str, organization: &str) -> String {
    words.replace("{organization}", organization)
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let invitation = match held(&state, &headers).await? {
        Ok(invitation) => invitation,
        Err(page) => return Ok(page),
    };
    let session = signed_in(&state, &headers, HERE).await?;
    let words = locale(&headers, None).text().invitation;
    let org = state
        .db
        .find_organization(&invitation.organization_id)
        .await;
    let Some(org) = org.or_page(&state, &headers)? else {
        return Ok(gone(&state, &headers, None));
    };
    let user = state
        .db
        .find_user(&session.user_id)
        .await
        .or_page(&state, &headers)?;
    let Some(user) = user else {
        return Ok(super::expired(&state, &headers));
    };
    let email = user.primary_email.as_deref();
    if !rules::is_invitee(&invitation, email) {
        let you = email.or(user.username.as_deref()).unwrap_or(&user.id);
        let line = words
            .other_account
            .replace("{invitee}", &invitation.invitee)
            .replace("{you}", you);
        let shown = Shown {
            title: fill(words.title, &org.name),
            lines: vec![line],
            roles: Vec::new(),
            csrf: None,
            sign_out: true,
        };
        return Ok(render(&state, &headers, StatusCode::FORBIDDEN, shown));
    }
    let roles = state.db.find_invitation_roles(&[&invitation.id]).await;
    let roles = roles.or_page(&state, &headers)?;
    let shown = Shown {
        title: fill(words.title, &org.name),
        lines: vec![fill(words.offer, &org.name)],
        roles: roles.into_iter().map(|(_, r)| r.name).collect(),
        csrf: csrf_token(&state, &headers),
        sign_out: false,
    };
    Ok(render(&state, &headers, StatusCode::OK, shown))
}

#[derive(Debug, Deserialize)]
pub struct Acceptance {
    csrf: String,
}

pub async fn accept(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Acceptance>,
) -> Result<Response, PageError> {
    let session = signed_in(&state, &headers, HERE).await?;
    let expected = csrf_token(&state, &headers).unwrap_or_default();
    if !hash_matches(&form.csrf, &token_hash(&expected)) {
        return Ok(super::expired(&state, &headers));
    }
    let invitation = match held(&state, &headers).await? {
        Ok(invitation) => invitation,
        Err(page) => return Ok(page),
    };
    let user = state
        .db
        .find_user(&session.user_id)
        .await
        .or_page(&state, &headers)?;
    let Some(user) = user.filter(|u| rules::is_invitee(&invitation, u.primary_email.as_deref()))
    else {
        return Ok(Redirect::to(HERE).into_response());
    };
    let now = state.clock.now_ms();
    let accepted = state
        .db
        .accept_invitation(
            &invitation.id,
            (&user.id, now),
            user.primary_email.as_deref(),
        )
        .await;
    if !accepted.or_page(&state, &headers)? {
        let again = state
            .db
            .find_invitation(&invitation.id)
            .await
            .or_page(&state, &headers)?;
        return Ok(gone(&state, &headers, again.map(|i| i.status_at(now))));
    }
    let details = json!({"invitation": invitation.id, "status": "Accepted", "user": user.id});
    let at = ("organization", invitation.organization_id.as_str());
    audit::write_now(
        &state,
        &Actor::user(&user.id),
        "organization.invitation_status",
        at,
        details,
    )
    .await;
    let words = locale(&headers, None).text().invitation;
    let org = state
        .db
        .find_organization(&invitation.organization_id)
        .await;
    let name = org
        .or_page(&state, &headers)?
        .map(|o| o.name)
        .unwrap_or_default();
    let shown = Shown {
        title: fill(words.joined_title, &name),
        lines: vec![fill(words.joined, &name)],
        roles: Vec::new(),
        csrf: None,
        sign_out: false,
    };
    let mut response = render(&state, &headers, StatusCode::OK, shown);
    let forget = browser::set_cookie(&state, COOKIE, "", 0);
    response.headers_mut().append(header::SET_COOKIE, forget);
    Ok(response)
}
