//! The sign-in's second step (`/second-factor/{interaction}`). After the password, an
//! enrolled user types a code from their authenticator app or a recovery code, or uses a
//! passkey, before any session starts. A user signed in with one factor, where the policy,
//! the application or the request asks for two, proves one the same way, or enrolls an
//! authenticator app first if they have none.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::mfa::{Amr, Kind};
use latchkey_core::session::Session;
use serde::Deserialize;
use serde_json::json;

use super::enrol::Enrolment;
use super::passkey_form::{Answer, options_for};
use super::{Pending, expired, pending, pending_form, start_session};
use crate::app::AppState;
use crate::audit;
use crate::browser;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::mfa::{self, Checked};
use crate::manage::{Actor, Error};
use crate::passkeys;
use crate::throttle::ClientAddress;

#[derive(Template)]
#[template(path = "second_factor.html")]
struct FactorPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    interaction: &'a str,
    csrf: &'a str,
    error: Option<&'a str>,
    /// A code can be typed (an authenticator app or recovery codes are enrolled).
    code: bool,
    passkey: bool,
    /// Nothing is enrolled: an authenticator app to set up.
    enrol: Option<Enrolment>,
    nonce: String,
}

/// Who is proving a second factor.
pub(super) enum Subject {
    /// Proved a password on this interaction; no session yet.
    Half { user_id: String, amr: Amr },
    /// Signed in with one factor.
    Signed(Session),
}

impl Subject {
    pub(super) fn user_id(&self) -> &str {
        match self {
            Self::Half { user_id, .. } => user_id,
            Self::Signed(session) => &session.user_id,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Typed {
    pub(super) csrf: String,
    #[serde(default)]
    pub(super) code: String,
    /// An enrolment's key, carried back with its first code.
    #[serde(default)]
    pub(super) secret: String,
}

/// The interaction, checked against the form's CSRF token when there is a form, and who is
/// proving a factor on it.
pub(super) async fn subject(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    csrf: Option<&str>,
) -> Result<(Pending, Subject), PageError> {
    let pending = match csrf {
        Some(csrf) => pending_form(state, headers, id, csrf).await?,
        None => pending(state, headers, id).await?,
    };
    let half = state.db.find_interaction_proof(id).await;
    if let Some((user_id, amr)) = half.or_page(state, headers)? {
        return Ok((pending, Subject::Half { user_id, amr }));
    }
    let session = browser::current_session(state, headers).await;
    match session.or_page(state, headers)? {
        // Two factors proved already: nothing to do here.
        Some(session) if pending.interaction.accepts(&session) && session.amr.is_multi_factor() => {
            Err(PageError::instead(onward(id)))
        }
        Some(session) if pending.interaction.accepts(&session) => {
            Ok((pending, Subject::Signed(session)))
        }
        _ => Err(PageError::instead(sign_in_again(id))),
    }
}

fn onward(id: &str) -> Response {
    Redirect::to(&format!("/oidc/auth/resume/{id}")).into_response()
}

fn sign_in_again(id: &str) -> Response {
    Redirect::to(&format!("/sign-in/{id}")).into_response()
}

/// Whether `subject` may enroll an authenticator app here: only a session whose password
/// was typed within the last minutes (as the security page asks). A half-done sign-in's
/// user has a factor already; an older session signs in again first.
pub(super) fn may_enrol(state: &AppState, subject: &Subject) -> bool {
    match subject {
        Subject::Half { .. } => false,
        Subject::Signed(session) => {
            let now = state.clock.now_ms();
            session.satisfies_max_age(Some(latchkey_core::lifetimes::REAUTH_SECS), now)
        }
    }
}

pub(super) async fn render(
    state: &AppState,
    headers: &HeaderMap,
    (pending, subject): (&Pending, &Subject),
    (error, secret): (Option<&str>, Option<&str>),
) -> Result<Response, PageError> {
    let locale = pending.locale(headers);
    let name = pending.destination(state, locale.text()).await;
    let name = name.or_page(state, headers)?;
    let factors = mfa::list(state, subject.user_id()).await;
    let factors = factors.or_page(state, headers)?;
    let has = |kind: Kind| factors.iter().any(|f| f.kind == kind);
    let enrol = match mfa::enrolled(&factors) {
        true => None,
        false if !may_enrol(state, subject) => {
            return Ok(sign_in_again(&pending.interaction.id));
        }
        false => {
            let user = state.db.find_user(subject.user_id()).await;
            let user = user.or_page(state, headers)?;
            let user = user.ok_or_else(|| PageError::instead(expired(state, headers)))?;
            Some(Enrolment::new(state, &user, secret))
        }
    };
    let page = FactorPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        app_name: &name,
        interaction: &pending.interaction.id,
        csrf: &pending.csrf,
        error,
        code: has(Kind::Totp) || (has(Kind::BackupCode) && enrol.is_none()),
        passkey: has(Kind::WebAuthn) && passkeys::available(state),
        enrol,
        nonce: html::nonce(),
    };
    let status = match error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    Ok(html::render_for(
        status,
        &page,
        &page.nonce,
        pending.redirect_uri(),
    ))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let found = subject(&state, &headers, &id, None).await?;
    render(&state, &headers, (&found.0, &found.1), (None, None)).await
}

/// The factor is proved: the session starts (after a password) or says so (signed in).
pub(super) async fn proved(
    state: &AppState,
    headers: &HeaderMap,
    (pending, subject): (&Pending, Subject),
    added: &Amr,
) -> Result<Response, PageError> {
    let id = &pending.interaction.id;
    match subject {
        Subject::Half { user_id, amr } => {
            let amr = amr.and(added);
            let details = json!({"clientId": pending.interaction.client_id, "amr": amr.claim()});
            let actor = Actor::user(&user_id);
            let entry = audit::entry(&actor, "sign_in.success", ("user", &user_id), details);
            start_session(state, headers, (&user_id, amr), id, Some(entry)).await
        }
        Subject::Signed(session) => {
            let amr = session.amr.clone().and(added);
            let proved = state.db.prove_session(&session.id_hash, &amr).await;
            proved.or_page(state, headers)?;
            Ok(onward(id))
        }
    }
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<Typed>,
) -> Result<Response, PageError> {
    let (pending, subject) = subject(&state, &headers, &id, Some(&form.csrf)).await?;
    let text = pending.locale(&headers).text();
    let user_id = subject.user_id().to_owned();
    let checked = mfa::check_code(&state, &user_id, &form.code, address).await;
    match checked.or_page(&state, &headers)? {
        Checked::Proved(amr) => proved(&state, &headers, (&pending, subject), &amr).await,
        Checked::Wrong => {
            audit::write_now(
                &state,
                &Actor::address(address),
                "sign_in.second_factor_failure",
                ("user", &user_id),
                json!({"clientId": pending.interaction.client_id}),
            )
            .await;
            let error = Some(text.mfa.code_wrong);
            render(&state, &headers, (&pending, &subject), (error, None)).await
        }
        Checked::Wait(wait) => {
            let minutes = latchkey_core::throttle::minutes(wait).to_string();
            let message = text.too_many_attempts.replace("{minutes}", &minutes);
            let error = (Some(message.as_str()), None);
            let page = render(&state, &headers, (&pending, &subject), error).await?;
            Ok(super::throttled(page, wait))
        }
    }
}

/// The options for using one of the user's passkeys as the second factor.
pub async fn passkey_options(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(form): Form<Answer>,
) -> Result<Response, PageError> {
    let (_, subject) = subject(&state, &headers, &id, Some(&form.csrf)).await?;
    let start = passkeys::start_sign_in(&state, Some(subject.user_id()));
    Ok(options_for(&state, address, start).await)
}

/// The browser's answer: one of the user's passkeys proves the second factor.
pub async fn passkey(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Answer>,
) -> Result<Response, PageError> {
    let (pending, subject) = subject(&state, &headers, &id, Some(&form.csrf)).await?;
    let user_id = subject.user_id().to_owned();
    let answer = (form.ceremony.as_str(), form.credential.as_str());
    match passkeys::finish_sign_in(&state, answer, Some(&user_id)).await {
        Ok((_, amr)) => proved(&state, &headers, (&pending, subject), &amr).await,
        Err(Error::Invalid { .. }) => {
            let text = pending.locale(&headers).text();
            let error = (Some(text.mfa.passkey_failed), None);
            render(&state, &headers, (&pending, &subject), error).await
        }
        Err(other) => Err(other).or_page(&state, &headers),
    }
}
