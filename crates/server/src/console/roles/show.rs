//! A role's page: its API permissions, who holds it, assigning it to a user or a
//! machine-to-machine application, and delete behind a confirmation. Built-in roles are shown
//! read-only.

use crate::console::{Button, ConsoleForm};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::client::ApplicationType;
use latchkey_core::role::RoleType;
use latchkey_store::applications::ApplicationFilter;
use serde::Deserialize;

use super::list::{ALL, kind};
use crate::app::AppState;
use crate::console::form::{FieldError, refused_if};
use crate::console::{Console, Frame, confirm};
use crate::error::PageError;
use crate::html;
use crate::manage::assignments;
use crate::manage::roles::{self, RoleIds, ScopeIds};

#[derive(Template)]
#[template(path = "console/role.html")]
struct RolePage<'a> {
    frame: Frame<'a>,
    role_id: String,
    name: String,
    kind: &'static str,
    description: String,
    read_only: bool,
    machine: bool,
    problems: Vec<FieldError>,
    scopes: Vec<ScopeRow>,
    choices: Vec<ScopeRow>,
    users: Vec<(String, String)>,
    apps: Vec<(String, String)>,
    machine_apps: Vec<(String, String)>,
}

struct ScopeRow {
    id: String,
    api: String,
    name: String,
    description: String,
}

async fn page(
    state: &AppState,
    console: &Console,
    id: &str,
    problems: Vec<FieldError>,
) -> Result<Response, PageError> {
    let failed = |problem| console.failed(state, problem);
    let stored = |e| console.failed(state, e);
    let role = roles::find(state, id).await.map_err(failed)?;
    let held = roles::scopes(state, id).await.map_err(failed)?;
    let mut choices = Vec::new();
    let (resources, _) = state.db.list_resources(None, ALL).await.map_err(stored)?;
    for resource in resources {
        for scope in state.db.list_scopes(&resource.id).await.map_err(stored)? {
            if !held.iter().any(|h| h.scope.id == scope.id) {
                choices.push(ScopeRow {
                    id: scope.id,
                    api: resource.name.clone(),
                    name: scope.name,
                    description: scope.description,
                });
            }
        }
    }
    let (users, apps) = state.db.find_role_holders(id).await.map_err(stored)?;
    let machines = ApplicationFilter {
        is_third_party: Some(false),
        types: vec![ApplicationType::MachineToMachine],
        search: None,
        ..ApplicationFilter::default()
    };
    let (machine_apps, _) = state
        .db
        .list_applications(&machines, ALL)
        .await
        .map_err(stored)?;
    let machine_apps = machine_apps
        .into_iter()
        .filter(|a| !apps.iter().any(|(id, _)| *id == a.id))
        .map(|a| (a.id, a.name))
        .collect();
    let status = refused_if(&problems);
    let view = RolePage {
        frame: console.frame("roles"),
        kind: kind(console.text(), role.role_type),
        read_only: role.is_builtin(),
        machine: role.role_type == RoleType::MachineToMachine,
        role_id: role.id,
        name: role.name,
        description: role.description,
        problems,
        scopes: held
            .into_iter()
            .map(|h| ScopeRow {
                id: h.scope.id,
                api: h.resource.name,
                name: h.scope.name,
                description: h.scope.description,
            })
            .collect(),
        choices,
        users,
        apps,
        machine_apps,
    };
    Ok(html::render(status, &view, &view.frame.nonce))
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    page(&state, &console, &id, Vec::new()).await
}

async fn refused(
    state: &AppState,
    console: &Console,
    id: &str,
    problem: &crate::manage::Error,
) -> Result<Response, PageError> {
    page(
        state,
        console,
        id,
        vec![FieldError::of(console.text(), problem)],
    )
    .await
}

fn back(id: &str) -> Response {
    Redirect::to(&format!("/console/roles/{id}")).into_response()
}

/// Add the checked scopes (the form repeats `scope_id`).
pub async fn add_scopes(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, fields): ConsoleForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let scope_ids = fields.into_iter().filter(|(name, _)| name == "scope_id");
    let input = ScopeIds {
        scope_ids: scope_ids.map(|(_, value)| value).collect(),
    };
    match roles::add_scopes(&state, &console.actor(), &id, input).await {
        Ok(_) => Ok(back(&id)),
        Err(problem) => refused(&state, &console, &id, &problem).await,
    }
}

pub async fn remove_scope(
    State(state): State<AppState>,
    Path((id, scope_id)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    match roles::remove_scope(&state, &console.actor(), &id, &scope_id).await {
        Ok(()) => Ok(back(&id)),
        Err(problem) => refused(&state, &console, &id, &problem).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct Holder {
    user: Option<String>,
    application: Option<String>,
}

pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Holder>,
) -> Result<Response, PageError> {
    let actor = console.actor();
    let role_ids = RoleIds {
        role_ids: vec![id.clone()],
    };
    let result = match (form.user, form.application) {
        (Some(identifier), _) => match state
            .db
            .find_user_by_identifier(&latchkey_core::user::normalize_identifier(&identifier))
            .await
        {
            Ok(Some(user)) => assignments::assign_to_user(&state, &actor, &user.id, role_ids)
                .await
                .map(|_| ()),
            Ok(None) => {
                let why = FieldError::of_field("user", console.text().unknown_user);
                return page(&state, &console, &id, vec![why]).await;
            }
            Err(e) => return Err(console.failed(&state, e)),
        },
        (None, Some(app)) => assignments::assign_to_application(&state, &actor, &app, role_ids)
            .await
            .map(|_| ()),
        (None, None) => Ok(()),
    };
    match result {
        Ok(()) => Ok(back(&id)),
        Err(problem) => refused(&state, &console, &id, &problem).await,
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let role = roles::find(&state, &id).await;
    let role = role.map_err(|problem| console.failed(&state, problem))?;
    let text = console.text();
    let action = format!("/console/roles/{id}/delete");
    let back = format!("/console/roles/{id}");
    let words = (
        text.delete_role,
        role.name.as_str(),
        text.delete_role_warning,
    );
    Ok(confirm(&console, "roles", words, (&action, &back)))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    match roles::delete(&state, &console.actor(), &id).await {
        Ok(()) => Ok(Redirect::to("/console/roles").into_response()),
        Err(problem) => refused(&state, &console, &id, &problem).await,
    }
}
