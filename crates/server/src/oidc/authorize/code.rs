//! Issuing an authorization code: record the grant the plan computed, remember the user's
//! consent, finish the interaction, and send the code to the client.

use axum::http::HeaderMap;
use axum::response::Response;
use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::client::Application;
use latchkey_core::grant::{AuthorizationCode, Grant, token_hash};
use latchkey_core::random;
use latchkey_core::session::Session;
use latchkey_core::{ErrorCode, OAuthError};
use latchkey_store::audit::AuditEntry;
use serde_json::json;

use super::respond::respond;
use crate::app::AppState;
use crate::consent::Plan;
use crate::error::Error;

/// Record the grant and its code for a request the user needed no page for, and send
/// the code to the client.
pub async fn issue(
    state: &AppState,
    headers: &HeaderMap,
    (app, request): (&Application, &AuthorizationRequest),
    session: &Session,
    plan: &Plan,
) -> Result<Response, Error> {
    let value = record(state, (app, request), session, plan, None)
        .await?
        // Only a code that finishes an interaction can be refused.
        .ok_or_else(|| Error::Internal("no code was issued".into()))?;
    Ok(send(state, headers, (request, session), value).await)
}

/// Record the grant and its code, consuming the interaction they answer in the same
/// transaction, and send the code to the client; `None` if another request consumed
/// that interaction first. A device's request that was decided or expired meanwhile
/// records nothing, and the user reads that the device could not be connected.
pub async fn finish(
    state: &AppState,
    headers: &HeaderMap,
    (app, request, interaction_id): (&Application, &AuthorizationRequest, &str),
    session: &Session,
    plan: &Plan,
) -> Result<Option<Response>, Error> {
    let issued = record(state, (app, request), session, plan, Some(interaction_id)).await?;
    Ok(match (issued, &request.device) {
        (Some(value), _) => Some(send(state, headers, (request, session), value).await),
        // Decided before (another browser), or expired while the user read the page.
        (None, Some(_)) => {
            let late = OAuthError::new(
                ErrorCode::ExpiredToken,
                "the device code is no longer valid",
            );
            let actor = crate::manage::Actor::user(&session.user_id);
            let answer = (request, &actor);
            Some(crate::pages::device::answered(state, headers, answer, Err(&late)).await)
        }
        (None, None) => None,
    })
}

/// The code's value, once the grant, the code, the consent record and (if any) the end
/// of the interaction are written; `None` if the interaction was already consumed.
async fn record(
    state: &AppState,
    (app, request): (&Application, &AuthorizationRequest),
    session: &Session,
    plan: &Plan,
    finishes: Option<&str>,
) -> Result<Option<String>, Error> {
    let now = state.clock.now_ms();
    let grant = Grant {
        id: random::ordered_id(now),
        client_id: request.client_id.clone(),
        user_id: session.user_id.clone(),
        session_id_hash: Some(session.id_hash.clone()),
        scope: plan.scope().to_string(),
        resources: request
            .resources
            .iter()
            .filter(|r| *r != latchkey_core::organization::RESERVED_RESOURCE)
            .cloned()
            .collect(),
        auth_time: session.auth_time,
        amr: session.amr.clone(),
        created_at: now,
        revoked_at: None,
    };
    let value = random::ordered_secret(now);
    let code = AuthorizationCode {
        code_hash: token_hash(&value),
        grant_id: grant.id.clone(),
        redirect_uri: request.redirect_uri.clone(),
        nonce: request.nonce.clone(),
        code_challenge: request.code_challenge.clone(),
        created_at: now,
        // A device redeems its code at its next poll, which may come a while after.
        expires_at: match request.device {
            Some(_) => now + latchkey_core::device::EXPIRES_SECS * 1000,
            None => now + latchkey_core::lifetimes::CODE_MS,
        },
    };
    if let Some(challenge) = &code.code_challenge {
        warn_if_repeated(state, &grant, challenge).await?;
    }
    // A first-party application's consent is implied; a third-party one's is already
    // recorded by now. Either way the record (written with the grant and its code) lists
    // what the application received, and when.
    let scope_ids = plan.scope_ids();
    let organization_scope_ids = plan.organization_scope_ids();
    let consent = Some(latchkey_store::consent::Agreed {
        user_scopes: &plan.user_scopes,
        scope_ids: &scope_ids,
        organization_scope_ids: &organization_scope_ids,
        organizations: None,
    });
    let finishes = finishes.map(|id| (id, now));
    let issued = state
        .db
        .insert_grant_with_code(
            &grant,
            &code,
            consent,
            (finishes, request.device.as_deref()),
        )
        .await?;
    // A self-registered client that completed an authorization is no longer reaped.
    if issued
        && app
            .dynamic
            .as_ref()
            .is_some_and(|d| d.authorized_at.is_none())
    {
        state.db.mark_authorized(&app.id, now).await?;
    }
    Ok(issued.then_some(value))
}

/// A client must make a new PKCE challenge for each authorization (RFC 9700 §2.1.1): one
/// seen before in a code of the same client is not refused (the verifier still binds the
/// code to whoever holds it) but written to the audit log as a warning, since it means the
/// client's verifier is predictable or stored.
async fn warn_if_repeated(state: &AppState, grant: &Grant, challenge: &str) -> Result<(), Error> {
    let client_id = &grant.client_id;
    let Some(previous) = state
        .db
        .find_code_with_challenge(client_id, challenge)
        .await?
    else {
        return Ok(());
    };
    tracing::warn!(client_id = %client_id, "a PKCE challenge was sent again");
    let entry = AuditEntry {
        actor_type: "application",
        actor_id: Some(client_id.clone()),
        action: "authorization.pkce_challenge_repeated".to_owned(),
        target_type: Some("application"),
        target_id: Some(client_id.clone()),
        details: json!({"grantId": grant.id, "previousGrantId": previous}),
    };
    state.audit.queue(entry, state.clock.now_ms());
    Ok(())
}

/// The redirect carrying the code (with `state` and `iss`, RFC 9207) back to the client; for
/// a device, which polls for it, the page that tells the user it is done.
async fn send(
    state: &AppState,
    headers: &HeaderMap,
    (request, session): (&AuthorizationRequest, &Session),
    value: String,
) -> Response {
    if request.device.is_some() {
        let actor = crate::manage::Actor::user(&session.user_id);
        return crate::pages::device::answered(state, headers, (request, &actor), Ok(())).await;
    }
    let mut fields = vec![("code".to_owned(), value)];
    if let Some(client_state) = &request.state {
        fields.push(("state".into(), client_state.clone()));
    }
    fields.push(("iss".into(), state.config.issuer()));
    respond(
        state,
        headers,
        &request.redirect_uri,
        request.response_mode,
        &fields,
    )
}
