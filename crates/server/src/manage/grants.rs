//! A user's grants, that is what they agreed to share with each application: listing and
//! revoking them, for the management API and the account page. Revoking ends the
//! application's refresh and opaque access tokens for that user at once.

use serde::Serialize;
use serde_json::json;

use super::Actor;
use super::Error;
use super::organization_consent::ChosenOrganization;
use super::third_party::{ResourceScopesView, by_resource};
use crate::app::AppState;
use crate::audit;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationRef {
    pub id: String,
    pub name: String,
}

/// What a user agreed to share with one application.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantView {
    pub id: String,
    pub application: ApplicationRef,
    /// User-data scopes, and `offline_access` when the application may stay signed in.
    pub user_scopes: Vec<String>,
    pub resource_scopes: Vec<ResourceScopesView>,
    /// The organizations the user let the application into (third-party applications).
    pub organizations: Vec<ChosenOrganization>,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// The last authorization relying on it, milliseconds since the epoch.
    pub last_used_at: i64,
}

impl GrantView {
    /// What the grant lets the application access, in words a user reads: each user-data
    /// scope's description, then `API: scope, scope` per API.
    pub fn access(&self, text: &crate::i18n::Text) -> Vec<String> {
        let mut access: Vec<String> = self
            .user_scopes
            .iter()
            .filter_map(|s| text.scope(s).map(str::to_owned))
            .collect();
        for api in &self.resource_scopes {
            let names: Vec<&str> = api.scopes.iter().map(|s| s.name.as_str()).collect();
            access.push(format!("{}: {}", api.resource.name, names.join(", ")));
        }
        access
    }
}

/// The user's grants, to third-party applications only (`Some(true)`), first-party ones
/// only (`Some(false)`), or all.
pub async fn list(
    state: &AppState,
    user_id: &str,
    third_party: Option<bool>,
) -> Result<Vec<GrantView>, Error> {
    let user = super::users::find(state, user_id).await?;
    let mut views = Vec::new();
    for consent in state.db.list_consents(&user.id).await? {
        let Some(app) = state.db.find_application(&consent.application_id).await? else {
            continue;
        };
        if third_party.is_some_and(|t| t != app.is_third_party) {
            continue;
        }
        views.push(GrantView {
            id: consent.id,
            application: ApplicationRef {
                id: app.id,
                name: app.name,
            },
            user_scopes: consent.user_scopes.iter().map(str::to_owned).collect(),
            resource_scopes: by_resource(state, consent.resource_scopes).await?,
            organizations: chosen(state, consent.organizations).await?,
            created_at: consent.created_at,
            last_used_at: consent.last_used_at,
        });
    }
    Ok(views)
}

/// The organizations of `ids` that still exist, named.
async fn chosen(state: &AppState, ids: Vec<String>) -> Result<Vec<ChosenOrganization>, Error> {
    let mut chosen = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(org) = state.db.find_organization(&id).await? {
            chosen.push(ChosenOrganization {
                id: org.id,
                name: org.name,
            });
        }
    }
    Ok(chosen)
}

/// End a grant: the next authorization asks for consent again.
pub async fn revoke(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
    grant_id: &str,
) -> Result<(), Error> {
    let now = state.clock.now_ms();
    let consent = state
        .db
        .revoke_consent(user_id, grant_id, now)
        .await
        .map_err(|e| super::applications::not_found_as(e, "grant"))?;
    audit::write_now(
        state,
        actor,
        "consent.revoke",
        ("user", user_id),
        json!({"grantId": consent.id, "applicationId": consent.application_id}),
    )
    .await;
    Ok(())
}
