//! The second factors part of a user's page: what the user enrolled (never a secret) and
//! **Remove** for a lost phone or key, which the user is told of by mail when mail is on.

use axum::extract::{Path, State};
use axum::response::Response;
use latchkey_core::mfa::Kind;

use super::show::outcome;
use crate::app::AppState;
use crate::console::{Button, Console, ConsoleForm};
use crate::error::PageError;
use crate::html;
use crate::manage::mfa;

/// One factor as the page lists it.
pub struct FactorRow {
    pub id: String,
    pub kind: &'static str,
    /// A passkey's name, or how many recovery codes are left.
    pub detail: String,
    pub added: String,
    pub used: String,
}

pub(super) async fn section(
    state: &AppState,
    console: &Console,
    id: &str,
) -> Result<Vec<FactorRow>, PageError> {
    let factors = mfa::list(state, id).await;
    let factors = factors.map_err(|e| console.failed(state, e))?;
    let text = console.text().factors;
    Ok(factors
        .iter()
        .map(|f| FactorRow {
            id: f.id.clone(),
            kind: match f.kind {
                Kind::Totp => text.totp,
                Kind::WebAuthn => text.passkey,
                Kind::BackupCode => text.codes,
            },
            detail: match f.kind {
                Kind::BackupCode => text.left.replace("{count}", &f.remaining.to_string()),
                _ => f.name.clone().unwrap_or_default(),
            },
            added: html::date(f.created_at),
            used: f
                .last_used_at
                .map_or_else(|| console.text().never.to_owned(), html::date),
        })
        .collect())
}

pub async fn remove(
    State(state): State<AppState>,
    Path((id, factor)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let result = match mfa::remove(&state, &console.actor(), &id, &factor).await {
        // Gone already (another tab) is as good as removed.
        Err(crate::manage::Error::NotFound("factor")) => Ok(()),
        other => other,
    };
    outcome(&state, &console, &id, result, "factor_removed").await
}
