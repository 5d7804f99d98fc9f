//! What a code redemption or a refresh issues, decided from the code or token and its grant
//! before anything is stored, so that the consuming transaction can store it too.

use latchkey_core::client::Application;
use latchkey_core::grant::{AuthorizationCode, Grant, OpaqueAccessToken, RefreshToken, token_hash};
use latchkey_core::scope::Scopes;
use latchkey_core::token::{authorization_code, refresh_token};
use latchkey_core::{lifetimes, random, resource};
use latchkey_store::grants::Issued;

use crate::error::Error;

/// What a redemption or a refresh issues, decided before anything is stored.
#[derive(Debug)]
pub struct Plan {
    pub scope: Scopes,
    pub nonce: Option<String>,
    pub refresh: Option<(String, RefreshToken)>,
    pub access: Access,
}

/// The access token: opaque (stored, for userinfo) or a JWT for an API (RFC 8707, RFC 9068).
#[derive(Debug)]
pub enum Access {
    Opaque(String, OpaqueAccessToken),
    Api(String),
}

impl Plan {
    pub fn issued(&self) -> Issued {
        Issued {
            refresh: self.refresh.as_ref().map(|(_, record)| record.clone()),
            access: match &self.access {
                Access::Opaque(_, record) => Some(record.clone()),
                Access::Api(_) => None,
            },
        }
    }
}

pub fn plan_code(
    request: &authorization_code::Request,
    code: &AuthorizationCode,
    grant: &Grant,
    app: &Application,
    target: Option<&str>,
    now: i64,
) -> Result<Plan, Error> {
    authorization_code::check(request, code, grant, app)?;
    let scope = Scopes::parse(&grant.scope)?;
    let wants_refresh = scope.contains("offline_access") || app.settings.always_issue_refresh_token;
    let refresh = wants_refresh.then(|| new_refresh_token(app, grant, now));
    let access = access_for(grant, &scope, target, now)?;
    Ok(Plan {
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
