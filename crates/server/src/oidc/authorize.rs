//! `/oidc/auth` (GET and POST) and its resume URL: validate the request, then either issue a
//! code for the browser's live session or hand off to the sign-in page and wait.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::authorize::{self, AuthorizationRequest, AuthorizeError};
use latchkey_core::client::Application;
use latchkey_core::grant::{AuthorizationCode, Grant, hash_matches, token_hash};
use latchkey_core::params::Params;
use latchkey_core::scope::Scopes;
use latchkey_core::session::{Interaction, Session};
use latchkey_core::{ErrorCode, OAuthError, random};

use super::respond::{respond, respond_error};
use crate::app::AppState;
use crate::browser::{self, INTERACTION_COOKIE, INTERACTION_TTL_MS};
use crate::error::Error;
use crate::html::{self, ErrorPage};
use crate::i18n::Locale;

/// A code lives one minute (RFC 6749 §4.1.2 recommends at most ten).
const CODE_TTL_MS: i64 = 60_000;
/// The user scopes a code can carry today.
const GRANTABLE: [&str; 8] = latchkey_core::claims::USER_SCOPES;

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    authorize(&state, &headers, params).await
}

pub async fn post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    authorize(&state, &headers, Params::parse(&body)).await
}

fn locale(headers: &HeaderMap, ui_locales: Option<&str>) -> Locale {
    Locale::negotiate(
        ui_locales,
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// An error that must not go back to the client: shown to the user, HTTP 400.
fn error_page(state: &AppState, headers: &HeaderMap, error: &OAuthError) -> Response {
    let locale = locale(headers, None);
    let page = ErrorPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        message: &error.description,
        code: Some(error.code.as_str()),
    };
    html::render(StatusCode::BAD_REQUEST, &page, &html::nonce())
}

async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    params: Result<Params, OAuthError>,
) -> Response {
    let params = match params {
        Ok(params) => params,
        Err(error) => return error_page(state, headers, &error),
    };
    let application = match params.get("client_id") {
        Some(id) => match state.db.find_application(id).await {
            Ok(app) => app,
            Err(e) => return Error::from(e).into_response(),
        },
        None => None,
    };
    let checked = authorize::check_client(&params, application.as_ref()).and_then(|redirect_uri| {
        match &application {
            Some(app) => authorize::parse(&params, app, redirect_uri),
            None => Err(AuthorizeError::Untrusted(OAuthError::invalid_client())),
        }
    });
    let (request, application) = match (checked, application) {
        (Ok(request), Some(app)) => (request, app),
        (Err(AuthorizeError::Untrusted(error)), _) => return error_page(state, headers, &error),
        (Ok(_), None) => return error_page(state, headers, &OAuthError::invalid_client()),
        (
            Err(AuthorizeError::Redirect {
                redirect_uri,
                response_mode,
                state: client_state,
                error,
            }),
            _,
        ) => {
            return respond_error(
                state,
                headers,
                &redirect_uri,
                response_mode,
                client_state,
                &error,
            );
        }
    };
    match decide(state, headers, &application, &request).await {
        Ok(response) => response,
        Err(Error::OAuth(error)) => respond_error(
            state,
            headers,
            &request.redirect_uri,
            request.response_mode,
            request.state.clone(),
            &error,
        ),
        Err(other) => other.into_response(),
    }
}

/// Issue a code for the browser's live session, or send the user to sign in.
async fn decide(
    state: &AppState,
    headers: &HeaderMap,
    app: &Application,
    request: &AuthorizationRequest,
) -> Result<Response, Error> {
    if app.is_third_party {
        // Consent for third-party applications is not available yet: fail closed.
        return Err(OAuthError::new(
            ErrorCode::AccessDenied,
            "this application needs a consent screen, which this server does not offer yet",
        )
        .into());
    }
    for indicator in &request.resources {
        if state
            .db
            .find_resource_by_indicator(indicator)
            .await?
            .is_none()
        {
            return Err(
                OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known").into(),
            );
        }
    }
    let now = state.clock.now_ms();
    let mut session = browser::current_session(state, headers).await?;
    if let Some(live) = &session {
        // A suspended user's sessions no longer sign them in anywhere.
        let user = state.db.find_user(&live.user_id).await?;
        if user.is_none_or(|u| u.is_suspended) {
            session = None;
        }
    }
    let hinted = hinted_subject(state, request)?;
    // A session of someone other than the hinted user is not used (OIDC Core §3.1.2.1).
    let usable = session.filter(|s| {
        !request.prompt.login
            && s.satisfies_max_age(request.max_age, now)
            && hinted.as_deref().is_none_or(|sub| sub == s.user_id)
    });
    match (usable, request.prompt.none) {
        (Some(session), _) => issue_code(state, headers, request, &session).await,
        (None, true) => {
            Err(OAuthError::new(ErrorCode::LoginRequired, "the user must sign in").into())
        }
        (None, false) => start_interaction(state, request).await,
    }
}

/// The subject of an `id_token_hint`: an ID token this server signed (expired ones too).
fn hinted_subject(
    state: &AppState,
    request: &AuthorizationRequest,
) -> Result<Option<String>, Error> {
    let Some(hint) = &request.id_token_hint else {
        return Ok(None);
    };
    let keys = state.keys.get();
    let invalid =
        || OAuthError::invalid_request("id_token_hint is not an ID token from this server");
    let claims =
        latchkey_core::jwt::verify(hint, "JWT", keys.public_keys()).map_err(|_| invalid())?;
    if claims["iss"].as_str() != Some(state.config.issuer().as_str()) {
        return Err(invalid().into());
    }
    Ok(claims["sub"].as_str().map(str::to_owned))
}

/// Park the request and send the browser to the sign-in page, bound to it by a cookie.
async fn start_interaction(
    state: &AppState,
    request: &AuthorizationRequest,
) -> Result<Response, Error> {
    let now = state.clock.now_ms();
    let binding = random::secret();
    let interaction = Interaction {
        id: random::id(),
        client_id: request.client_id.clone(),
        request: serde_json::to_string(request).map_err(|e| Error::Internal(e.to_string()))?,
        csrf_hash: token_hash(&binding),
        created_at: now,
        expires_at: now + INTERACTION_TTL_MS,
    };
    state.db.insert_interaction(&interaction).await?;
    let mut response = Redirect::to(&format!("/sign-in/{}", interaction.id)).into_response();
    let cookie = browser::set_cookie(
        state,
        INTERACTION_COOKIE,
        &binding,
        INTERACTION_TTL_MS / 1000,
    );
    response.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(response)
}

/// `GET /oidc/auth/resume/{id}`: the sign-in page is done; finish the parked request.
pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let now = state.clock.now_ms();
    let interaction = match state.db.find_interaction(&id, now).await {
        Ok(found) => found,
        Err(e) => return Error::from(e).into_response(),
    };
    let bound = interaction.filter(|i| {
        browser::cookie(&headers, INTERACTION_COOKIE).is_some_and(|b| hash_matches(b, &i.csrf_hash))
    });
    let request = bound
        .as_ref()
        .and_then(|i| serde_json::from_str::<AuthorizationRequest>(&i.request).ok());
    let (Some(interaction), Some(request)) = (bound, request) else {
        return error_page(
            &state,
            &headers,
            &OAuthError::invalid_request("this sign-in has expired or belongs to another browser"),
        );
    };
    let session = match browser::current_session(&state, &headers).await {
        Ok(Some(session)) if session.auth_time >= interaction.created_at => session,
        Ok(_) => return Redirect::to(&format!("/sign-in/{id}")).into_response(),
        Err(e) => return Error::from(e).into_response(),
    };
    match state.db.take_interaction(&id, now).await {
        Ok(true) => {}
        Ok(false) => {
            return error_page(
                &state,
                &headers,
                &OAuthError::invalid_request("this sign-in was already completed"),
            );
        }
        Err(e) => return Error::from(e).into_response(),
    }
    let mut response = match issue_code(&state, &headers, &request, &session).await {
        Ok(response) => response,
        Err(Error::OAuth(error)) => respond_error(
            &state,
            &headers,
            &request.redirect_uri,
            request.response_mode,
            request.state.clone(),
            &error,
        ),
        Err(other) => return other.into_response(),
    };
    let clear = browser::set_cookie(&state, INTERACTION_COOKIE, "", 0);
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

/// Record the grant and its code, and send the code to the client.
async fn issue_code(
    state: &AppState,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    session: &Session,
) -> Result<Response, Error> {
    let now = state.clock.now_ms();
    let mut granted = request.scope.intersect(&Scopes::from_names(GRANTABLE));
    for indicator in &request.resources {
        let resource = state
            .db
            .find_resource_by_indicator(indicator)
            .await?
            .ok_or_else(|| {
                OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known")
            })?;
        // API scopes: requested, defined by the API, and held by the user through a role.
        let held = state
            .db
            .find_user_scope_names(&session.user_id, &resource.id)
            .await?;
        granted = Scopes::from_names(granted.iter().chain(request.scope.intersect(&held).iter()));
    }
    let grant = Grant {
        id: random::id(),
        client_id: request.client_id.clone(),
        user_id: session.user_id.clone(),
        session_id_hash: Some(session.id_hash.clone()),
        scope: granted.to_string(),
        resources: request.resources.clone(),
        auth_time: session.auth_time,
        created_at: now,
        revoked_at: None,
    };
    let value = random::secret();
    let code = AuthorizationCode {
        code_hash: token_hash(&value),
        grant_id: grant.id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        created_at: now,
        expires_at: now + CODE_TTL_MS,
    };
    state.db.insert_grant_with_code(&grant, &code).await?;
    let mut fields = vec![("code".to_owned(), value)];
    if let Some(client_state) = &request.state {
        fields.push(("state".into(), client_state.clone()));
    }
    fields.push(("iss".into(), state.config.issuer()));
    Ok(respond(
        state,
        headers,
        &request.redirect_uri,
        request.response_mode,
        &fields,
    ))
}
