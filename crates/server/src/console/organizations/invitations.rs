//! An organization's invitations on its console page: those pending, each revocable, and a
//! form inviting an address with roles (mailed in the console's language, from the signed-in
//! administrator).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::invitation::Status;
use latchkey_store::organization_invitations::InvitationFilter;
use serde_json::json;

use super::here;
use super::show::page;
use crate::app::AppState;
use crate::console::form::FieldError;
use crate::console::{Button, Console, ConsoleForm};
use crate::error::PageError;
use crate::html;
use crate::manage::organization_invitations::{self as invitations, NewInvitation, StatusChange};

/// What the page shows of invitations.
pub struct Section {
    /// Whether mail is on (without it, nothing can be sent).
    pub mail: bool,
    pub pending: Vec<Row>,
}

pub struct Row {
    pub id: String,
    pub invitee: String,
    pub roles: String,
    pub expires: String,
}

pub async fn section(state: &AppState, console: &Console, id: &str) -> Result<Section, PageError> {
    let filter = InvitationFilter {
        organization_id: Some(id.to_owned()),
        ..InvitationFilter::default()
    };
    let found = invitations::list(state, filter).await;
    let found = found.map_err(|problem| console.failed(state, problem))?;
    let pending = found
        .into_iter()
        .filter(|i| i.status == Status::Pending.as_str())
        .map(|i| Row {
            roles: i
                .organization_roles
                .into_iter()
                .map(|r| r.name)
                .collect::<Vec<_>>()
                .join(", "),
            expires: html::date(i.expires_at),
            id: html::path_segment(&i.id),
            invitee: i.invitee,
        })
        .collect();
    Ok(Section {
        mail: crate::manage::email::enabled(state),
        pending,
    })
}

/// Invite `email` with the checked roles (the form repeats `role_id`).
pub async fn invite(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, fields): ConsoleForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let email = fields
        .iter()
        .find(|(n, _)| n == "email")
        .map(|(_, v)| v.clone());
    let roles = fields.iter().filter(|(n, _)| n == "role_id");
    let input = NewInvitation {
        inviter_id: Some(console.user.id.clone()),
        invitee: email.clone().unwrap_or_default(),
        organization_id: id.clone(),
        expires_at: None,
        organization_role_ids: roles.map(|(_, v)| v.clone()).collect(),
        message_payload: Some(json!({"locale": console.locale.tag()})),
    };
    match invitations::create(&state, &console.actor(), input).await {
        Ok(_) => Ok(Redirect::to(&format!("{}?invited=1", here(&id))).into_response()),
        Err(problem) => {
            let why = FieldError::of(console.text(), &problem);
            page(
                &state,
                &console,
                (&id, "", false),
                (vec![why], String::new()),
            )
            .await
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    Path((id, invitation_id)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    // Only this organization's invitations are revoked from its page.
    let found = invitations::find(&state, &invitation_id).await;
    let found = found.map_err(|problem| console.failed(&state, problem))?;
    if found.organization_id != id {
        let missing = crate::manage::Error::NotFound("organization invitation");
        return Err(console.failed(&state, missing));
    }
    let change = StatusChange {
        status: Status::Revoked.as_str().to_owned(),
        accepted_user_id: None,
    };
    let revoked =
        invitations::change_status(&state, &console.actor(), &invitation_id, change).await;
    match revoked {
        // Expired or accepted meanwhile: nothing left to revoke.
        Ok(_) | Err(crate::manage::Error::Invalid { .. }) => {
            Ok(Redirect::to(&here(&id)).into_response())
        }
        Err(problem) => Err(console.failed(&state, problem)),
    }
}
