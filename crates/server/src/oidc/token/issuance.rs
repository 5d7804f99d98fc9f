//! What the user's grants (`authorization_code`, `refresh_token`, `device_code`) issue: the
//! tokens decided from the code or refresh token and its grant before anything is stored (so
//! that the consuming transaction stores them too), then the one token response with its ID
//! token; and what a replayed one-time credential costs its grant.

use latchkey_core::claims::{Held, IdTokenContext, id_token_claims};
use latchkey_core::client::Application;
use latchkey_core::grant::{AuthorizationCode, Grant, OpaqueAccessToken, RefreshToken, token_hash};
use latchkey_core::lifetimes::OPAQUE_ACCESS_TOKEN_SECS;
use latchkey_core::scope::Scopes;
use latchkey_core::token::{self, AccessTokenClaims, TokenResponse, refresh_token};
use latchkey_core::user::User;
use latchkey_core::{ErrorCode, OAuthError, lifetimes, random, resource};
use latchkey_store::grants::Issued;
use serde_json::json;

use crate::app::AppState;
use crate::audit;
use crate::error::Error;
use crate::keyring::RsaOn;
use crate::manage::Actor;

/// What a redemption or a refresh issues, decided before anything is stored.
#[derive(Debug)]
pub struct Tokens {
    pub scope: Scopes,
    pub nonce: Option<String>,
    pub refresh: Option<(String, RefreshToken)>,
    pub access: Access,
}

/// The access token: opaque (stored, for userinfo), a JWT for an API (RFC 8707, RFC 9068),
/// or a JWT within an organization, its claims decided before anything is consumed.
#[derive(Debug)]
pub enum Access {
    Opaque(String, OpaqueAccessToken),
    Api(String),
    Organization(AccessTokenClaims),
}

impl Tokens {
    pub fn issued(&self) -> Issued {
        Issued {
            refresh: self.refresh.as_ref().map(|(_, record)| record.clone()),
            access: match &self.access {
                Access::Opaque(_, record) => Some(record.clone()),
                Access::Api(_) | Access::Organization(_) => None,
            },
            reuse_answer: None,
        }
    }
}

/// What a code's grant issues, once the code was checked against what redeems it (a code
/// redemption, or a device's poll).
pub fn granted(
    code: &AuthorizationCode,
    grant: &Grant,
    app: &Application,
    target: Option<&str>,
    now: i64,
) -> Result<Tokens, Error> {
    let scope = Scopes::parse(&grant.scope)?;
    let wants_refresh = scope.contains("offline_access") || app.settings.always_issue_refresh_token;
    let refresh = wants_refresh.then(|| new_refresh_token(app, grant, now));
    let access = access_for(grant, &scope, target, now)?;
    Ok(Tokens {
        scope,
        nonce: code.nonce.clone(),
        refresh,
        access,
    })
}

/// A JWT for the API the request names, or the grant's (`resource::audience`); else an
/// opaque token for userinfo.
pub fn access_for(
    grant: &Grant,
    scope: &Scopes,
    target: Option<&str>,
    now: i64,
) -> Result<Access, Error> {
    let openid = scope.contains("openid");
    if let Some(indicator) = resource::audience(&grant.resources, openid, target)? {
        return Ok(Access::Api(indicator.to_owned()));
    }
    let value = random::ordered_secret(now);
    let record = OpaqueAccessToken {
        token_hash: token_hash(&value),
        grant_id: grant.id.clone(),
        scope: scope.to_string(),
        created_at: now,
        expires_at: now + lifetimes::OPAQUE_ACCESS_TOKEN_SECS * 1000,
    };
    Ok(Access::Opaque(value, record))
}

pub fn new_refresh_token(app: &Application, grant: &Grant, now: i64) -> (String, RefreshToken) {
    let value = random::ordered_secret(now);
    let record = RefreshToken {
        token_hash: token_hash(&value),
        grant_id: grant.id.clone(),
        scope: grant.scope.clone(),
        created_at: now,
        expires_at: refresh_token::expires_at(
            now,
            app.settings.refresh_token_ttl_days,
            grant.created_at,
        ),
    };
    (value, record)
}

pub(super) const INVALID_CODE: &str = "the code is invalid or expired";
pub(super) const INVALID_REFRESH_TOKEN: &str = "the refresh token is invalid or expired";

pub(super) fn invalid_grant(why: &'static str) -> Error {
    OAuthError::new(ErrorCode::InvalidGrant, why).into()
}
/// What was presented again after its one use.
#[derive(Debug, Clone, Copy)]
pub(super) enum Replayed {
    Code,
    RefreshToken,
}

/// A replayed code (RFC 6749 §4.1.2) or rotated refresh token (RFC 9700 §4.14.2) revokes
/// its grant and everything issued under it.
pub(super) async fn replayed<T>(
    state: &AppState,
    app: &Application,
    grant_id: &str,
    now: i64,
    what: Replayed,
) -> Result<T, Error> {
    // The same answer as for a value never issued: a code's past cannot be probed.
    let (action, why) = match what {
        Replayed::Code => ("grant.code_reuse", INVALID_CODE),
        Replayed::RefreshToken => ("grant.refresh_reuse", INVALID_REFRESH_TOKEN),
    };
    state.db.revoke_grant(grant_id, now).await?;
    tracing::warn!(client_id = %app.id, action, "one-time credential replayed; its grant is revoked");
    let actor = Actor::application(app.id.clone());
    audit::write_now(state, &actor, action, ("grant", grant_id), json!({})).await;
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
        .find_resource_named(indicator)
        .await?
        .ok_or_else(|| {
            OAuthError::new(ErrorCode::InvalidTarget, "the resource no longer exists")
        })?;
    // Roles (and a third-party application's ceiling) are read again: what was taken away
    // since the user consented is not carried over.
    let held = crate::consent::grantable(state, app, &grant.user_id, &resource.id).await?;
    let held = Scopes::from_names(held.into_iter().map(|s| s.name));
    let (issuer, user) = (state.config.issuer(), grant.user_id.as_str());
    let claims = token::user_access(app, user, scope, (&resource, &held), &issuer, now)?;
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

/// The token response for a user (read with the grant; `None`: gone): access token, ID token
/// under `openid`, refresh token if any.
pub(super) async fn issue(
    state: &AppState,
    app: &Application,
    (grant, user): (&Grant, Option<User>),
    tokens: Tokens,
) -> Result<TokenResponse, Error> {
    let Some(user) = user.filter(User::is_active) else {
        return Err(invalid_grant("the user can no longer sign in"));
    };
    let scope = &tokens.scope;
    let (access_token, expires_in) = match tokens.access {
        Access::Opaque(value, _) => (value, OPAQUE_ACCESS_TOKEN_SECS),
        Access::Api(indicator) => api_access_token(state, app, grant, scope, &indicator).await?,
        Access::Organization(claims) => {
            let expires_in = claims.exp - claims.iat;
            let (keys, alg) = (state.keys.get(), state.config.access_token_alg);
            let token = keys
                .sign(alg, "at+jwt", claims, RsaOn::BlockingPool)
                .await?;
            (token, expires_in)
        }
    };
    // An ID token only for OpenID Connect requests: a plain OAuth 2.0 client (an MCP client,
    // say) asked for access, not for who the user is.
    let id_token = match scope.contains("openid") {
        true => Some(
            id_token(
                state,
                app,
                grant,
                &user,
                scope,
                &tokens.nonce,
                &access_token,
            )
            .await?,
        ),
        false => None,
    };
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope: scope.to_string(),
        id_token,
        refresh_token: tokens.refresh.map(|(value, _)| value),
        issued_token_type: None,
    })
}

/// The ID token issued beside `access_token` (OIDC Core §3.1.3.6 for `at_hash`).
async fn id_token(
    state: &AppState,
    app: &Application,
    grant: &Grant,
    user: &User,
    scope: &Scopes,
    nonce: &Option<String>,
    access_token: &str,
) -> Result<String, Error> {
    let issuer = state.config.issuer();
    let context = IdTokenContext {
        issuer: &issuer,
        client_id: &app.id,
        now_ms: state.clock.now_ms(),
        ttl_secs: app.settings.id_token_ttl,
        auth_time_ms: grant.auth_time,
        amr: &grant.amr,
        nonce: nonce.as_deref(),
        session_id: grant.session_id_hash.as_deref(),
        access_token: Some(access_token),
    };
    let third_party = app.is_third_party.then_some(app.id.as_str());
    let held = held(state, third_party, &user.id, scope).await?;
    let claims = id_token_claims(user, &held, scope, &context);
    let keys = state.keys.get();
    keys.sign(
        app.settings.id_token_alg,
        "JWT",
        claims,
        RsaOn::BlockingPool,
    )
    .await
}

/// What the claims of `scope` say the user holds: role names for `roles`, organizations
/// and the roles held in each for the organization scopes (none read when `scope` does not
/// release them).
/// A third-party application (`third_party`, its id) hears only of the organizations the
/// user chose for it.
pub async fn held(
    state: &AppState,
    third_party: Option<&str>,
    user_id: &str,
    scope: &Scopes,
) -> Result<Held, Error> {
    let mut held = Held::default();
    if latchkey_core::claims::needs_roles(scope) {
        let roles = state
            .db
            .find_roles_of(latchkey_store::roles::Holder::User(user_id))
            .await?;
        held.roles = roles.into_iter().map(|r| r.name).collect();
    }
    if latchkey_core::organization::needs_memberships(scope) {
        held.organizations = state.db.find_memberships(user_id).await?;
        if let Some(app_id) = third_party {
            let consent = state.db.find_consent(user_id, app_id).await?;
            let chosen = consent.map(|c| c.organizations).unwrap_or_default();
            held.organizations.retain(|m| chosen.contains(&m.id));
        }
    }
    Ok(held)
}
