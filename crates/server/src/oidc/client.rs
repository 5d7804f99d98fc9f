//! What the token, revocation and introspection endpoints share: a form body, and the
//! client that sent it, authenticated (RFC 6749 §2.3), as one extractor ([`ClientRequest`])
//! that has done both before the handler runs.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::dynamic::refusal;
use latchkey_core::params::Params;
use latchkey_core::{ErrorCode, OAuthError, client_auth};
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::cache::ClientEntry;
use crate::error::Error;
use crate::manage::Actor;
use crate::throttle::{Budget, ClientAddress};

/// A secret's "last used" time is rewritten at most this often, so that a busy client does
/// not turn every token request into a database write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

/// A client's request: its headers, its form, and the client the form or the
/// `Authorization` header authenticated.
#[derive(Debug)]
pub struct ClientRequest {
    pub headers: HeaderMap,
    pub params: Params,
    pub client: Arc<ClientEntry>,
}

impl FromRequest<AppState> for ClientRequest {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let Ok(address) = ClientAddress::from_request_parts(&mut parts, state).await;
        // Moved, not copied: the body needs none of them.
        let headers = std::mem::take(&mut parts.headers);
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let authenticated = async {
            let params = form(&headers, &body)?;
            let client = authenticate(state, (&headers, address), &params).await?;
            Ok::<_, Error>((params, client))
        };
        match authenticated.await {
            Ok((params, client)) => Ok(Self {
                headers,
                params,
                client,
            }),
            Err(error) => Err(error.into_response()),
        }
    }
}

/// The parameters of an `application/x-www-form-urlencoded` body.
fn form(headers: &HeaderMap, body: &Bytes) -> Result<Params, Error> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    Ok(Params::parse(body)?)
}

/// The client (and its secrets, as cached), authenticated by its secret (confidential) or
/// named by its id (public). Failed secrets count against the client and the address; past
/// the budget the client must wait.
async fn authenticate(
    state: &AppState,
    (headers, address): (&HeaderMap, ClientAddress),
    params: &Params,
) -> Result<Arc<ClientEntry>, Error> {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let presented = client_auth::parse(authorization, params)?;
    let mut budget = presented
        .secret
        .is_some()
        .then(|| Budget::client(&presented.client_id, address));
    // While no counter is live anywhere (polled, see `cache`), there is nothing to wait for.
    if let Some(budget) = &mut budget
        && !state.cache.may_throttle()
    {
        budget.assume_clear();
    } else if let Some(budget) = &mut budget
        && let Some(wait_ms) = budget.wait(state).await?
    {
        let target = ("application", presented.client_id.as_str());
        let details = json!({"retryAfterSeconds": (wait_ms + 999) / 1000});
        audit::write_now(
            state,
            &Actor::address(address),
            "client.throttled",
            target,
            details,
        )
        .await;
        return Err(Error::Throttled { wait_ms });
    }
    let now_ms = state.clock.now_ms();
    let entry = state.cache.client(&state.db, &presented.client_id).await?;
    let application = entry.as_ref().map(|e| &e.application);
    let secrets = entry.as_ref().map_or(&[][..], |e| &e.secrets[..]);
    let matched = client_auth::authenticate(&presented, application, secrets, now_ms);
    let matched = match (matched, &budget) {
        (Err(e), Some(budget)) if e.code == ErrorCode::InvalidClient => {
            state.cache.throttled();
            budget.failed(state).await?;
            let target = ("application", presented.client_id.as_str());
            let actor = Actor::address(address);
            audit::write_now(
                state,
                &actor,
                "client.authentication_failure",
                target,
                json!({}),
            )
            .await;
            return Err(e.into());
        }
        (Err(e), _) => return Err(e.into()),
        (Ok(matched), _) => matched,
    };
    // The cached entry itself: copying the application for every request was a dozen
    // allocations.
    let Some(client) = entry.clone() else {
        return Err(OAuthError::invalid_client().into());
    };
    let application = &client.application;
    if let Some(dynamic) = &application.dynamic {
        let standing = state.cache.policy(&state.db).await?.standing(dynamic);
        if let Some(refused) = refusal(standing) {
            let why = refused.description;
            return Err(OAuthError::new(ErrorCode::InvalidClient, why).into());
        }
    }
    if let Some(budget) = &budget {
        budget.succeeded(state).await?;
    }
    if let Some(secret) = matched
        && secret
            .last_used_at
            .is_none_or(|at| now_ms - at >= LAST_USED_RESOLUTION_MS)
        && state.cache.claim_touch(
            &application.id,
            &secret.name,
            now_ms,
            LAST_USED_RESOLUTION_MS,
        )
    {
        // In the background, once per client and secret however many requests see the old
        // time: a request must not wait for SQLite's write lock to record a statistic.
        let (state, id, name) = (state.clone(), application.id.clone(), secret.name.clone());
        tokio::spawn(async move {
            match state.db.touch_secret(&id, &name, now_ms).await {
                // The copy still holds the old time: read it again.
                Ok(()) => state.cache.forget_client(&id),
                Err(e) => tracing::warn!(error = %e, "could not record a secret's last use"),
            }
        });
    }
    Ok(client)
}
