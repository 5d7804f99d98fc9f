//! Hosted pages: sign-in (password or passkey), the second factor, sign-up (with its
//! address's code, or a passkey), password recovery, consent, the device code, and the
//! account (its address, its sign-in and security, its connected apps), and an invitation's
//! link. A page records the user's answer in the store and sends the browser back to the
//! protocol's resume URL; it never issues codes or tokens itself.

mod account;
mod account_email;
mod code;
mod confirm;
mod consent;
pub mod device;
mod enrol;
mod finished;
mod invitation;
mod passkey_form;
mod passkey_sign_in;
mod passkey_sign_up;
mod recover;
mod second_factor;
mod security;
mod sign_in;
mod sign_up;
mod sign_up_code;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::client::Application;
use latchkey_core::grant::{hash_matches, token_hash};
use latchkey_core::mfa::Amr;
use latchkey_core::session::{Interaction, Session};
use latchkey_store::audit::AuditEntry;

use crate::app::AppState;
use crate::browser::{self, SESSION_COOKIE};
use crate::error::{OrPage, PageError};
use crate::html::{self, ErrorPage};
use crate::i18n::{Locale, Text};
use latchkey_core::lifetimes::SESSION_ABSOLUTE_MS;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sign-in/{interaction}",
            get(sign_in::show).post(sign_in::submit),
        )
        .route(
            "/sign-up/{interaction}",
            get(sign_up::show).post(sign_up::submit),
        )
        .route("/sign-up/{interaction}/code", post(sign_up_code::submit))
        .route(
            "/sign-up/{interaction}/passkey",
            post(passkey_sign_up::submit),
        )
        .route(
            "/sign-up/{interaction}/passkey/options",
            post(passkey_sign_up::options),
        )
        .route(
            "/sign-in/{interaction}/passkey",
            post(passkey_sign_in::submit),
        )
        .route(
            "/sign-in/{interaction}/passkey/options",
            post(passkey_sign_in::options),
        )
        .route(
            "/second-factor/{interaction}",
            get(second_factor::show).post(second_factor::submit),
        )
        .route("/second-factor/{interaction}/totp", post(enrol::on_the_way))
        .route(
            "/second-factor/{interaction}/passkey",
            post(second_factor::passkey),
        )
        .route(
            "/second-factor/{interaction}/passkey/options",
            post(second_factor::passkey_options),
        )
        .route(
            "/consent/{interaction}",
            get(consent::show).post(consent::answer),
        )
        // The site's root is the account home: what a person who types the address wants
        // (administrators have `/console`).
        .route("/", get(|| async { Redirect::to("/account") }))
        .route("/device", get(device::show).post(device::submit))
        .route("/recover", get(recover::show).post(recover::request))
        .route(
            "/recover/{challenge}",
            get(recover::show_code).post(recover::reset),
        )
        .route(
            "/account/invitation",
            get(invitation::show).post(invitation::accept),
        )
        .route("/invitation/{token}", get(invitation::open))
        .route("/account", get(account::home))
        .route(
            "/account/email",
            get(account_email::show).post(account_email::change),
        )
        .route("/account/email/verify", post(account_email::verify))
        .route("/account/email/code", post(account_email::code))
        .route("/account/security", get(security::show))
        .route(
            "/account/security/totp",
            get(security::show_totp).post(security::enrol_totp),
        )
        .route(
            "/account/security/recovery-codes",
            post(security::new_codes),
        )
        .route("/account/security/passkeys", post(security::add_passkey))
        .route(
            "/account/security/passkeys/options",
            post(security::passkey_options),
        )
        .route("/account/security/{factor}/remove", post(security::remove))
        .route("/account/security/{factor}/rename", post(security::rename))
        .route("/account/apps", get(account::show))
        .route("/account/apps/{grant}/remove", post(account::remove))
        .route(
            "/account/apps/{grant}/organizations/{organization}/remove",
            post(account::remove_organization),
        )
        .route("/assets/latchkey.css", get(stylesheet))
        .route("/assets/latchkey.js", get(script))
}

pub(super) fn locale(headers: &HeaderMap, request: Option<&AuthorizationRequest>) -> Locale {
    Locale::of(headers, request.and_then(|r| r.ui_locales.as_deref()))
}

/// Any other address: for a browser, the branded page that says it does not exist; for a
/// program, a bare 404.
pub async fn not_found(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if !browser {
        return StatusCode::NOT_FOUND.into_response();
    }
    let locale = locale(&headers, None);
    let page = ErrorPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        message: locale.text().error_not_found,
        detail: None,
        code: None,
        back: None,
    };
    html::render(StatusCode::NOT_FOUND, &page, &html::nonce())
}

pub(super) fn expired(state: &AppState, headers: &HeaderMap) -> Response {
    expired_for(state, headers, None)
}

/// The expired page, with a way back to the application whose web origin is `back`.
fn expired_for(state: &AppState, headers: &HeaderMap, back: Option<&str>) -> Response {
    let locale = locale(headers, None);
    let page = ErrorPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        message: locale.text().expired_interaction,
        detail: None,
        code: None,
        back,
    };
    html::render(StatusCode::BAD_REQUEST, &page, &html::nonce())
}

/// The web origin of the redirect URI an interaction's request was checked against: where
/// "return to the application" may lead (never the redirect URI itself, nor a private scheme).
pub(super) fn app_origin(interaction: &Interaction) -> Option<String> {
    let request = serde_json::from_str::<AuthorizationRequest>(&interaction.request).ok()?;
    let url = url::Url::parse(&request.redirect_uri).ok()?;
    matches!(url.scheme(), "https" | "http").then(|| url.origin().ascii_serialization())
}

/// An interaction waiting on a hosted page: an authorization request's, or (no request) an
/// account sign-in's. `csrf` is the browser's binding secret, also the forms' CSRF token.
pub(super) struct Pending {
    pub interaction: Interaction,
    pub request: Option<AuthorizationRequest>,
    pub csrf: String,
}

impl Pending {
    pub fn locale(&self, headers: &HeaderMap) -> Locale {
        locale(headers, self.request.as_ref())
    }

    /// Where the interaction's forms end: the client's redirect URI, for the page's CSP.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.request.as_ref().map(|r| r.redirect_uri.as_str())
    }

    /// What the user is signing in to: the application's name (its display name, for a
    /// third-party app that has one), or their account.
    pub async fn destination(
        &self,
        state: &AppState,
        text: &Text,
    ) -> Result<String, latchkey_store::Error> {
        let Some(client_id) = &self.interaction.client_id else {
            return Ok(text.account_title.to_owned());
        };
        let Some(entry) = state.cache.client(&state.db, client_id).await? else {
            return Ok(String::new());
        };
        display_name(state, &entry.application).await
    }
}

/// What the pages call an application: a partner's app by the name its branding gives it, as
/// on the consent page; any other by its own.
pub(super) async fn display_name(
    state: &AppState,
    app: &Application,
) -> Result<String, latchkey_store::Error> {
    if app.is_third_party {
        let branding = state.db.find_sign_in_experience(&app.id).await?;
        if let Some(name) = branding.and_then(|b| b.display_name) {
            return Ok(name);
        }
    }
    Ok(app.name.clone())
}

/// The pending interaction, only for the browser it was started in: that browser holds the
/// binding secret whose hash the interaction stores. The same secret is the form's CSRF
/// token (a cross-site page can neither read the cookie nor guess it).
/// A finished one is the page that says so; anything else is the expired page (or, if the
/// store failed, its error).
pub(super) async fn pending(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<Pending, PageError> {
    let gone = || PageError::instead(expired(state, headers));
    let found = state.db.find_interaction(id, state.clock.now_ms()).await;
    let binding = browser::interaction_binding(state, headers, id);
    let (interaction, binding) = match (found.or_page(state, headers)?, binding) {
        (Some(interaction), Some(binding)) => (interaction, binding),
        // Begun in another browser (or its cookie is gone): expired here, with the way back.
        (Some(interaction), None) => {
            let back = app_origin(&interaction);
            return Err(PageError::instead(expired_for(
                state,
                headers,
                back.as_deref(),
            )));
        }
        // Finished already: say so, and offer the way back, rather than "expired".
        (None, _) => {
            return Err(match finished::page(state, headers, id).await? {
                Some(page) => PageError::instead(page),
                None => gone(),
            });
        }
    };
    if !hash_matches(binding, &interaction.csrf_hash) {
        return Err(gone());
    }
    let request = match interaction.client_id {
        Some(_) => Some(serde_json::from_str(&interaction.request).map_err(|_| gone())?),
        None => None,
    };
    Ok(Pending {
        interaction,
        request,
        csrf: binding.to_owned(),
    })
}

/// [`pending`], for a form: `csrf` must be the interaction's token, else the expired page.
pub(super) async fn pending_form(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    csrf: &str,
) -> Result<Pending, PageError> {
    let pending = pending(state, headers, id).await?;
    if !hash_matches(csrf, &pending.interaction.csrf_hash) {
        return Err(PageError::instead(expired(state, headers)));
    }
    Ok(pending)
}

/// `response` (a page saying so, or the options' JSON) as the answer to a spent budget: 429
/// with `Retry-After`.
pub(super) fn throttled(mut response: Response, wait_ms: i64) -> Response {
    *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
    if let Ok(value) = header::HeaderValue::from_str(&((wait_ms + 999) / 1000).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// Sign the user in on this browser: always a new session id (a planted cookie can never
/// become signed in), recorded with its `audit` entry, then back to the protocol's resume URL.
pub(super) async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    (user_id, amr): (&str, Amr),
    interaction_id: &str,
    audit: Option<AuditEntry>,
) -> Result<Response, PageError> {
    let id = interaction_id;
    let now = state.clock.now_ms();
    let replaces = browser::cookie(state, headers, SESSION_COOKIE).map(token_hash);
    let value = latchkey_core::random::ordered_secret(now);
    let session = Session {
        id_hash: token_hash(&value),
        user_id: user_id.to_owned(),
        auth_time: now,
        amr,
        created_at: now,
        last_seen_at: now,
        expires_at: now + SESSION_ABSOLUTE_MS,
    };
    let audit = audit.as_ref().map(|entry| (entry, now));
    let ids = (replaces.as_deref(), Some(id));
    let started = state.db.start_session_for(&session, ids, audit);
    started.await.or_page(state, headers)?;
    let mut response = Redirect::to(&format!("/oidc/auth/resume/{id}")).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        browser::set_cookie(state, SESSION_COOKIE, &value, SESSION_ABSOLUTE_MS / 1000),
    );
    Ok(response)
}

async fn stylesheet() -> Response {
    html::asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/latchkey.css"),
    )
}

async fn script() -> Response {
    html::asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/latchkey.js"),
    )
}
