//! `GET /oidc/auth/resume/{id}`: a hosted page is done with an interaction; finish it. An
//! authorization request gets its code, its error, or the consent page still missing; an
//! account sign-in goes back to the account page it came from.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::authorize::{self, AuthorizationRequest, Next};
use latchkey_core::grant::hash_matches;
use latchkey_core::session::{Interaction, Session};
use latchkey_core::{ErrorCode, OAuthError};
use serde::Deserialize;

use super::code;
use super::error_page;
use super::facts::Reading;
use super::respond::respond_error;
use crate::app::AppState;
use crate::browser;
use crate::error::Error;
use crate::error::{OrPage, PageError};
use crate::manage::Actor;

/// What an account sign-in returns to: one of the account pages.
#[derive(Debug, Deserialize)]
struct ReturnTo {
    return_to: String,
}

pub async fn resume(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let now = state.clock.now_ms();
    let found = state.db.find_interaction(&id, now).await;
    let interaction = found.or_page(&state, &headers)?.filter(|i| {
        browser::interaction_binding(&state, &headers, &id)
            .is_some_and(|b| hash_matches(b, &i.csrf_hash))
    });
    let Some(interaction) = interaction else {
        let why = "this sign-in has expired or belongs to another browser";
        return Err(error_page(
            &state,
            &headers,
            &OAuthError::invalid_request(why),
        ));
    };
    let session = browser::current_session(&state, &headers).await;
    let session = session.or_page(&state, &headers)?;
    let sign_in = || Ok(Redirect::to(&format!("/sign-in/{id}")).into_response());
    if interaction.client_id.is_none() {
        return match session {
            // Under `LATCHKEY_MFA=required` the account pages too need two factors.
            Some(session) if interaction.accepts(&session) => {
                if !state.config.mfa.admits(&session.amr) {
                    return Ok(Redirect::to(&format!("/second-factor/{id}")).into_response());
                }
                finish_account(&state, &headers, &interaction).await
            }
            _ => sign_in(),
        };
    }
    let Ok(request) = serde_json::from_str::<AuthorizationRequest>(&interaction.request) else {
        let why = "this sign-in has expired or belongs to another browser";
        return Err(error_page(
            &state,
            &headers,
            &OAuthError::invalid_request(why),
        ));
    };
    let finished = finish(&state, &headers, (&interaction, &request), session.as_ref()).await;
    let mut response = match finished {
        Ok(Finished::SignIn) => return sign_in(),
        Ok(Finished::SecondFactor) => {
            return Ok(Redirect::to(&format!("/second-factor/{id}")).into_response());
        }
        // The binding cookie stays while the consent page still needs it.
        Ok(Finished::Consent) => {
            return Ok(Redirect::to(&format!("/consent/{id}")).into_response());
        }
        Ok(Finished::Done(response)) => response,
        // A device hears of every failure at its next poll; the user reads it here.
        Err(failure) if request.device.is_some() => {
            let actor = match &session {
                Some(session) => Actor::user(&session.user_id),
                None => Actor::application(request.client_id.clone()),
            };
            let error = failure.into_oauth().1;
            let outcome = (&request, &actor);
            crate::pages::device::answered(&state, &headers, outcome, Err(&error)).await
        }
        // Every failure, a store's too, goes back to the client (RFC 6749 §4.1.2.1).
        Err(failure) => respond_error(
            &state,
            &headers,
            &request.redirect_uri,
            request.response_mode,
            request.state.clone(),
            &failure.into_oauth().1,
        ),
    };
    let clear = browser::forget_interaction(&state, &id);
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

/// Where an authorization request stands once resumed.
enum Finished {
    /// Answered: a code, an error, or a page saying the interaction is spent.
    Done(Response),
    /// The user must sign in (again, or as someone else).
    SignIn,
    /// The user must prove a second factor.
    SecondFactor,
    /// Something is still to be consented to, or the application still to be confirmed.
    Consent,
}

/// Consume the interaction: `false` if another request already did.
async fn take(state: &AppState, id: &str) -> Result<bool, Error> {
    Ok(state.db.take_interaction(id, state.clock.now_ms()).await?)
}

fn completed(state: &AppState, headers: &HeaderMap) -> Response {
    let why = "this sign-in was already completed";
    error_page(state, headers, &OAuthError::invalid_request(why)).into_response()
}

async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    (interaction, request): (&Interaction, &AuthorizationRequest),
    session: Option<&Session>,
) -> Result<Finished, Error> {
    let entry = state
        .cache
        .client(&state.db, &request.client_id)
        .await?
        .ok_or_else(|| OAuthError::new(ErrorCode::AccessDenied, "the application is gone"))?;
    let app = &entry.application;
    let reading = Reading::of(state, (app, request), session, None).await?;
    let facts = reading.facts(request, session, Some(interaction), state.clock.now_ms());
    match (authorize::next(&facts), facts.session, &reading.plan) {
        (Next::Issue, Some((session, _)), Some(plan)) => {
            // The interaction is consumed in the code's own transaction.
            let ids = (app, request, interaction.id.as_str());
            let issued = code::finish(state, headers, ids, session, plan).await?;
            Ok(Finished::Done(
                issued.unwrap_or_else(|| completed(state, headers)),
            ))
        }
        (Next::Issue | Next::SignIn, _, _) => Ok(Finished::SignIn),
        (Next::SecondFactor, _, _) => Ok(Finished::SecondFactor),
        (Next::Consent(_) | Next::Confirm, _, _) => Ok(Finished::Consent),
        (Next::Fail(error), _, _) => match take(state, &interaction.id).await? {
            true => Err(error.into()),
            false => Ok(Finished::Done(completed(state, headers))),
        },
    }
}

/// Back to the account page the sign-in was for (only ever `/account` or a path under it).
async fn finish_account(
    state: &AppState,
    headers: &HeaderMap,
    i: &Interaction,
) -> Result<Response, PageError> {
    let target = serde_json::from_str::<ReturnTo>(&i.request)
        .ok()
        .map(|r| r.return_to)
        .filter(|t| (t == "/account" || t.starts_with("/account/")) && !t.contains("//"))
        .unwrap_or_else(|| "/account/apps".to_owned());
    if !take(state, &i.id).await.or_page(state, headers)? {
        return Ok(completed(state, headers));
    }
    let mut response = Redirect::to(&target).into_response();
    let clear = browser::forget_interaction(state, &i.id);
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}
