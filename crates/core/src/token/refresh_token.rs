//! `grant_type=refresh_token` (RFC 6749 §6): a refresh may narrow the scope, never widen it.

use crate::params::Params;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub refresh_token: String,
    pub scope: Option<Scopes>,
}

pub fn parse(params: &Params) -> Result<Request, OAuthError> {
    let refresh_token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    Ok(Request {
        refresh_token: refresh_token.to_owned(),
        scope: params.get("scope").map(Scopes::parse).transpose()?,
    })
}

/// The scope of the new access token: the requested one when it is within `granted`.
pub fn narrow(requested: Option<&Scopes>, granted: &Scopes) -> Result<Scopes, OAuthError> {
    match requested {
        None => Ok(granted.clone()),
        Some(requested) if requested.iter().all(|s| granted.contains(s)) => Ok(requested.clone()),
        Some(_) => Err(OAuthError::new(
            ErrorCode::InvalidScope,
            "a refresh cannot widen the granted scope",
        )),
    }
}

/// When a refresh token issued at `now_ms` expires: its idle lifetime, within the grant's
/// absolute lifetime.
pub fn expires_at(now_ms: i64, ttl_days: i64, grant_created_at: i64) -> i64 {
    (now_ms + ttl_days * 24 * 3600 * 1000)
        .min(grant_created_at + crate::lifetimes::REFRESH_ABSOLUTE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_may_narrow_but_never_widen() {
        let granted = Scopes::from_names(["openid", "profile", "offline_access"]);
        assert_eq!(narrow(None, &granted).ok(), Some(granted.clone()));
        let narrower = Scopes::from_names(["openid"]);
        assert_eq!(narrow(Some(&narrower), &granted).ok(), Some(narrower));
        let wider = Scopes::from_names(["openid", "email"]);
        assert_eq!(
            narrow(Some(&wider), &granted).err().map(|e| e.code),
            Some(ErrorCode::InvalidScope)
        );
    }

    #[test]
    fn lifetimes_slide_within_the_absolute_limit() {
        let day = 24 * 3600 * 1000;
        assert_eq!(expires_at(10 * day, 14, 0), 24 * day);
        assert_eq!(expires_at(179 * day, 14, 0), 180 * day);
    }
}
