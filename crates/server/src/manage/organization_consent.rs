//! Third-party applications in organizations: their ceiling there (`organizationScopes` and
//! `organizationResourceScopes` of `/api/applications/{id}/user-consent-scopes`, as Logto
//! names them), and the organizations each user let them into.

use latchkey_core::resource::MANAGEMENT_RESOURCE_ID;
use latchkey_store::organization_members::Member;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::organizations::{OrganizationView, find as find_organization};
use super::third_party::{ResourceScopesView, ScopeRef, by_resource};
use super::{Actor, Error};
use crate::app::AppState;
use crate::audit;

/// The ceiling within organizations, as the consent-scopes view lists it.
pub async fn ceiling(
    state: &AppState,
    application_id: &str,
) -> Result<(Vec<ScopeRef>, Vec<ResourceScopesView>), Error> {
    let (organization, resource) = state.db.find_organization_ceiling(application_id).await?;
    let organization = organization
        .into_iter()
        .map(|s| ScopeRef {
            id: s.id,
            name: s.name,
            description: s.description.unwrap_or_default(),
        })
        .collect();
    Ok((organization, by_resource(state, resource).await?))
}

/// Add to the ceiling: organization scope ids, and API scope ids (never the management API's).
pub async fn add(
    state: &AppState,
    application_id: &str,
    (organization_scopes, resource_scopes): (&[String], &[String]),
) -> Result<(), Error> {
    for (i, id) in organization_scopes.iter().enumerate() {
        if state.db.find_organization_scope(id).await?.is_none() {
            return Err(Error::invalid(
                "scope.not_found",
                format!("organization scope {id} does not exist"),
            )
            .with_field(format!("organizationScopes[{i}]")));
        }
    }
    for (i, id) in resource_scopes.iter().enumerate() {
        let field = format!("organizationResourceScopes[{i}]");
        let scope = state.db.find_scope(id).await?;
        let scope = scope.ok_or_else(|| {
            Error::invalid("scope.not_found", format!("scope {id} does not exist"))
                .with_field(field.clone())
        })?;
        if scope.resource_id == MANAGEMENT_RESOURCE_ID {
            return Err(Error::invalid(
                "consent.management_scope",
                "the management API can never be granted to a third-party application",
            )
            .with_field(field));
        }
    }
    let ids = (organization_scopes, resource_scopes);
    state
        .db
        .add_organization_ceiling(application_id, ids)
        .await?;
    Ok(())
}

/// The organizations `user_id` let the application into.
pub async fn chosen(
    state: &AppState,
    application_id: &str,
    user_id: &str,
) -> Result<Vec<OrganizationView>, Error> {
    super::applications::find(state, application_id).await?;
    super::users::find(state, user_id).await?;
    let consent = state.db.find_consent(user_id, application_id).await?;
    let mut views = Vec::new();
    for id in consent.map(|c| c.organizations).unwrap_or_default() {
        if let Some(org) = state.db.find_organization(&id).await? {
            views.push(org.into());
        }
    }
    Ok(views)
}

/// Take one organization back from what `user_id` shared with the application: its
/// organization tokens stop at once; everything else the user shared stays.
pub async fn take_back(
    state: &AppState,
    actor: &Actor,
    (application_id, user_id): (&str, &str),
    organization_id: &str,
) -> Result<(), Error> {
    find_organization(state, organization_id).await?;
    state
        .db
        .remove_consented_organization((user_id, application_id), organization_id)
        .await
        .map_err(|e| Error::from(e).named("consented organization"))?;
    let details = json!({"application": application_id, "organization": organization_id});
    audit::write_now(
        state,
        actor,
        "consent.organization_remove",
        ("user", user_id),
        details,
    )
    .await;
    Ok(())
}

/// Let a third-party application into organizations for `user_id`, as if the user had ticked
/// them on the consent page (`replace`: exactly these; otherwise added to those chosen). The
/// user must have allowed the application already (the consent page, never skipped here) and
/// be a member of each organization.
pub async fn share(
    state: &AppState,
    actor: &Actor,
    (application_id, user_id): (&str, &str),
    organization_ids: &[String],
    replace: bool,
) -> Result<(), Error> {
    let app = super::applications::find(state, application_id).await?;
    if !app.is_third_party {
        return Err(Error::invalid(
            "application.third_party_application_only",
            "only third-party applications are let into organizations by consent",
        ));
    }
    super::users::find(state, user_id).await?;
    for id in organization_ids {
        find_organization(state, id).await?;
        let member = state.db.find_membership(id, Member::User(user_id)).await?;
        if !member {
            return Err(Error::invalid(
                "organization.require_membership",
                format!("the user is not a member of organization {id}"),
            )
            .with_field("organizationIds"));
        }
    }
    let shared = state
        .db
        .share_organizations((user_id, application_id), organization_ids, replace)
        .await?;
    if !shared {
        return Err(Error::invalid(
            "application.user_consent_not_found",
            "the user has not allowed this application: organizations are shared with its consent",
        ));
    }
    let details = json!({"application": application_id, "organizations": organization_ids, "replace": replace});
    audit::write_now(
        state,
        actor,
        "consent.organizations",
        ("user", user_id),
        details,
    )
    .await;
    Ok(())
}

/// An organization a user let an application into, as listed with the user's grants.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChosenOrganization {
    pub id: String,
    pub name: String,
}

/// Organizations to let an application into.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OrganizationIds {
    pub organization_ids: Vec<String>,
}
