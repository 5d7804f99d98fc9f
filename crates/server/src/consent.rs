//! Reading what an authorization request would be granted ([`Plan`], decided in `core`) from
//! the store, each time it matters: when the request arrives, when the consent page is shown,
//! when its form comes back, when the code is issued. Never taken from a form.

use std::sync::Arc;

use latchkey_core::authorize::AuthorizationRequest;
use latchkey_core::client::Application;
pub use latchkey_core::consent::Plan;
use latchkey_core::consent::user_scopes;
use latchkey_core::organization::{self, Offer, OrganizationScope};
use latchkey_core::resource::{Resource, Scope};
use latchkey_core::scope::Scopes;
use latchkey_core::{ErrorCode, OAuthError};
use latchkey_store::organization_members::Member;

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
    // Under `urn:logto:scope:organizations`, organization scopes, and API scopes held through
    // organization roles, within a third-party application's organization ceiling; each
    // token narrows them to one organization (a third party's, to one the user chose).
    let in_organizations = user_scopes.contains(organization::SCOPE_ORGANIZATIONS);
    let ceiling = match (in_organizations, app.is_third_party) {
        (true, true) => Some(state.db.find_organization_ceiling(&app.id).await?),
        _ => None,
    };
    let mut resource_scopes = Vec::new();
    let mut through_organizations = Vec::new();
    for resource in &resources {
        let held = grantable(state, app, user_id, &resource.id).await?;
        resource_scopes.extend(held.into_iter().filter(|s| request.scope.contains(&s.name)));
        if in_organizations {
            let through = state
                .db
                .find_organization_resource_scopes(user_id, &resource.id);
            let within = |s: &Scope| ceiling.as_ref().is_none_or(|(_, c)| c.contains(s));
            through_organizations.extend(
                through
                    .await?
                    .into_iter()
                    .filter(|s| request.scope.contains(&s.name) && within(s)),
            );
        }
    }
    for scope in &through_organizations {
        if !resource_scopes.iter().any(|s| s.id == scope.id) {
            resource_scopes.push(scope.clone());
        }
    }
    let mut organization_scopes = match in_organizations {
        true => {
            state
                .db
                .find_organization_scopes_named(&request.scope)
                .await?
        }
        false => Vec::new(),
    };
    if let Some((allowed, _)) = &ceiling {
        organization_scopes.retain(|s| allowed.contains(s));
    }
    let organizations = match &ceiling {
        Some(_) => {
            let asked = (
                organization_scopes.as_slice(),
                through_organizations.as_slice(),
            );
            offers(state, user_id, &resources, asked).await?
        }
        None => Vec::new(),
    };
    Ok(Plan {
        third_party: app.is_third_party,
        user_scopes,
        resource_scopes,
        organization_scopes,
        organizations,
        consent: state.db.find_consent(user_id, &app.id).await?,
    })
}

/// What a third-party application asking for organization scopes and API scopes (`asked`)
/// would get in each of the user's organizations: the organizations where the user's roles
/// hold some of it; every organization when it asks for nothing organization-specific (the
/// `organizations` claim alone).
async fn offers(
    state: &AppState,
    user_id: &str,
    resources: &[Resource],
    (organization_scopes, resource_scopes): (&[OrganizationScope], &[Scope]),
) -> Result<Vec<Offer>, Error> {
    let claim_only = organization_scopes.is_empty() && resource_scopes.is_empty();
    let mut offers = Vec::new();
    for membership in state.db.find_memberships(user_id).await? {
        let member = Member::User(user_id);
        let held = state.db.find_member_scopes(&membership.id, member).await?;
        let held = held.unwrap_or_default();
        let mut offer = Offer {
            organization_scopes: (held.iter())
                .filter(|s| organization_scopes.iter().any(|a| a.id == s.id))
                .map(|s| s.name.clone())
                .collect(),
            resource_scopes: Vec::new(),
            id: membership.id,
            name: membership.name,
        };
        for resource in resources {
            let held = state
                .db
                .find_member_resource_scopes(&offer.id, member, &resource.id);
            let held = held.await?.unwrap_or_default();
            offer.resource_scopes.extend(
                held.into_iter()
                    .filter(|s| resource_scopes.iter().any(|a| a.id == s.id))
                    .map(|s| s.name),
            );
        }
        if claim_only || !offer.organization_scopes.is_empty() || !offer.resource_scopes.is_empty()
        {
            offers.push(offer);
        }
    }
    Ok(offers)
}
