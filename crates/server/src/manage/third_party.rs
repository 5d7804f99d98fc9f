//! Third-party applications: the ceiling of what each may ask for, and its branding.

use latchkey_core::claims::CONSENT_USER_SCOPES;
use latchkey_core::client::Application;
use latchkey_core::registration::check_name;
use latchkey_core::resource::Scope;
use latchkey_store::third_party::SignInExperience;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Actor;
use super::Error;
use super::applications::{find, not_found_as};
use super::roles::ResourceRef;
use crate::app::AppState;
use crate::audit;

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConsentScopesInput {
    /// User-data scopes: profile, email, phone, address, custom_data, roles.
    #[serde(default)]
    pub user_scopes: Vec<String>,
    /// Ids of API scopes (never the management API's).
    #[serde(default)]
    pub resource_scopes: Vec<String>,
    /// Ids of organization scopes, asked for within the organizations the user chooses.
    #[serde(default)]
    pub organization_scopes: Vec<String>,
    /// Ids of API scopes held through organization roles, within those organizations.
    #[serde(default)]
    pub organization_resource_scopes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentScopesView {
    pub user_scopes: Vec<String>,
    pub resource_scopes: Vec<ResourceScopesView>,
    pub organization_scopes: Vec<ScopeRef>,
    pub organization_resource_scopes: Vec<ResourceScopesView>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceScopesView {
    pub resource: ResourceRef,
    pub scopes: Vec<ScopeRef>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScopeRef {
    pub id: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Branding {
    pub logo_url: Option<String>,
    pub dark_logo_url: Option<String>,
}

/// Branding on the consent page; URLs are https and shown inert.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignInExperienceView {
    pub display_name: Option<String>,
    pub branding: Option<Branding>,
    pub terms_of_use_url: Option<String>,
    pub privacy_policy_url: Option<String>,
}

async fn third_party(state: &AppState, id: &str) -> Result<Application, Error> {
    let app = find(state, id).await?;
    if !app.is_third_party {
        return Err(Error::invalid(
            "application.not_third_party",
            "consent scopes and branding are for third-party applications",
        ));
    }
    Ok(app)
}

pub async fn scopes(state: &AppState, id: &str) -> Result<ConsentScopesView, Error> {
    let app = third_party(state, id).await?;
    let user_scopes = state.db.find_user_consent_scopes(&app.id).await?;
    let found = state.db.find_resource_consent_scopes(&app.id).await?;
    let (organization_scopes, organization_resource_scopes) =
        super::organization_consent::ceiling(state, &app.id).await?;
    Ok(ConsentScopesView {
        user_scopes,
        resource_scopes: by_resource(state, found).await?,
        organization_scopes,
        organization_resource_scopes,
    })
}

/// API scopes grouped under their API, in the order first seen.
pub async fn by_resource(
    state: &AppState,
    scopes: Vec<Scope>,
) -> Result<Vec<ResourceScopesView>, Error> {
    let mut groups: Vec<ResourceScopesView> = Vec::new();
    for scope in scopes {
        let entry = ScopeRef {
            id: scope.id,
            name: scope.name,
            description: scope.description,
        };
        match groups
            .iter_mut()
            .find(|r| r.resource.id == scope.resource_id)
        {
            Some(group) => group.scopes.push(entry),
            None => {
                let resource = super::resources::find(state, &scope.resource_id).await?;
                groups.push(ResourceScopesView {
                    resource: ResourceRef {
                        id: resource.id,
                        name: resource.name,
                        indicator: resource.indicator,
                    },
                    scopes: vec![entry],
                });
            }
        }
    }
    Ok(groups)
}

pub async fn add_scopes(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ConsentScopesInput,
) -> Result<ConsentScopesView, Error> {
    let app = third_party(state, id).await?;
    check_ceiling(state, &input.user_scopes, &input.resource_scopes).await?;
    let within = (
        input.organization_scopes.as_slice(),
        input.organization_resource_scopes.as_slice(),
    );
    super::organization_consent::add(state, &app.id, within).await?;
    state
        .db
        .add_consent_scopes(&app.id, &input.user_scopes, &input.resource_scopes)
        .await?;
    // A self-registered client given scopes of its own leaves the policy's ceiling.
    if app.dynamic.as_ref().is_some_and(|d| d.policy_ceiling) {
        state.db.set_policy_ceiling(&app.id, false).await?;
        state.cache.invalidate();
    }
    audit::write_now(
        state,
        actor,
        "application.consent_scopes.add",
        ("application", id),
        json!({"userScopes": input.user_scopes, "resourceScopes": input.resource_scopes,
            "organizationScopes": input.organization_scopes,
            "organizationResourceScopes": input.organization_resource_scopes}),
    )
    .await;
    scopes(state, id).await
}

/// A ceiling's scopes are user-data scopes Latchkey knows and API scopes that exist, never
/// the management API's.
pub async fn check_ceiling(
    state: &AppState,
    user_scopes: &[String],
    resource_scopes: &[String],
) -> Result<(), Error> {
    for (i, scope) in user_scopes.iter().enumerate() {
        if !CONSENT_USER_SCOPES.contains(&scope.as_str()) {
            return Err(Error::invalid(
                "consent.invalid_user_scope",
                format!("{scope} is not a user-data scope"),
            )
            .with_field(format!("userScopes[{i}]")));
        }
    }
    for (i, scope_id) in resource_scopes.iter().enumerate() {
        let field = format!("resourceScopes[{i}]");
        let scope = state.db.find_scope(scope_id).await?.ok_or_else(|| {
            Error::invalid(
                "scope.not_found",
                format!("scope {scope_id} does not exist"),
            )
            .with_field(field.clone())
        })?;
        if scope.resource_id == latchkey_core::resource::MANAGEMENT_RESOURCE_ID {
            return Err(Error::invalid(
                "consent.management_scope",
                "the management API can never be granted to a third-party application",
            )
            .with_field(field));
        }
    }
    Ok(())
}

pub async fn remove_scope(
    state: &AppState,
    actor: &Actor,
    id: &str,
    scope_type: &str,
    scope_id: &str,
) -> Result<(), Error> {
    let app = third_party(state, id).await?;
    let removed = match scope_type {
        "user-scopes" => state.db.remove_user_consent_scope(&app.id, scope_id).await,
        "resource-scopes" => {
            state
                .db
                .remove_resource_consent_scope(&app.id, scope_id)
                .await
        }
        "organization-scopes" | "organization-resource-scopes" => {
            let resource = scope_type == "organization-resource-scopes";
            let removed = state
                .db
                .remove_organization_ceiling_scope(&app.id, (resource, scope_id));
            removed.await
        }
        _ => return Err(Error::NotFound("scope type")),
    };
    removed.map_err(|e| not_found_as(e, "consent scope"))?;
    audit::write_now(
        state,
        actor,
        "application.consent_scopes.remove",
        ("application", id),
        json!({"scopeType": scope_type, "scopeId": scope_id}),
    )
    .await;
    Ok(())
}

pub async fn experience(state: &AppState, id: &str) -> Result<SignInExperienceView, Error> {
    let app = third_party(state, id).await?;
    let found = state.db.find_sign_in_experience(&app.id).await?;
    let e = found.ok_or_else(|| Error::NotFound("sign-in experience"))?;
    let has_logo = e.logo_url.is_some() || e.dark_logo_url.is_some();
    let branding = has_logo.then_some(Branding {
        logo_url: e.logo_url,
        dark_logo_url: e.dark_logo_url,
    });
    Ok(SignInExperienceView {
        display_name: e.display_name,
        branding,
        terms_of_use_url: e.terms_of_use_url,
        privacy_policy_url: e.privacy_policy_url,
    })
}

/// Whether `url` may be a branding link or logo: https, at most 2048 bytes.
pub fn is_https_url(url: &str) -> bool {
    url.len() <= 2048 && url::Url::parse(url).is_ok_and(|u| u.scheme() == "https")
}

fn https_url(field: &str, value: Option<String>) -> Result<Option<String>, Error> {
    match value {
        None => Ok(None),
        Some(url) if is_https_url(&url) => Ok(Some(url)),
        Some(_) => Err(Error::invalid(
            "application.invalid_url",
            format!("{field} must be an https URL of at most 2048 characters"),
        )
        .with_field(field)),
    }
}

pub async fn put_experience(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: SignInExperienceView,
) -> Result<SignInExperienceView, Error> {
    let app = third_party(state, id).await?;
    let branding = input.branding.unwrap_or_default();
    let stored = SignInExperience {
        display_name: input
            .display_name
            .map(|n| check_name("displayName", &n))
            .transpose()?,
        logo_url: https_url("branding.logoUrl", branding.logo_url)?,
        dark_logo_url: https_url("branding.darkLogoUrl", branding.dark_logo_url)?,
        terms_of_use_url: https_url("termsOfUseUrl", input.terms_of_use_url)?,
        privacy_policy_url: https_url("privacyPolicyUrl", input.privacy_policy_url)?,
    };
    state.db.put_sign_in_experience(&app.id, &stored).await?;
    audit::write_now(
        state,
        actor,
        "application.sign_in_experience.update",
        ("application", id),
        json!({}),
    )
    .await;
    experience(state, id).await
}
