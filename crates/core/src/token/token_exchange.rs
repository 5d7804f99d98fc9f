//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693): a first-party
//! service holding a user's access token (an MCP server, say) gets a token for another API
//! to call it for that user, without the user going through consent again. The new token
//! names the service in `act` and never carries more than the user's roles allow on that
//! API, nor (for a token a third-party application held) more than the user consented to.

use serde_json::{Value, json};

use super::AccessTokenClaims;
use crate::client::Application;
use crate::params::Params;
use crate::resource::Resource;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError};

/// The only token type exchanged and issued.
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// The longest an exchanged token lives, in seconds: it is not revoked with the grant it
/// came from, so it is kept short.
pub const EXCHANGED_TOKEN_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub subject_token: String,
    /// The API the new token is for (RFC 8707).
    pub resource: String,
    /// What the service asks for, narrowing; none asks for all it may have.
    pub scope: Option<Scopes>,
}

pub fn parse(params: &Params) -> Result<Request, OAuthError> {
    let invalid = |why: &'static str| Err(OAuthError::invalid_request(why));
    let Some(subject_token) = params.get("subject_token") else {
        return invalid("subject_token is required");
    };
    if params.get("subject_token_type") != Some(ACCESS_TOKEN_TYPE) {
        return invalid("subject_token_type must be urn:ietf:params:oauth:token-type:access_token");
    }
    if params
        .get("requested_token_type")
        .is_some_and(|t| t != ACCESS_TOKEN_TYPE)
    {
        return invalid("only access tokens are issued (requested_token_type)");
    }
    if params.get("actor_token").is_some() || params.get("actor_token_type").is_some() {
        return invalid("actor tokens are not accepted: the authenticated client is the actor");
    }
    let mut resources = params.get_all("resource");
    let (Some(resource), None) = (resources.next(), resources.next()) else {
        return invalid("exactly one resource (the API wanted) is required");
    };
    crate::resource::check_indicator(resource)?;
    let scope = params.get("scope").map(Scopes::parse).transpose()?;
    Ok(Request {
        subject_token: subject_token.to_owned(),
        resource: resource.to_owned(),
        scope,
    })
}

/// Whose token was presented: its user, the application the user's consent was given to
/// (the client it was issued to, or for a token exchanged before, the one its own subject
/// was issued to: `subject_client_id`), and who already acted through it (its `act`).
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub user_id: String,
    pub consented_client_id: String,
    pub act: Option<Value>,
    /// When the subject token expires (milliseconds): nothing exchanged from it outlives it.
    pub expires_at: i64,
}

/// The subject of a JWT access token this server signed (verified by the caller), if it is
/// still one: from this issuer, not expired, naming a user and a client.
pub fn subject_of_jwt(claims: &Value, issuer: &str, now_ms: i64) -> Result<Subject, OAuthError> {
    let invalid = || {
        OAuthError::new(
            ErrorCode::InvalidGrant,
            "the subject token is invalid or expired",
        )
    };
    let text = |name: &str| claims[name].as_str().map(str::to_owned);
    if text("iss").as_deref() != Some(issuer) {
        return Err(invalid());
    }
    let exp = claims["exp"].as_i64().filter(|exp| exp * 1000 > now_ms);
    let (Some(user_id), Some(client_id), Some(exp)) = (text("sub"), text("client_id"), exp) else {
        return Err(invalid());
    };
    // A machine's own token names no user: there is nobody to act for.
    if user_id == client_id {
        return Err(invalid());
    }
    Ok(Subject {
        user_id,
        consented_client_id: text("subject_client_id").unwrap_or(client_id),
        act: claims.get("act").cloned(),
        expires_at: exp * 1000,
    })
}

/// The scopes of the new token: what the user's roles hold on the API (`held`), within what
/// they consented to a third-party application whose token was presented (`consented`), and
/// within what the service asked for. A token that would carry nothing is `invalid_scope`.
pub fn scope(
    requested: Option<&Scopes>,
    held: &Scopes,
    consented: Option<&Scopes>,
) -> Result<Scopes, OAuthError> {
    let allowed = match consented {
        Some(consented) => held.intersect(consented),
        None => held.clone(),
    };
    let granted = match requested {
        None => allowed,
        Some(requested) => requested.intersect(&allowed),
    };
    if granted.is_empty() {
        let why = "nothing on this API may be granted for this subject";
        return Err(OAuthError::new(ErrorCode::InvalidScope, why));
    }
    Ok(granted)
}

/// The claims of the exchanged token: the user's, for `resource`, issued to `app`, with `act`
/// naming `app` (and, nested, whoever acted before it, RFC 8693 §4.1) and `subject_client_id`
/// naming the application whose consent bounds it, so that exchanging it again stays
/// within that consent.
pub fn claims(
    app: &Application,
    subject: &Subject,
    (resource, scope): (&Resource, &Scopes),
    issuer: &str,
    now_ms: i64,
) -> Result<AccessTokenClaims, OAuthError> {
    if resource.is_management {
        let why = "the management API is not available through token exchange";
        return Err(OAuthError::new(ErrorCode::InvalidTarget, why));
    }
    let mut act = json!({"sub": app.id});
    if let Some(previous) = &subject.act {
        act["act"] = previous.clone();
    }
    let iat = now_ms.div_euclid(1000);
    Ok(AccessTokenClaims {
        iss: issuer.to_owned(),
        sub: subject.user_id.clone(),
        aud: resource.indicator.clone(),
        client_id: app.id.clone(),
        scope: scope.to_string(),
        iat,
        // Never beyond the subject token: exchanging again cannot renew access.
        exp: (iat + resource.access_token_ttl.min(EXCHANGED_TOKEN_SECS))
            .min(subject.expires_at.div_euclid(1000)),
        jti: crate::random::id(),
        act: Some(act),
        subject_client_id: Some(subject.consented_client_id.clone()),
        organization_id: None,
    })
}

#[cfg(test)]
#[path = "token_exchange_tests.rs"]
mod tests;
