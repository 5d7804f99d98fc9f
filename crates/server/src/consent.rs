//! What an authorization request would be granted, and what of it the user has not agreed to
//! yet. Computed from the store each time it matters (when the request arrives, when the
//! consent page is shown, when its form comes back, when the code is issued), never taken
//! from a form.

use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::client::Application;
use latchkey_core::consent::{Asked, Consent, user_scopes};
use latchkey_core::resource::{Resource, Scope};
use latchkey_core::scope::Scopes;
use latchkey_core::{ErrorCode, OAuthError};

use crate::app::AppState;
use crate::error::Error;

/// A request's grant for one user, and that user's consent so far.
#[derive(Debug, Clone)]
pub struct Plan {
    pub third_party: bool,
    /// User scopes: `openid`, data scopes, `offline_access`.
    pub user_scopes: Scopes,
    /// API scopes: asked for, defined by a requested API, held through the user's roles and,
    /// for a third-party application, in its ceiling. Anything else is silently dropped.
    pub resource_scopes: Vec<Scope>,
    pub consent: Option<Consent>,
}

impl Plan {
    /// The grant's scope: user scopes and API scope names.
    pub fn scope(&self) -> Scopes {
        let api = self.resource_scopes.iter().map(|s| s.name.as_str());
        Scopes::from_names(self.user_scopes.iter().chain(api))
    }

    pub fn scope_ids(&self) -> Vec<String> {
        self.resource_scopes.iter().map(|s| s.id.clone()).collect()
    }

    /// What the user must be asked: nothing for a first-party application; for a
    /// third-party one what consent does not cover yet, or everything when `again`
    /// (`prompt=consent` not yet answered).
    pub fn asked(&self, again: bool) -> Asked {
        match (self.third_party, again) {
            (false, _) => Asked::default(),
            (true, true) => Asked::everything(&self.user_scopes, &self.resource_scopes),
            (true, false) => Asked::beyond(
                &self.user_scopes,
                &self.resource_scopes,
                self.consent.as_ref(),
            ),
        }
    }
}

/// Whether the request's redirect proves nothing about who receives the code (a public
/// client's loopback or private-scheme URI, RFC 8252 §8.6): then the user confirms, on a
/// page naming the application, what would otherwise go through silently.
pub fn unproven(state: &AppState, app: &Application, request: &AuthorizationRequest) -> bool {
    let own = state.config.public_origin();
    latchkey_core::redirect::proves_nothing(app, &request.redirect_uri, &own)
}

/// What can be checked before anyone signs in: the user-data scopes are within a
/// third-party application's ceiling (else `invalid_scope`), and each requested API exists
/// and may be asked for (else `invalid_target`).
pub async fn check(
    state: &AppState,
    app: &Application,
    request: &AuthorizationRequest,
) -> Result<(Scopes, Vec<Resource>), Error> {
    let ceiling = match app.is_third_party {
        true => Some(state.db.find_user_consent_scopes(&app.id).await?),
        false => None,
    };
    let scopes = user_scopes(&request.scope, ceiling.as_deref())?;
    let mut resources = Vec::with_capacity(request.resources.len());
    for indicator in &request.resources {
        let resource = state
            .db
            .find_resource_by_indicator(indicator)
            .await?
            .ok_or_else(|| {
                OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known")
            })?;
        if app.is_third_party && resource.is_management {
            return Err(OAuthError::new(
                ErrorCode::InvalidTarget,
                "a third-party application may not access the management API",
            )
            .into());
        }
        resources.push(resource);
    }
    Ok((scopes, resources))
}

/// The request's grant for `user_id`.
pub async fn plan(
    state: &AppState,
    app: &Application,
    request: &AuthorizationRequest,
    user_id: &str,
) -> Result<Plan, Error> {
    let checked = check(state, app, request).await?;
    plan_checked(state, app, request, user_id, checked).await
}

/// The same, for a request [`check`] has already accepted (its result passed on, not read
/// again).
pub async fn plan_checked(
    state: &AppState,
    app: &Application,
    request: &AuthorizationRequest,
    user_id: &str,
    (user_scopes, resources): (Scopes, Vec<Resource>),
) -> Result<Plan, Error> {
    let ceiling_of = app.is_third_party.then_some(app.id.as_str());
    let mut resource_scopes = Vec::new();
    for resource in &resources {
        let held = state
            .db
            .find_grantable_scopes(user_id, &resource.id, ceiling_of)
            .await?;
        resource_scopes.extend(held.into_iter().filter(|s| request.scope.contains(&s.name)));
    }
    Ok(Plan {
        third_party: app.is_third_party,
        user_scopes,
        resource_scopes,
        consent: state.db.find_consent(user_id, &app.id).await?,
    })
}
