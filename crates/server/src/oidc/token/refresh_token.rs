//! `grant_type=refresh_token` (RFC 6749 §6): check the token is this client's and the request
//! within it before anything is consumed, then keep or rotate it as `core` decides; a rotated
//! token presented again revokes its grant (RFC 9700 §4.14.2), unless the application's reuse
//! grace keeps the rotation's answer for a retry (`reuse`) and answers the client's other
//! requests meanwhile, or the request raced the client's own. With `organization_id`
//! (or an organization's audience) it issues an organization token (`organization`).

use latchkey_core::client::Application;
use latchkey_core::grant::{Grant, RefreshToken, Taken, token_hash};
use latchkey_core::organization;
use latchkey_core::scope::Scopes;
use latchkey_core::token::TokenResponse;
use latchkey_core::token::refresh_token::{self, Refresh, Request};
use latchkey_core::user::User;

use super::issuance::{
    Access, INVALID_REFRESH_TOKEN, Replayed, Tokens, access_for, invalid_grant, issue,
    new_refresh_token, replayed,
};
use super::reuse;
use crate::app::AppState;
use crate::error::Error;

pub async fn refresh(
    state: &AppState,
    app: &Application,
    request: Request,
) -> Result<TokenResponse, Error> {
    let now = state.clock.now_ms();
    let presented = token_hash(&request.refresh_token);
    // Check ownership before consuming anything: another client's token stays untouched.
    let found = state
        .db
        .find_refresh_token_and_user(&presented, now)
        .await?;
    if found
        .as_ref()
        .is_some_and(|(_, grant, _)| grant.client_id != app.id)
    {
        return Err(invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    // A request the token cannot satisfy (a wider scope or another API) fails before
    // anything is consumed, so a client's mistake never costs it its refresh token.
    let planned = match &found {
        Some((token, grant, _)) => Some(plan(state, app, &request, (token, grant)).await?),
        None => None,
    };
    if found.is_none() {
        // Rotated a moment ago, within the application's grace: a retry gets the same answer.
        if let Some(again) = answered_before(state, app, &request, &presented).await? {
            return Ok(again);
        }
        // Rotated within the grace by another request of this client (one per API, say).
        if let Some(since) = refresh_token::reuse_since(app, now) {
            let rotated = (presented.as_str(), app.id.as_str());
            let sibling = state
                .db
                .find_rotated_refresh_token_and_user(rotated, since, now);
            if let Some((token, grant, user)) = sibling.await? {
                let (scope, access) = plan(state, app, &request, (&token, &grant)).await?;
                return access_only(state, app, (&grant, user), (scope, access)).await;
            }
        }
    }
    // Unknown, expired, or consumed before: a replay of a rotated token revokes its family.
    let rotated_in = match found.is_none() && refresh_token::rotates(app) {
        true => state.db.find_consumed_refresh_token(&presented).await?,
        false => None,
    };
    let decision = refresh_token::decide(app, found.is_some(), rotated_in);
    match (decision, found.zip(planned)) {
        (Refresh::Keep, Some(((_, grant, user), planned))) => {
            access_only(state, app, (&grant, user), planned).await
        }
        (Refresh::Rotate, Some(((token, grant, user), (scope, access)))) => {
            let (value, next) = new_refresh_token(app, &grant, now);
            let next = RefreshToken {
                scope: token.scope.clone(),
                ..next
            };
            let stored_access = match &access {
                Access::Opaque(_, record) => Some(record.clone()),
                Access::Api(_) | Access::Organization(_) => None,
            };
            let tokens = Tokens {
                scope,
                nonce: None,
                refresh: Some((value, next.clone())),
                access,
            };
            let old = (presented.as_str(), token, grant.clone());
            let kept = stored_access.clone();
            let (rotated, response) = match refresh_token::reuse_since(app, now) {
                // The answer is kept with the rotation, so it is made first.
                Some(_) => {
                    let response = issue(state, app, (&grant, user), tokens).await?;
                    let key = (
                        request.refresh_token.as_str(),
                        refresh_token::target(&request),
                    );
                    let sealed = reuse::seal(key, &presented, &response);
                    let rotated = state
                        .db
                        .rotate_refresh_token(old, &next, (kept, sealed), now)
                        .await;
                    (rotated, Ok(response))
                }
                // The response is signed while the rotation commits (the signature would
                // otherwise wait on the fsync); it is sent only if the rotation won.
                None => tokio::join!(
                    state.db.rotate_refresh_token(old, &next, (kept, None), now),
                    issue(state, app, (&grant, user), tokens),
                ),
            };
            match rotated? {
                Taken::Taken(_) => response,
                Taken::Missing => Err(invalid_grant(INVALID_REFRESH_TOKEN)),
                // A concurrent request of this client won the race (both found the token
                // live): a retry of the same request gets its answer (within the grace);
                // another request (the SDKs fetch one token per API in parallel), its own
                // access token and no new refresh token.
                Taken::Reused { .. } => {
                    if let Some(again) = answered_before(state, app, &request, &presented).await? {
                        return Ok(again);
                    }
                    // Only if the winner's rotation is there, of a grant still live: a token
                    // deleted meanwhile (revoked, password changed) also loses the race.
                    let since = refresh_token::raced_since(app, now);
                    let rotated = (presented.as_str(), app.id.as_str());
                    let won = state
                        .db
                        .find_rotated_refresh_token_and_user(rotated, since, now);
                    if won.await?.is_none() {
                        return Err(invalid_grant(INVALID_REFRESH_TOKEN));
                    }
                    if let Some(record) = &stored_access {
                        state.db.insert_access_token(record).await?;
                    }
                    let mut response = response?;
                    response.refresh_token = None;
                    Ok(response)
                }
            }
        }
        (Refresh::Replayed(grant_id), _) => {
            replayed(state, app, &grant_id, now, Replayed::RefreshToken).await
        }
        _ => Err(invalid_grant(INVALID_REFRESH_TOKEN)),
    }
}

/// What the request gets from `token`: the scope (narrowed, never widened) and the access
/// token, for an API, an organization, or userinfo; decided before anything is consumed.
async fn plan(
    state: &AppState,
    app: &Application,
    request: &Request,
    (token, grant): (&RefreshToken, &Grant),
) -> Result<(Scopes, Access), Error> {
    let now = state.clock.now_ms();
    let scope = refresh_token::narrow(request.scope.as_ref(), &Scopes::parse(&token.scope)?)?;
    let (organization_id, resource) = (
        request.organization_id.as_deref(),
        request.resource.as_deref(),
    );
    Ok(match organization::target(organization_id, resource)? {
        None => {
            let access = access_for(grant, &scope, resource, now)?;
            (scope, access)
        }
        Some(target) => {
            organization::check_granted(&Scopes::parse(&grant.scope)?)?;
            let user = (grant.user_id.as_str(), grant.resources.as_slice());
            let claims = super::organization::for_user(state, app, user, &target, &scope).await?;
            (Scopes::parse(&claims.scope)?, Access::Organization(claims))
        }
    })
}

/// An access token (and ID token) without a new refresh token: the presented one stays as
/// it is.
async fn access_only(
    state: &AppState,
    app: &Application,
    (grant, user): (&Grant, Option<User>),
    (scope, access): (Scopes, Access),
) -> Result<TokenResponse, Error> {
    if let Access::Opaque(_, record) = &access {
        state.db.insert_access_token(record).await?;
    }
    let tokens = Tokens {
        scope,
        nonce: None,
        refresh: None,
        access,
    };
    issue(state, app, (grant, user), tokens).await
}

/// The answer kept when the refresh token presented in `request` (hashed `presented`) was
/// rotated within the application's reuse grace by the same request, if any.
async fn answered_before(
    state: &AppState,
    app: &Application,
    request: &Request,
    presented: &str,
) -> Result<Option<TokenResponse>, Error> {
    let Some(since) = refresh_token::reuse_since(app, state.clock.now_ms()) else {
        return Ok(None);
    };
    let sealed = state
        .db
        .find_reuse_answer((presented, &app.id), since)
        .await?;
    let target = refresh_token::target(request);
    let key = (request.refresh_token.as_str(), target.as_str());
    Ok(sealed.and_then(|sealed| reuse::open(key, presented, &sealed)))
}
