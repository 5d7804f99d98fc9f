//! Tokens for a signed-in user: `authorization_code` (consume the code once, check it
//! against the client) and `refresh_token` (rotate, detect reuse, narrow scope), both ending
//! in an ID token, an opaque access token usable at userinfo, and maybe a refresh token.

use latchkey_core::claims::{IdTokenContext, id_token_claims};
use latchkey_core::client::Application;
use latchkey_core::grant::{Grant, RefreshToken, Taken, token_hash};
use latchkey_core::params::Params;
use latchkey_core::scope::Scopes;
use latchkey_core::token::{AccessTokenClaims, authorization_code, refresh_token};
use latchkey_core::{ErrorCode, OAuthError, random};
use latchkey_store::grants::Issued;
use serde_json::{Value, json};

use super::plan::{Access, Plan, access_for, new_refresh_token, plan_code};
use crate::app::AppState;
use crate::error::Error;
use crate::manage::{Actor, audit};

/// Opaque access tokens for userinfo live one hour.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 3600;

fn invalid_grant(why: &'static str) -> Error {
    OAuthError::new(ErrorCode::InvalidGrant, why).into()
}

pub async fn exchange_code(
    state: &AppState,
    app: &Application,
    params: &Params,
) -> Result<Value, Error> {
    let request = authorization_code::parse(params)?;
    let now = state.clock.now_ms();
    let hash = token_hash(&request.code);
    let target = params.get("resource").map(str::to_owned);
    // The code as it stands now, planned and signed for while its consumption commits. The
    // transaction uses that plan only if it reads the same code and grant; otherwise it
    // plans again from what it read, and the early response is dropped unsent.
    let early = state.db.find_authorization_code(&hash, now).await?;
    let early = early.and_then(|(code, grant)| {
        let plan = plan_code(&request, &code, &grant, app, target.as_deref(), now).ok()?;
        Some((code, grant, plan))
    });
    let expected = early
        .as_ref()
        .map(|(code, grant, plan)| (code.clone(), grant.clone(), plan.issued()));
    let app_checked = app.clone();
    let take = state
        .db
        .take_authorization_code(&hash, now, move |code, grant| match expected {
            Some((c, g, issued)) if (&c, &g) == (code, grant) => (issued, None),
            _ => {
                let target = target.as_deref();
                let planned = plan_code(&request, code, grant, &app_checked, target, now);
                let issued = planned
                    .as_ref()
                    .map_or_else(|_| Issued::default(), Plan::issued);
                (issued, Some(planned))
            }
        });
    let (taken, early) = match early {
        Some((_, grant, plan)) => {
            let (taken, response) = tokio::join!(take, issue(state, app, &grant, plan));
            (taken?, Some(response))
        }
        None => (take.await?, None),
    };
    match taken {
        Taken::Taken((_, _, None)) => early.unwrap_or_else(|| Err(invalid_grant("no plan"))),
        Taken::Taken((_, grant, Some(plan))) => issue(state, app, &grant, plan?).await,
        Taken::Missing => Err(invalid_grant("the code is invalid or expired")),
        Taken::Reused { grant_id } => {
            // RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
            state.db.revoke_grant(&grant_id, now).await?;
            tracing::warn!(client_id = %app.id, "authorization code reused; its grant is revoked");
            let actor = Actor::application(app.id.clone());
            audit(
                state,
                &actor,
                "grant.code_reuse",
                ("grant", &grant_id),
                json!({}),
            )
            .await;
            Err(invalid_grant("the code was already used"))
        }
    }
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
                Taken::Missing => Err(invalid_grant("the refresh token is invalid or expired")),
                Taken::Reused { grant_id } => reused(state, app, &grant_id, now).await,
            }
        }
        (rotate, _, _) => {
            // Unknown, expired, or consumed before: a replay of a rotated token revokes its family.
            if rotate
                && let Some(grant_id) = state.db.find_consumed_refresh_token(&presented).await?
            {
                return reused(state, app, &grant_id, now).await;
            }
            Err(invalid_grant("the refresh token is invalid or expired"))
        }
    }
}

async fn reused(
    state: &AppState,
    app: &Application,
    grant_id: &str,
    now: i64,
) -> Result<Value, Error> {
    state.db.revoke_grant(grant_id, now).await?;
    tracing::warn!(client_id = %app.id, "rotated refresh token reused; its grant is revoked");
    let actor = Actor::application(app.id.clone());
    audit(
        state,
        &actor,
        "grant.refresh_reuse",
        ("grant", grant_id),
        json!({}),
    )
    .await;
    Err(invalid_grant("the refresh token was already used"))
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
        .sign(state.config.access_token_alg, "at+jwt", claims)
        .await?;
    Ok((token, resource.access_token_ttl))
}

/// The token response for a user: access token, ID token, refresh token if any.
async fn issue(
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
        Access::Opaque(value, _) => (value, ACCESS_TOKEN_TTL_SECS),
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
        .sign(app.settings.id_token_alg, "JWT", claims)
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
