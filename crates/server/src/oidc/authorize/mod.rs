//! `/oidc/auth` (GET and POST): validate the request, then either issue a code for the
//! browser's live session or hand off to the sign-in or consent page and wait; `resume`
//! finishes what a page handed back, `code` issues the code, `respond` sends the answer to
//! the client's redirect URI.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use latchkey_core::OAuthError;
use latchkey_core::authorize::{self, AuthorizationRequest, AuthorizeError, Next};
use latchkey_core::client::Application;
use latchkey_core::dynamic::{Standing, refusal};
use latchkey_core::id_token_hint;
use latchkey_core::params::Params;
use latchkey_core::session::Session;

mod code;
mod facts;
mod respond;
mod resume;

pub use resume::resume;

use crate::app::AppState;
use crate::browser;
use crate::consent;
use crate::error::{Error, OrPage, PageError};
use facts::Reading;
use respond::respond_error;

pub async fn get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, PageError> {
    let params = Params::parse(query.unwrap_or_default().as_bytes());
    authorize(&state, &headers, params).await
}

pub async fn post(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, PageError> {
    authorize(&state, &headers, Params::parse(&body)).await
}

/// An error that must not go back to the client: shown to the user, HTTP 400.
pub(super) fn error_page(state: &AppState, headers: &HeaderMap, error: &OAuthError) -> PageError {
    PageError::showing(state, headers, StatusCode::BAD_REQUEST, error)
}

async fn authorize(
    state: &AppState,
    headers: &HeaderMap,
    params: Result<Params, OAuthError>,
) -> Result<Response, PageError> {
    let params = params.map_err(|error| error_page(state, headers, &error))?;
    let application = match params.get("client_id") {
        Some(id) => {
            // A document client's document is fetched here, before anything is trusted:
            // its failures are shown, never redirected.
            let found = crate::cimd::client_for_authorization(state, id).await;
            found.map_err(|failure| match failure {
                Error::OAuth(error) => error_page(state, headers, &error),
                other => PageError::new(state, headers, other),
            })?
        }
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
        (Err(AuthorizeError::Untrusted(error)), _) => {
            return Err(error_page(state, headers, &error));
        }
        (Ok(_), None) => return Err(error_page(state, headers, &OAuthError::invalid_client())),
        (
            Err(AuthorizeError::Redirect {
                redirect_uri,
                response_mode,
                state: client_state,
                error,
            }),
            _,
        ) => {
            return Ok(respond_error(
                state,
                headers,
                &redirect_uri,
                response_mode,
                client_state,
                &error,
            ));
        }
    };
    if let Some(dynamic) = &application.dynamic {
        let policy = state
            .cache
            .policy(&state.db)
            .await
            .or_page(state, headers)?;
        match policy.standing(dynamic) {
            Standing::Allowed => {}
            Standing::Pending => {
                let error = refusal(Standing::Pending).unwrap_or_else(OAuthError::invalid_client);
                let back = (
                    request.redirect_uri.as_str(),
                    request.response_mode,
                    request.state.clone(),
                );
                return Ok(respond::waiting(
                    state,
                    headers,
                    back,
                    (&application.name, &error),
                ));
            }
            // A blocked client, or one of a kind turned off, is told nothing through its
            // redirect: the user sees why.
            refused => {
                let error = refusal(refused).unwrap_or_else(OAuthError::invalid_client);
                return Err(error_page(state, headers, &error));
            }
        }
    }
    // The redirect URI is trusted from here on: every failure, a store's too, goes back to
    // the client (RFC 6749 §4.1.2.1).
    Ok(match decide(state, headers, &application, &request).await {
        Ok(response) => response,
        Err(failure) => respond_error(
            state,
            headers,
            &request.redirect_uri,
            request.response_mode,
            request.state.clone(),
            &failure.into_oauth().1,
        ),
    })
}

/// Issue a code for the browser's live session, or send the user to sign in or consent
/// (`authorize::next` decides which).
async fn decide(
    state: &AppState,
    headers: &HeaderMap,
    app: &Application,
    request: &AuthorizationRequest,
) -> Result<Response, Error> {
    // Fail before anyone signs in when the request can never succeed.
    let checked = consent::check(state, app, request).await?;
    let session = browser::current_session(state, headers).await?;
    let reading = Reading::of(state, (app, request), session.as_ref(), Some(checked)).await?;
    let facts = reading.facts(request, session.as_ref(), None, state.clock.now_ms());
    match (authorize::next(&facts), facts.session, &reading.plan) {
        (Next::Issue, Some((session, _)), Some(plan)) => {
            code::issue(state, headers, (app, request), session, plan).await
        }
        (Next::Issue | Next::SignIn, _, _) => park(state, headers, request, None, "sign-in").await,
        (Next::SecondFactor, session, _) => {
            let session = session.map(|(s, _)| s);
            park(state, headers, request, session, "second-factor").await
        }
        (Next::Consent(_) | Next::Confirm, session, _) => {
            park(state, headers, request, session.map(|(s, _)| s), "consent").await
        }
        (Next::Fail(error), _, _) => Err(error.into()),
    }
}

/// The subject of an `id_token_hint`: an ID token this server signed (expired ones too).
pub fn hinted_subject(
    state: &AppState,
    request: &AuthorizationRequest,
) -> Result<Option<String>, OAuthError> {
    let Some(hint) = &request.id_token_hint else {
        return Ok(None);
    };
    let keys = state.keys.get();
    let hint = id_token_hint::verify(hint, keys.public_keys(), &state.config.issuer())?;
    Ok(Some(hint.subject))
}

/// Park the request and send the browser to the sign-in or consent page.
async fn park(
    state: &AppState,
    headers: &HeaderMap,
    request: &AuthorizationRequest,
    session: Option<&Session>,
    page: &str,
) -> Result<Response, Error> {
    let json = serde_json::to_string(request).map_err(|e| Error::Internal(e.to_string()))?;
    let client_id = Some(request.client_id.as_str());
    let begun = browser::begin_interaction(state, headers, client_id, json, session, page);
    Ok(begun.await?)
}
