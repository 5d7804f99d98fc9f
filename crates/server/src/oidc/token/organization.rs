//! Tokens within an organization (Logto's organization tokens): for a user through a
//! refresh token whose grant holds `urn:logto:scope:organizations`, or for a member
//! machine-to-machine application through client credentials. Membership and the roles held
//! are read at each request, so a member removed is refused at once; the claims are decided
//! before a refresh token is consumed, so a refused request costs the client nothing.

use latchkey_core::client::Application;
use latchkey_core::organization::{self, Target};
use latchkey_core::scope::Scopes;
use latchkey_core::token::{self, AccessTokenClaims, client_credentials};
use latchkey_core::{ErrorCode, OAuthError, resource};
use latchkey_store::organization_members::Member;

use crate::app::AppState;
use crate::error::Error;

/// The claims of a user's token within `target`'s organization: `scope` (already within
/// the grant) narrowed to what the member's organization roles hold there. An API must be one
/// the grant holds.
pub async fn for_user(
    state: &AppState,
    app: &Application,
    (user_id, granted_resources): (&str, &[String]),
    target: &Target,
    scope: &Scopes,
) -> Result<AccessTokenClaims, Error> {
    let (issuer, now) = (state.config.issuer(), state.clock.now_ms());
    let org = target.organization_id.as_str();
    let member = Member::User(user_id);
    // A third-party application acts only in the organizations the user chose for it, and
    // only within its ceiling there as it stands now.
    let ceiling = match app.is_third_party {
        true => {
            let consent = state.db.find_consent(user_id, &app.id).await?;
            let chosen = consent.is_some_and(|c| c.organizations.iter().any(|o| o == org));
            if !chosen {
                return Err(organization::not_member().into());
            }
            Some(state.db.find_organization_ceiling(&app.id).await?)
        }
        false => None,
    };
    let Some(api) = &target.api else {
        let held = state.db.find_member_scopes(org, member).await?;
        let mut held = held.ok_or_else(organization::not_member)?;
        if let Some((allowed, _)) = &ceiling {
            held.retain(|s| allowed.contains(s));
        }
        let held = Scopes::from_names(held.into_iter().map(|s| s.name));
        let subject = (user_id, app.id.as_str());
        return Ok(organization::access(
            subject,
            org,
            &scope.intersect(&held),
            &issuer,
            now,
        ));
    };
    let indicator = resource::audience(granted_resources, false, Some(api))?;
    let indicator = indicator.unwrap_or(api);
    let resource = find_resource(state, indicator).await?;
    let held = state
        .db
        .find_member_resource_scopes(org, member, &resource.id)
        .await?;
    let mut held = held.ok_or_else(organization::not_member)?;
    if let Some((_, allowed)) = &ceiling {
        held.retain(|s| allowed.contains(s));
    }
    let held = Scopes::from_names(held.into_iter().map(|s| s.name));
    let mut claims = token::user_access(app, user_id, scope, (&resource, &held), &issuer, now)?;
    claims.organization_id = Some(org.to_owned());
    Ok(claims)
}

/// The claims of a member machine-to-machine application's token within the organization:
/// the scopes its organization roles hold there, by `client_credentials`' rules.
pub async fn for_application(
    state: &AppState,
    app: &Application,
    request: &client_credentials::Request,
    organization_id: &str,
) -> Result<AccessTokenClaims, Error> {
    client_credentials::check_client(app)?;
    let (issuer, now) = (state.config.issuer(), state.clock.now_ms());
    let member = Member::Application(&app.id);
    let requested = request.scope.as_ref();
    let Some(api) = &request.resource else {
        let held = state.db.find_member_scopes(organization_id, member).await?;
        let held = held.ok_or_else(organization::not_member)?;
        let held = Scopes::from_names(held.into_iter().map(|s| s.name));
        // Only the requested names need checking against the template.
        let defined = match requested {
            Some(names) => state.db.find_organization_scopes_named(names).await?,
            None => Vec::new(),
        };
        let defined = Scopes::from_names(defined.into_iter().map(|s| s.name));
        let scope = client_credentials::scope(requested, &defined, &held)?;
        let subject = (app.id.as_str(), app.id.as_str());
        return Ok(organization::access(
            subject,
            organization_id,
            &scope,
            &issuer,
            now,
        ));
    };
    let resource = find_resource(state, api).await?;
    let held = state
        .db
        .find_member_resource_scopes(organization_id, member, &resource.id)
        .await?;
    let held = held.ok_or_else(organization::not_member)?;
    let held = Scopes::from_names(held.into_iter().map(|s| s.name));
    let defined = state.db.find_scope_names(&resource.id).await?;
    let claims = client_credentials::grant(app, request, &resource, &defined, &held, &issuer, now)?;
    Ok(claims)
}

async fn find_resource(
    state: &AppState,
    indicator: &str,
) -> Result<latchkey_core::resource::Resource, Error> {
    let found = state.db.find_resource_named(indicator).await?;
    found.ok_or_else(|| {
        OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known").into()
    })
}
