//! Reading what an authorization request would be granted ([`Plan`], decided in `core`) from
//! the store, each time it matters: when the request arrives, when the consent page is shown,
//! when its form comes back, when the code is issued. Never taken from a form.

use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::client::Application;
pub use latchkey_core::consent::Plan;
use latchkey_core::consent::user_scopes;
use latchkey_core::resource::Resource;
use latchkey_core::scope::Scopes;
use latchkey_core::{ErrorCode, OAuthError};

use crate::app::AppState;
use crate::error::Error;

/// Whether the request's redirect proves nothing about who receives the code (a public
/// client's loopback or private-scheme URI, RFC 8252 §8.6): then the user confirms, on a
/// page naming the application, what would otherwise go through silently.
pub fn unproven(state: &AppState, app: &Application, request: &AuthorizationRequest) -> bool {
    let own = state.config.public_origin();
    latchkey_core::redirect::proves_nothing(app, &request.redirect_uri, own)
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
