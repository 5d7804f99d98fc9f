//! Client secrets of confidential applications: listed without their values, created with
//! the value shown once, renamed, deleted.

use latchkey_core::client::{Application, ClientSecret};
use latchkey_core::registration as rules;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Actor;
use super::Error;
use super::applications::{find, not_found_as};
use crate::app::AppState;
use crate::audit;

/// A secret as listed: never its value.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretView {
    pub application_id: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSecret {
    pub name: String,
    pub expires_at: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretPatch {
    pub name: String,
}

async fn confidential(state: &AppState, id: &str) -> Result<Application, Error> {
    let app = find(state, id).await?;
    if !app.app_type.is_confidential() {
        return Err(Error::invalid(
            "application.secrets_not_supported",
            "public applications (SPA, Native) have no secrets",
        ));
    }
    Ok(app)
}

pub async fn list_secrets(state: &AppState, id: &str) -> Result<Vec<SecretView>, Error> {
    let app = find(state, id).await?;
    let secrets = state.db.find_secrets(&app.id).await?;
    Ok(secrets
        .into_iter()
        .map(|s| secret_view(&app.id, s, None))
        .collect())
}

fn secret_view(app_id: &str, s: ClientSecret, value: Option<String>) -> SecretView {
    SecretView {
        application_id: app_id.to_owned(),
        name: s.name,
        created_at: s.created_at,
        expires_at: s.expires_at,
        last_used_at: s.last_used_at,
        value,
    }
}

pub async fn create_secret(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: NewSecret,
) -> Result<SecretView, Error> {
    let app = confidential(state, id).await?;
    let name = rules::check_name("name", &input.name)?;
    let now = state.clock.now_ms();
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(Error::invalid(
            "application.secret_expires_in_past",
            "expiresAt must be in the future (epoch milliseconds)",
        )
        .with_field("expiresAt"));
    }
    let (value, secret) = ClientSecret::generate(name, now, input.expires_at);
    state
        .db
        .insert_secret(&app.id, &secret)
        .await
        .map_err(secret_conflict)?;
    audit::write_now(
        state,
        actor,
        "application.secret.create",
        ("application", &app.id),
        json!({"name": secret.name}),
    )
    .await;
    Ok(secret_view(&app.id, secret, Some(value)))
}

pub async fn rename_secret(
    state: &AppState,
    actor: &Actor,
    id: &str,
    name: &str,
    patch: SecretPatch,
) -> Result<SecretView, Error> {
    let app = confidential(state, id).await?;
    let new_name = rules::check_name("name", &patch.name)?;
    state
        .db
        .rename_secret(&app.id, name, &new_name)
        .await
        .map_err(|e| not_found_as(secret_conflict(e), "secret"))?;
    audit::write_now(
        state,
        actor,
        "application.secret.update",
        ("application", &app.id),
        json!({"name": name, "newName": new_name}),
    )
    .await;
    let secrets = state.db.find_secrets(&app.id).await?;
    let secret = secrets
        .into_iter()
        .find(|s| s.name == new_name)
        .ok_or_else(|| Error::NotFound("secret"))?;
    Ok(secret_view(&app.id, secret, None))
}

pub async fn delete_secret(
    state: &AppState,
    actor: &Actor,
    id: &str,
    name: &str,
) -> Result<(), Error> {
    let app = confidential(state, id).await?;
    state
        .db
        .delete_secret(&app.id, name)
        .await
        .map_err(|e| not_found_as(e, "secret"))?;
    audit::write_now(
        state,
        actor,
        "application.secret.delete",
        ("application", &app.id),
        json!({"name": name}),
    )
    .await;
    Ok(())
}

fn secret_conflict(e: latchkey_store::Error) -> Error {
    match e {
        latchkey_store::Error::Conflict => Error::conflict(
            "application.secret_name_exists",
            "this application already has a secret of that name",
        )
        .with_field("name"),
        other => other.into(),
    }
}
