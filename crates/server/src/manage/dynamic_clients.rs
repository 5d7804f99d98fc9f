//! The administrator's side of clients that register themselves: the policy for each kind
//! (`/api/configs/dynamic-clients`) and the decision about one client (approve, block).

use latchkey_core::dynamic::{Approval, Policy};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::application_json::ApplicationView;
use super::{Actor, Error};
use crate::app::AppState;
use crate::audit;
use crate::cache::POLICY_KEY;
use latchkey_store::dynamic_clients::InitialAccessToken;

/// The policy for clients that register themselves: per kind (`cimd`, `dcr`) a `mode`
/// (`off`, `approval`, `open`), the CIMD hosts shown as verified (`trustedHosts`), whether
/// registration needs an initial access token, the `ceiling` (`userScopes`, API scope ids
/// in `resourceScopes`) every such client is held to unless given its own, and whether those
/// that list the device grant may use it (`deviceFlow`, false unless set).
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct PolicyView(pub Policy);

/// An administrator's decision about one self-registered client.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionInput {
    /// `approve` or `block` (blocking revokes every grant to the client).
    pub decision: String,
}

/// An initial access token to mint (RFC 7591 §3).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInitialAccessToken {
    /// Milliseconds since the epoch; never, when absent.
    pub expires_at: Option<i64>,
    /// How many registrations it allows; any number, when absent.
    pub uses: Option<i64>,
}

/// A minted token: its value is shown this once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InitialAccessTokenView {
    pub id: String,
    pub token: String,
    pub expires_at: Option<i64>,
    pub uses: Option<i64>,
}

pub async fn mint_initial_access_token(
    state: &AppState,
    actor: &Actor,
    input: NewInitialAccessToken,
) -> Result<InitialAccessTokenView, Error> {
    let now = state.clock.now_ms();
    if input.expires_at.is_some_and(|at| at <= now) {
        let why = "expiresAt must be in the future";
        return Err(Error::invalid("initial_access_token.expired", why).with_field("expiresAt"));
    }
    if input.uses.is_some_and(|uses| uses < 1) {
        let why = "uses must be at least 1";
        return Err(Error::invalid("initial_access_token.uses", why).with_field("uses"));
    }
    let token = InitialAccessToken {
        id: latchkey_core::random::id(),
        uses_left: input.uses,
        expires_at: input.expires_at,
        created_at: now,
    };
    let value = latchkey_core::random::secret();
    state
        .db
        .insert_initial_access_token(&token, &latchkey_core::grant::token_hash(&value))
        .await?;
    let details = json!({"expiresAt": token.expires_at, "uses": token.uses_left});
    let target = ("initial_access_token", token.id.as_str());
    audit::write_now(
        state,
        actor,
        "dynamic_clients.initial_access_token.create",
        target,
        details,
    )
    .await;
    Ok(InitialAccessTokenView {
        id: token.id,
        token: value,
        expires_at: token.expires_at,
        uses: token.uses_left,
    })
}

pub async fn policy(state: &AppState) -> Result<PolicyView, Error> {
    Ok(PolicyView((*state.cache.policy(&state.db).await?).clone()))
}

pub async fn put_policy(
    state: &AppState,
    actor: &Actor,
    PolicyView(policy): PolicyView,
) -> Result<PolicyView, Error> {
    let policy = policy
        .checked()
        .map_err(|e| Error::invalid("dynamic_clients.invalid_policy", e.description))?;
    let ceiling = &policy.ceiling;
    super::third_party::check_ceiling(state, &ceiling.user_scopes, &ceiling.resource_scopes)
        .await?;
    let text = serde_json::to_string(&policy).map_err(|e| Error::Internal(e.to_string()))?;
    let now = state.clock.now_ms();
    state.db.put_config(POLICY_KEY, &text, now).await?;
    state.cache.invalidate();
    let details = serde_json::to_value(&policy).unwrap_or_default();
    let target = ("config", POLICY_KEY);
    audit::write_now(
        state,
        actor,
        "dynamic_clients.policy.update",
        target,
        details,
    )
    .await;
    Ok(PolicyView(policy))
}

pub async fn decide(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: DecisionInput,
) -> Result<ApplicationView, Error> {
    let approval = match input.decision.as_str() {
        "approve" => Approval::Approved,
        "block" => Approval::Blocked,
        _ => {
            let why = "decision must be approve or block";
            return Err(Error::invalid("application.invalid_decision", why).with_field("decision"));
        }
    };
    let app = super::applications::find(state, id).await?;
    if app.dynamic.is_none() {
        let why = "only clients that registered themselves are approved or blocked";
        return Err(Error::invalid("application.not_dynamic", why));
    }
    state
        .db
        .set_approval(id, approval, state.clock.now_ms())
        .await?;
    state.cache.invalidate();
    let action = match approval {
        Approval::Approved => "application.approve",
        Approval::Blocked => "application.block",
    };
    audit::write_now(state, actor, action, ("application", id), json!({})).await;
    Ok(ApplicationView::from(
        super::applications::find(state, id).await?,
    ))
}
