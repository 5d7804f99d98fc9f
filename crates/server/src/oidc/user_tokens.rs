//! Tokens for a signed-in user: the `refresh_token` grant (rotate, detect reuse, narrow
//! scope), and the response it shares with `authorization_code` (`redeem`): an ID token, an
//! opaque access token usable at userinfo or a JWT for an API, and maybe a refresh token.

use latchkey_core::claims::{IdTokenContext, id_token_claims};
use latchkey_core::client::Application;
use latchkey_core::grant::{Grant, RefreshToken, Taken, token_hash};
use latchkey_core::lifetimes::OPAQUE_ACCESS_TOKEN_SECS;
use latchkey_core::params::Params;
use latchkey_core::scope::Scopes;
use latchkey_core::token::{AccessTokenClaims, refresh_token};
use latchkey_core::{ErrorCode, OAuthError, random};
use serde_json::{Value, json};

use super::plan::{Access, Plan, access_for, new_refresh_token};
use crate::app::AppState;
use crate::error::Error;
use crate::keyring::RsaOn;
use crate::manage::{Actor, audit};

pub(super) const INVALID_CODE: &str = "the code is invalid or expired";
pub(super) const INVALID_REFRESH_TOKEN: &str = "the refresh token is invalid or expired";

pub(super) fn invalid_grant(why: &'static str) -> Error {
    OAuthError::new(ErrorCode::InvalidGrant, why).into()
}

pub async fn refresh(state: &AppState, app: &Application, params: &Params) -> Result<Value, Error> {
    let request = refresh_token::parse(params)?;
    let now = state.clock.now_ms();
    let presented = token_hash(&request.refresh_token);
    // Check ownership before consuming anything: another client's token stays untouched.
    let found = state.db.find_refresh_token(&presented, now).await?;
    if found
        .as_ref()
        .is_some_and(|(_, grant)| grant.client_id != app.id)
    {
        return Err(invalid_grant(
            "the refresh token was issued to another client",
        ));
    }
    // A request the token cannot satisfy (a wider scope or another API) fails before
    // anything is consumed, so a client's mistake never costs it its refresh token.
    let planned = match &found {
        Some((token, grant)) => {
            let scope =
                refresh_token::narrow(request.scope.as_ref(), &Scopes::parse(&token.scope)?)?;
            let access = access_for(grant, &scope, params.get("resource"), now)?;
            Some((scope, access))
        }
        None => None,
    };
    let rotate = !app.app_type.is_confidential() || app.settings.rotate_refresh_token;
    match (rotate, found, planned) {
        (false, Some((_, grant)), Some((scope, access))) => {
            if let Access::Opaque(_, record) = &access {
                state.db.insert_access_token(record).await?;
            }
            let plan = Plan {
                scope,
                nonce: None,
                refresh: None,
                access,
            };
            issue(state, app, &grant, plan).await
        }
        (true, Some((token, grant)), Some((scope, access))) => {
            let (value, next) = new_refresh_token(app, &grant, now);
            let next = RefreshToken {
                scope: token.scope.clone(),
                ..next
            };
            let stored_access = match &access {
                Access::Opaque(_, record) => Some(record.clone()),
                Access::Api(_) => None,
            };
            let plan = Plan {
                scope,
                nonce: None,
                refresh: Some((value, next.clone())),
                access,
            };
            // The response is signed while the rotation commits (the signature would
            // otherwise wait on the fsync); it is sent only if the rotation won.
            let old = (presented.as_str(), token, grant.clone());
            let (rotated, response) = tokio::join!(
                state
                    .db
                    .rotate_refresh_token(old, &next, stored_access, now),
                issue(state, app, &grant, plan),
            );
            match rotated? {
                Taken::Taken(_) => response,
                Taken::Missing => Err(invalid_grant(INVALID_REFRESH_TOKEN)),
                Taken::Reused { grant_id } => {
                    replayed(state, app, &grant_id, now, Replayed::RefreshToken).await
                }
            }
        }
        (rotate, _, _) => {
            // Unknown, expired, or consumed before: a replay of a rotated token revokes its family.
            if rotate
                && let Some(grant_id) = state.db.find_consumed_refresh_token(&presented).await?
            {
                return replayed(state, app, &grant_id, now, Replayed::RefreshToken).await;
            }
            Err(invalid_grant(INVALID_REFRESH_TOKEN))
        }
    }
}

/// What was presented again after its one use.
#[derive(Debug, Clone, Copy)]
pub(super) enum Replayed {
    Code,
    RefreshToken,
}

/// A replayed code (RFC 6749 §4.1.2) or rotated refresh token (RFC 9700 §4.14.2) revokes
/// its grant and everything issued under it.
pub(super) async fn replayed(
    state: &AppState,
    app: &Application,
    grant_id: &str,
    now: i64,
    what: Replayed,
) -> Result<Value, Error> {
    // The same answer as for a value never issued: a code's past cannot be probed.
    let (action, why) = match what {
        Replayed::Code => ("grant.code_reuse", INVALID_CODE),
        Replayed::RefreshToken => ("grant.refresh_reuse", INVALID_REFRESH_TOKEN),
    };
    state.db.revoke_grant(grant_id, now).await?;
    tracing::warn!(client_id = %app.id, action, "one-time credential replayed; its grant is revoked");
    let actor = Actor::application(app.id.clone());
    audit(state, &actor, action, ("grant", grant_id), json!({})).await;
    Err(invalid_grant(why))
}

/// A JWT access token for the API `indicator` (RFC 9068).
async fn api_access_token(
    state: &AppState,
    app: &Application,
    grant: &Grant,
    scope: &Scopes,
    indicator: &str,
) -> Result<(String, i64), Error> {
    let now = state.clock.now_ms();
    let resource = state
        .db
        .find_resource_by_indicator(indicator)
        .await?
        .ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidTarget, "the resource no longer exists")
        })?;
    if app.is_third_party && resource.is_management {
        let why = "a third-party application may not access the management API";
        return Err(OAuthError::new(ErrorCode::InvalidTarget, why).into());
    }
    // Roles (and a third-party application's ceiling) are read again: what was taken away
    // since the user consented is not carried over.
    let ceiling_of = app.is_third_party.then_some(app.id.as_str());
    let held = state
        .db
        .find_grantable_scopes(&grant.user_id, &resource.id, ceiling_of)
        .await?;
    let held = Scopes::from_names(held.into_iter().map(|s| s.name));
    let claims = AccessTokenClaims {
        iss: state.config.issuer(),
        sub: grant.user_id.clone(),
        aud: resource.indicator.clone(),
        client_id: app.id.clone(),
        scope: scope.intersect(&held).to_string(),
        iat: now / 1000,
        exp: now / 1000 + resource.access_token_ttl,
        jti: random::id(),
    };
    let keys = state.keys.get();
    let token = keys
        .sign(
            state.config.access_token_alg,
            "at+jwt",
            claims,
            RsaOn::BlockingPool,
        )
        .await?;
    Ok((token, resource.access_token_ttl))
}

/// The token response for a user: access token, ID token, refresh token if any.
pub(super) async fn issue(
    state: &AppState,
    app: &Application,
    grant: &Grant,
    plan: Plan,
) -> Result<Value, Error> {
    let now = state.clock.now_ms();
    let user = state
        .db
        .find_user(&grant.user_id)
        .await?
        .filter(|u| !u.is_suspended);
    let Some(user) = user else {
        return Err(invalid_grant("the user can no longer sign in"));
    };
    let scope = &plan.scope;
    let (access_token, expires_in) = match plan.access {
        Access::Opaque(value, _) => (value, OPAQUE_ACCESS_TOKEN_SECS),
        Access::Api(indicator) => api_access_token(state, app, grant, scope, &indicator).await?,
    };
    let issuer = state.config.issuer();
    let context = IdTokenContext {
        issuer: &issuer,
        client_id: &app.id,
        now_ms: now,
        ttl_secs: app.settings.id_token_ttl,
        auth_time_ms: grant.auth_time,
        nonce: plan.nonce.as_deref(),
        session_id: grant.session_id_hash.as_deref(),
        access_token: Some(&access_token),
    };
    let roles = role_names(state, &user.id).await?;
    let claims = id_token_claims(&user, &roles, scope, &context);
    let id_token = state
        .keys
        .get()
        .sign(
            app.settings.id_token_alg,
            "JWT",
            claims,
            RsaOn::BlockingPool,
        )
        .await?;
    let mut body = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": expires_in,
        "scope": scope.to_string(),
        "id_token": id_token,
    });
    if let Some((refresh, _)) = plan.refresh {
        body["refresh_token"] = json!(refresh);
    }
    Ok(body)
}

/// The names of the user's roles, for the `roles` claim.
pub async fn role_names(state: &AppState, user_id: &str) -> Result<Vec<String>, Error> {
    let roles = state
        .db
        .find_roles_of(latchkey_store::roles::Holder::User(user_id))
        .await?;
    Ok(roles.into_iter().map(|r| r.name).collect())
}
