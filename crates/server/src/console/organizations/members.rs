//! The forms of an organization's page that change who belongs to it: adding a user (by
//! username or email) or a machine-to-machine application with roles, removing a member, and
//! giving or taking back one role. Every change goes through the management API's operations.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::user::normalize_identifier;
use latchkey_store::organization_members::Member;
use serde::Deserialize;

use super::here;
use super::show::page;
use crate::app::AppState;
use crate::console::form::FieldError;
use crate::console::{Button, Console, ConsoleForm};
use crate::error::PageError;
use crate::manage::Error;
use crate::manage::organization_members::{self as members, RoleAssignment};

/// A member named by the path's `users` or `applications` segment, or 404.
fn member<'a>(kind: &str, id: &'a str) -> Result<Member<'a>, Error> {
    match kind {
        "users" => Ok(Member::User(id)),
        "applications" => Ok(Member::Application(id)),
        _ => Err(Error::NotFound("member")),
    }
}

async fn refused(
    state: &AppState,
    console: &Console,
    id: &str,
    (problem, typed): (FieldError, String),
) -> Result<Response, PageError> {
    page(state, console, (id, "", false), (vec![problem], typed)).await
}

/// Add a user (`user`: username or email) or an application (`application`: its id), with the
/// checked roles (the form repeats `role_id`).
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, fields): ConsoleForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    };
    let role_ids = fields.iter().filter(|(n, _)| n == "role_id");
    let assignment = RoleAssignment {
        organization_role_ids: role_ids.map(|(_, v)| v.clone()).collect(),
        organization_role_names: Vec::new(),
    };
    let typed = field("user").unwrap_or_default().to_owned();
    let user_id = match field("user") {
        Some(identifier) => match state
            .db
            .find_user_by_identifier(&normalize_identifier(identifier))
            .await
        {
            Ok(Some(user)) => Some(user.id),
            Ok(None) => {
                let why = FieldError::of_field("user", console.text().unknown_user);
                return refused(&state, &console, &id, (why, typed)).await;
            }
            Err(e) => return Err(console.failed(&state, e)),
        },
        None => None,
    };
    let app_id = field("application").map(str::to_owned);
    let added = match (&user_id, &app_id) {
        (Some(user), _) => Member::User(user),
        (None, Some(app)) => Member::Application(app),
        (None, None) => return Ok(Redirect::to(&here(&id)).into_response()),
    };
    let actor = console.actor();
    let mut done = members::add(&state, &actor, &id, vec![added], None).await;
    if done.is_ok() && !assignment.organization_role_ids.is_empty() {
        let roles = (assignment, false);
        done = members::give_roles(&state, &actor, &id, &[added], roles).await;
    }
    match done {
        Ok(()) => Ok(Redirect::to(&here(&id)).into_response()),
        Err(problem) => {
            let why = FieldError::of(console.text(), &problem);
            refused(&state, &console, &id, (why, typed)).await
        }
    }
}

pub async fn remove(
    State(state): State<AppState>,
    Path((id, kind, member_id)): Path<(String, String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let failed = |problem| console.failed(&state, problem);
    let who = member(&kind, &member_id).map_err(failed)?;
    let removed = members::remove(&state, &console.actor(), &id, who).await;
    removed.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to(&here(&id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct GivenRole {
    role_id: String,
}

pub async fn give_role(
    State(state): State<AppState>,
    Path((id, kind, member_id)): Path<(String, String, String)>,
    ConsoleForm(console, form): ConsoleForm<GivenRole>,
) -> Result<Response, PageError> {
    let who = member(&kind, &member_id).map_err(|p| console.failed(&state, p))?;
    let assignment = RoleAssignment {
        organization_role_ids: vec![form.role_id],
        organization_role_names: Vec::new(),
    };
    let actor = console.actor();
    let who = [who];
    let given = members::give_roles(&state, &actor, &id, &who, (assignment, false));
    match given.await {
        Ok(()) => Ok(Redirect::to(&here(&id)).into_response()),
        Err(problem) => {
            let why = FieldError::of(console.text(), &problem);
            refused(&state, &console, &id, (why, String::new())).await
        }
    }
}

pub async fn take_role(
    State(state): State<AppState>,
    Path((id, kind, member_id, role_id)): Path<(String, String, String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let who = member(&kind, &member_id).map_err(|p| console.failed(&state, p))?;
    let taken = members::take_role(&state, &console.actor(), &id, who, &role_id).await;
    taken.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to(&here(&id)).into_response())
}
