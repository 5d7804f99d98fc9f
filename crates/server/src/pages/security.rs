//! The account's sign-in and security (`/account/security`): passkeys (add, name, remove),
//! an authenticator app (set up with a QR code, confirmed by its first code; removed), and
//! recovery codes (how many are left; a new set). Every change needs a recent sign-in, so a
//! new passkey asks for the password or another passkey first.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::grant::{hash_matches, token_hash};
use latchkey_core::mfa::{Amr, Kind, Method, Verification};
use latchkey_core::session::Session;
use serde::Deserialize;

use super::account::{csrf_token, signed_in_recently};
use super::enrol::{Enrolment, codes_page};
use super::locale;
use super::passkey_form::options_json;
use crate::app::AppState;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::{Actor, Error, mfa};
use crate::passkeys;

const HERE: &str = "/account/security";

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    csrf: &'a str,
    totp: Option<Row>,
    passkeys: Vec<Row>,
    /// Recovery codes left, if the user has a set.
    codes: Option<usize>,
    available: bool,
    notice: Option<&'a str>,
    error: Option<&'a str>,
    /// Setting up an authenticator app.
    enrol: Option<Enrolment>,
    nonce: String,
}

struct Row {
    id: String,
    name: String,
    added: String,
    used: Option<String>,
}

impl Row {
    fn of(factor: &Verification) -> Self {
        Self {
            id: factor.id.clone(),
            name: factor.name.clone().unwrap_or_default(),
            added: html::date(factor.created_at),
            used: factor.last_used_at.map(html::date),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Shown {
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    ceremony: String,
    #[serde(default)]
    credential: String,
}

/// The recently signed-in session, once the form's CSRF token is checked.
async fn session(
    state: &AppState,
    headers: &HeaderMap,
    csrf: Option<&str>,
) -> Result<Session, PageError> {
    let session = signed_in_recently(state, headers, HERE).await?;
    let expected = csrf_token(state, headers).unwrap_or_default();
    if csrf.is_some_and(|c| !hash_matches(c, &token_hash(&expected))) {
        return Err(PageError::instead(super::expired(state, headers)));
    }
    Ok(session)
}

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    (notice, error): (Option<&str>, Option<&str>),
    enrol: Option<Option<&str>>,
) -> Result<Response, PageError> {
    let locale = locale(headers, None);
    let factors = mfa::list(state, &session.user_id).await;
    let factors = factors.or_page(state, headers)?;
    let of = |kind: Kind| factors.iter().filter(move |f| f.kind == kind);
    let enrol = match enrol.filter(|_| of(Kind::Totp).next().is_none()) {
        Some(again) => {
            let user = state.db.find_user(&session.user_id).await;
            let user = user.or_page(state, headers)?;
            user.map(|user| Enrolment::new(state, &user, again))
        }
        None => None,
    };
    let csrf = csrf_token(state, headers).unwrap_or_default();
    let page = SecurityPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        csrf: &csrf,
        totp: of(Kind::Totp).next().map(Row::of),
        passkeys: of(Kind::WebAuthn).map(Row::of).collect(),
        codes: of(Kind::BackupCode).next().map(|f| f.remaining),
        available: passkeys::available(state),
        notice,
        error,
        enrol,
        nonce: html::nonce(),
    };
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    Ok(html::render(status, &page, &page.nonce))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(shown): Query<Shown>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, None).await?;
    let text = locale(&headers, None).text();
    let notice = match shown.done.as_deref() {
        Some("added") => Some(text.mfa.added),
        Some("removed") => Some(text.mfa.removed),
        _ => None,
    };
    page(&state, &headers, &session, (notice, None), None).await
}

pub async fn show_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, None).await?;
    page(&state, &headers, &session, (None, None), Some(None)).await
}

/// What the session proved beside its sign-in, kept with it.
async fn proven(
    state: &AppState,
    headers: &HeaderMap,
    session: &Session,
    added: &Amr,
) -> Result<(), PageError> {
    let amr = session.amr.clone().and(added);
    let proved = state.db.prove_session(&session.id_hash, &amr).await;
    proved.or_page(state, headers).map(|_| ())
}

fn done(what: &str) -> Response {
    Redirect::to(&format!("{HERE}?done={what}")).into_response()
}

pub async fn enrol_totp(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, Some(&form.csrf)).await?;
    let text = locale(&headers, None).text();
    let codes = match mfa::enroll_totp(&state, &session.user_id, &form.secret, &form.code).await {
        Ok(codes) => codes,
        Err(Error::Conflict { .. }) => {
            let error = Some(text.mfa.exists);
            return page(&state, &headers, &session, (None, error), None).await;
        }
        Err(Error::Invalid { .. }) => {
            let error = Some(text.mfa.code_wrong);
            let again = Some(Some(form.secret.as_str()));
            return page(&state, &headers, &session, (None, error), again).await;
        }
        Err(other) => return Err(other).or_page(&state, &headers),
    };
    // The code just typed proves the app: this session has two factors now.
    let amr = Amr::of(Method::Otp);
    proven(&state, &headers, &session, &amr).await?;
    Ok(match codes {
        Some(codes) => codes_page(&state, &headers, &codes, HERE),
        None => done("added"),
    })
}

pub async fn new_codes(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, Some(&form.csrf)).await?;
    let actor = Actor::user(&session.user_id);
    let factors = mfa::list(&state, &session.user_id).await;
    if !mfa::enrolled(&factors.or_page(&state, &headers)?) {
        return Ok(Redirect::to(HERE).into_response());
    }
    let codes = mfa::new_recovery_codes(&state, &actor, &session.user_id).await;
    let codes = codes.or_page(&state, &headers)?;
    Ok(codes_page(&state, &headers, &codes, HERE))
}

pub async fn remove(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(factor): Path<String>,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, Some(&form.csrf)).await?;
    let actor = Actor::user(&session.user_id);
    match mfa::remove(&state, &actor, &session.user_id, &factor).await {
        // Gone already (another tab) is as good as removed.
        Ok(()) | Err(Error::NotFound(_)) => Ok(done("removed")),
        Err(other) => Err(other).or_page(&state, &headers),
    }
}

pub async fn rename(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(factor): Path<String>,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, Some(&form.csrf)).await?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > passkeys::MAX_NAME {
        return Ok(Redirect::to(HERE).into_response());
    }
    match state
        .db
        .rename_passkey(&session.user_id, &factor, name)
        .await
    {
        Ok(()) | Err(latchkey_store::Error::NotFound) => Ok(Redirect::to(HERE).into_response()),
        Err(other) => Err(other).or_page(&state, &headers),
    }
}

/// The options for creating a new passkey.
pub async fn passkey_options(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, Some(&form.csrf)).await?;
    let user = state.db.find_user(&session.user_id).await;
    let Some(user) = user.or_page(&state, &headers)? else {
        return Ok(super::expired(&state, &headers));
    };
    Ok(options_json(
        passkeys::start_registration(&state, &user).await,
    ))
}

/// The browser's new passkey.
pub async fn add_passkey(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<Change>,
) -> Result<Response, PageError> {
    let session = session(&state, &headers, Some(&form.csrf)).await?;
    let answer = (form.ceremony.as_str(), form.credential.as_str());
    let added = passkeys::finish_registration(&state, &session.user_id, answer, &form.name);
    match added.await {
        Ok((_, amr)) => {
            proven(&state, &headers, &session, &amr).await?;
            Ok(done("added"))
        }
        Err(Error::Invalid { .. } | Error::Conflict { .. }) => {
            let text = locale(&headers, None).text();
            let error = Some(text.mfa.passkey_failed);
            page(&state, &headers, &session, (None, error), None).await
        }
        Err(other) => Err(other).or_page(&state, &headers),
    }
}
