//! The email part of a user's page: whether the address is proven (and the administrator
//! vouching for it, or withdrawing that), a password reset email, and the messages to this
//! user that could not be delivered.

use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::show::outcome;
use crate::app::AppState;
use crate::console::{Button, Console, ConsoleForm};
use crate::error::PageError;
use crate::html;
use crate::manage::email;
use crate::manage::users::{self, UserPatch};

/// What the page shows of mail.
pub struct MailSection {
    /// Whether an SMTP server is configured.
    pub enabled: bool,
    pub undelivered: Vec<Undelivered>,
}

pub struct Undelivered {
    pub to: String,
    pub kind: String,
    pub when: String,
    pub error: String,
}

pub(super) async fn section(
    state: &AppState,
    console: &Console,
    id: &str,
) -> Result<MailSection, PageError> {
    let failed = state.db.find_failed_mail(Some(id), 20).await;
    let failed = failed.map_err(|e| console.failed(state, e))?;
    Ok(MailSection {
        enabled: email::enabled(state),
        undelivered: failed
            .into_iter()
            .map(|m| Undelivered {
                to: m.mail.recipient,
                kind: m.mail.kind,
                when: m.finished_at.map(html::moment).unwrap_or_default(),
                error: m.last_error.unwrap_or_default(),
            })
            .collect(),
    })
}

pub async fn reset_email(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let result = email::send_password_reset(&state, &console.actor(), &id).await;
    outcome(&state, &console, &id, result, "reset_email").await
}

#[derive(Debug, Deserialize)]
pub struct Verified {
    verified: bool,
}

pub async fn verified(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Verified>,
) -> Result<Response, PageError> {
    let patch = UserPatch {
        primary_email_verified: Some(form.verified),
        ..UserPatch::default()
    };
    let result = users::update(&state, &console.actor(), &id, patch).await;
    outcome(&state, &console, &id, result, "saved").await
}
