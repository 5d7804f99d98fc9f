//! Reading what an authorization request would be granted ([`Plan`], decided in `core`) from
//! the store, each time it matters: when the request arrives, when the consent page is shown,
//! when its form comes back, when the code is issued. Never taken from a form.

use std::sync::Arc;

use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::client::Application;
pub use latchkey_core::consent::Plan;
use latchkey_core::consent::user_scopes;
use latchkey_core::organization;
use latchkey_core::resource::{Resource, Scope};
use latchkey_core::scope::Scopes;
use latchkey_core::{ErrorCode, OAuthError};

use crate::app::AppState;
use crate::error::Error;

/// Whether the request's redirect proves nothing about who receives the code (a public
/// client's loopback or private-scheme URI, RFC 8252 §8.6; a device, which has none, RFC 8628
/// §5.4): then the user confirms, on a page naming the application, what would otherwise go
/// through silently.
pub fn unproven(state: &AppState, app: &Application, request: &AuthorizationRequest) -> bool {
    let own = state.config.public_origin();
    request.device.is_some()
        || latchkey_core::redirect::proves_nothing(app, &request.redirect_uri, own)
}

/// The most a third-party application may be granted.
enum Ceiling {
    /// Its own (`/api/applications/:id/user-consent-scopes`).
    Own,
    /// The dynamic-client policy's, for a self-registered client not given its own.
    Policy(Arc<latchkey_core::dynamic::Policy>),
}

/// The application's ceiling; none for a first-party one.
async fn ceiling(state: &AppState, app: &Application) -> Result<Option<Ceiling>, Error> {
    Ok(match (&app.is_third_party, &app.dynamic) {
        (false, _) => None,
        (true, Some(dynamic)) if dynamic.policy_ceiling => {
            Some(Ceiling::Policy(state.cache.policy(&state.db).await?))
        }
        (true, _) => Some(Ceiling::Own),
    })
}

/// The scopes of API `resource_id` that `user_id`'s roles hold and, for a third-party
/// application, its ceiling allows.
pub async fn grantable(
    state: &AppState,
    app: &Application,
    user_id: &str,
    resource_id: &str,
) -> Result<Vec<Scope>, Error> {
    let ceiling = ceiling(state, app).await?;
    let ceiling_of = matches!(ceiling, Some(Ceiling::Own)).then_some(app.id.as_str());
    let mut held = state
        .db
        .find_grantable_scopes(user_id, resource_id, ceiling_of)
        .await?;
    if let Some(Ceiling::Policy(policy)) = &ceiling {
        held.retain(|s| policy.ceiling.resource_scopes.contains(&s.id));
    }
    Ok(held)
}

/// What can be checked before anyone signs in: the user-data scopes are within a
/// third-party application's ceiling (else `invalid_scope`), and each requested API exists
/// and may be asked for (else `invalid_target`).
pub async fn check(
    state: &AppState,
    app: &Application,
    request: &AuthorizationRequest,
) -> Result<(Scopes, Vec<Resource>), Error> {
    let ceiling = match ceiling(state, app).await? {
        None => None,
        Some(Ceiling::Own) => Some(state.db.find_user_consent_scopes(&app.id).await?),
        Some(Ceiling::Policy(policy)) => Some(policy.ceiling.user_scopes.clone()),
    };
    let scopes = user_scopes(&request.scope, ceiling.as_deref())?;
    let mut resources = Vec::with_capacity(request.resources.len());
    // Logto's SDKs name "every organization" as a resource; it is no API.
    let apis = request.resources.iter();
    for indicator in apis.filter(|r| *r != organization::RESERVED_RESOURCE) {
        let resource = state
            .db
            .find_resource_named(indicator)
            .await?
            .ok_or_else(|| {
                OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known")
            })?;
        resource.open_to(app.is_third_party)?;
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
    // Organization scopes, and API scopes held through organization roles, go to
    // first-party applications only; each token narrows them to one organization.
    let in_organizations =
        !app.is_third_party && user_scopes.contains(organization::SCOPE_ORGANIZATIONS);
    let mut resource_scopes = Vec::new();
    for resource in &resources {
        let mut held = grantable(state, app, user_id, &resource.id).await?;
        if in_organizations {
            let through = state
                .db
                .find_organization_resource_scopes(user_id, &resource.id);
            for scope in through.await? {
                if !held.iter().any(|s| s.id == scope.id) {
                    held.push(scope);
                }
            }
        }
        resource_scopes.extend(held.into_iter().filter(|s| request.scope.contains(&s.name)));
    }
    let organization_scopes = match in_organizations {
        true => {
            state
                .db
                .find_organization_scopes_named(&request.scope)
                .await?
        }
        false => Vec::new(),
    };
    Ok(Plan {
        third_party: app.is_third_party,
        user_scopes,
        resource_scopes,
        organization_scopes,
        consent: state.db.find_consent(user_id, &app.id).await?,
    })
}
