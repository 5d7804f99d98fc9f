//! `grant_type=refresh_token` (RFC 6749 §6): a refresh may narrow the scope, never widen it.

use crate::client::Application;
use crate::params::Params;
use crate::scope::Scopes;
use crate::{ErrorCode, OAuthError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub refresh_token: String,
    pub scope: Option<Scopes>,
    /// The API the access token is for (RFC 8707), if the client names one.
    pub resource: Option<String>,
    /// The organization the token is for (Logto's `organization_id`), if any.
    pub organization_id: Option<String>,
}

pub fn parse(params: &Params) -> Result<Request, OAuthError> {
    let refresh_token = params
        .get("refresh_token")
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    Ok(Request {
        refresh_token: refresh_token.to_owned(),
        scope: params.get("scope").map(Scopes::parse).transpose()?,
        resource: params.get("resource").map(str::to_owned),
        organization_id: params.get("organization_id").map(str::to_owned),
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

/// What a refresh does with the token presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh<G> {
    /// The token stays valid; only an access token is issued.
    Keep,
    /// The token is consumed and a new one issued in its place.
    Rotate,
    /// A token already rotated away was presented again: its grant `G` is revoked.
    Replayed(G),
    /// Unknown, expired, revoked or another client's: `invalid_grant`.
    Invalid,
}

/// Whether the client's refresh tokens are single use (RFC 9700 §4.14.2): always for a
/// public client, which cannot bind them to a secret; for a confidential one when its
/// application asks for it.
pub fn rotates(app: &Application) -> bool {
    !app.app_type.is_confidential() || app.settings.rotate_refresh_token
}

/// Decide a refresh: `live` when the token is known, unexpired, unconsumed and this
/// client's; `rotated_in` the grant of a token this client already rotated away (looked up
/// only when not live and [`rotates`]).
pub fn decide<G>(app: &Application, live: bool, rotated_in: Option<G>) -> Refresh<G> {
    match (rotates(app), live, rotated_in) {
        (false, true, _) => Refresh::Keep,
        (true, true, _) => Refresh::Rotate,
        (true, false, Some(grant)) => Refresh::Replayed(grant),
        _ => Refresh::Invalid,
    }
}

/// What a request asks a refresh for, beyond the token: the rotation's answer is given again
/// only to the same request (a retry), never to a concurrent one for another API.
pub fn target(request: &Request) -> String {
    let scope = request.scope.as_ref().map(Scopes::to_string);
    let parts = [&request.resource, &request.organization_id, &scope];
    let parts: Vec<&str> = parts.iter().map(|p| p.as_deref().unwrap_or("")).collect();
    parts.join("\n")
}

/// The earliest rotation a token presented again at `now_ms` may be answered for again:
/// within the application's reuse grace; `None` without one. In the grace, a retry after a
/// lost response gets the same answer, and another request of the same client (Logto's SDKs
/// fetch a token per organization or API in parallel) gets its own access token and no new
/// refresh token. Later, or without a grace, it is a replay (RFC 9700 §4.14.2).
pub fn reuse_since(app: &Application, now_ms: i64) -> Option<i64> {
    let grace = app.settings.refresh_reuse_grace_secs;
    (grace > 0).then(|| now_ms - grace * 1000)
}

/// How far back a request that lost the race for its token looks for the rotation that won
/// (the reuse grace, or ten seconds): only a rotation found there, by this client, of a grant
/// still live, makes it a sibling's race; a token deleted meanwhile (the grant revoked, the
/// password changed) makes it `invalid_grant`.
pub fn raced_since(app: &Application, now_ms: i64) -> i64 {
    reuse_since(app, now_ms).unwrap_or(now_ms - 10_000)
}

/// What a rotation answered, kept (sealed) for a retry within the reuse grace: the same
/// refresh token, access token and ID token.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ReuseAnswer {
    /// The request it answered ([`target`]).
    #[serde(default)]
    pub target: String,
    pub access_token: String,
    pub expires_in: i64,
    pub scope: String,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
}

impl ReuseAnswer {
    pub fn of(target: String, response: &super::TokenResponse) -> Self {
        Self {
            target,
            access_token: response.access_token.clone(),
            expires_in: response.expires_in,
            scope: response.scope.clone(),
            id_token: response.id_token.clone(),
            refresh_token: response.refresh_token.clone(),
        }
    }

    pub fn response(self) -> super::TokenResponse {
        super::TokenResponse {
            access_token: self.access_token,
            token_type: "Bearer",
            expires_in: self.expires_in,
            scope: self.scope,
            id_token: self.id_token,
            refresh_token: self.refresh_token,
            issued_token_type: None,
        }
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
    use crate::client::ApplicationType;

    fn app(app_type: ApplicationType, rotate: bool) -> Application {
        let mut app = Application {
            dynamic: None,
            id: "app".into(),
            name: "App".into(),
            description: None,
            app_type,
            is_third_party: false,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        };
        app.settings.rotate_refresh_token = rotate;
        app
    }

    #[test]
    fn public_clients_always_rotate_confidential_ones_when_asked() {
        let spa = app(ApplicationType::Spa, false);
        let web = app(ApplicationType::Traditional, false);
        let rotating_web = app(ApplicationType::Traditional, true);
        assert_eq!(decide(&spa, true, None::<&str>), Refresh::Rotate);
        assert_eq!(decide(&web, true, None::<&str>), Refresh::Keep);
        assert_eq!(decide(&rotating_web, true, None::<&str>), Refresh::Rotate);
    }

    #[test]
    fn a_rotated_token_presented_again_is_a_replay_else_invalid() {
        let spa = app(ApplicationType::Spa, false);
        let web = app(ApplicationType::Traditional, false);
        assert_eq!(decide(&spa, false, Some("g")), Refresh::Replayed("g"));
        assert_eq!(decide(&spa, false, None::<&str>), Refresh::Invalid);
        assert_eq!(
            decide(&web, false, Some("g")),
            Refresh::Invalid,
            "never rotated"
        );
    }

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
