//! An organization role's page: the organization permissions and API permissions it holds,
//! adding and removing them, and delete behind a confirmation.

use askama::Template as Askama;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_store::organization_roles::Template;
use serde::Deserialize;

use super::ALL;
use super::template::HERE as TEMPLATE;
use crate::app::AppState;
use crate::console::form::{FieldError, refused_if};
use crate::console::{Button, Console, ConsoleForm, Frame, confirm};
use crate::error::PageError;
use crate::html;
use crate::manage::organization_template as template;

#[derive(Askama)]
#[template(path = "console/organization_role.html")]
struct RolePage<'a> {
    frame: Frame<'a>,
    path: String,
    name: String,
    kind: &'static str,
    description: String,
    problems: Vec<FieldError>,
    /// Organization permissions, then API permissions.
    sections: [Section; 2],
}

struct Section {
    heading: &'static str,
    /// The removal form's `scope_type`, and the add form's field.
    kind: &'static str,
    field: &'static str,
    held: Vec<Scope>,
    choices: Vec<Scope>,
}

struct Scope {
    id: String,
    /// The API's name, for API permissions.
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
    let role = template::find_role(state, id).await.map_err(failed)?;
    let held = template::role_with_scopes(state, role.clone())
        .await
        .map_err(failed)?;
    let (all, _) = state
        .db
        .list_organization_scopes(None, ALL)
        .await
        .map_err(stored)?;
    let scopes: (Vec<_>, Vec<_>) = all
        .into_iter()
        .map(|s| Scope {
            id: s.id,
            api: String::new(),
            name: s.name,
            description: s.description.unwrap_or_default(),
        })
        .partition(|s| held.scopes.iter().any(|h| h.id == s.id));
    let mut api_scopes = (Vec::new(), Vec::new());
    for (resource, scopes) in crate::console::resources::with_scopes(state, console).await? {
        for scope in scopes {
            let has = held.resource_scopes.iter().any(|h| h.id == scope.id);
            let row = Scope {
                description: scope.description_in(console.locale.tag()).to_owned(),
                id: scope.id,
                api: resource.name.clone(),
                name: scope.name,
            };
            match has {
                true => api_scopes.0.push(row),
                false => api_scopes.1.push(row),
            }
        }
    }
    let text = console.text();
    let view = RolePage {
        frame: console.frame("organizations"),
        path: html::path_segment(id),
        kind: match role.role_type {
            latchkey_core::role::RoleType::User => text.role_user,
            latchkey_core::role::RoleType::MachineToMachine => text.role_machine,
        },
        name: role.name,
        description: role.description.unwrap_or_default(),
        problems,
        sections: [
            Section {
                heading: text.organizations.role_scopes_heading,
                kind: "organization-scopes",
                field: "scope_id",
                held: scopes.0,
                choices: scopes.1,
            },
            Section {
                heading: text.organizations.role_api_heading,
                kind: "resource-scopes",
                field: "resource_scope_id",
                held: api_scopes.0,
                choices: api_scopes.1,
            },
        ],
    };
    let status = refused_if(&view.problems);
    Ok(html::render(status, &view, &view.frame.nonce))
}

fn here(id: &str) -> String {
    format!("{TEMPLATE}/roles/{}", html::path_segment(id))
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    page(&state, &console, &id, Vec::new()).await
}

/// Add the checked permissions (the form repeats `scope_id` or `resource_scope_id`).
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, fields): ConsoleForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let actor = console.actor();
    for (field, resource) in [("scope_id", false), ("resource_scope_id", true)] {
        let ids: Vec<String> = fields
            .iter()
            .filter(|(name, _)| name == field)
            .map(|(_, value)| value.clone())
            .collect();
        if ids.is_empty() {
            continue;
        }
        let set = template::set_role_scopes(&state, &actor, &id, (resource, &ids), false);
        if let Err(problem) = set.await {
            let why = FieldError::of(console.text(), &problem);
            return page(&state, &console, &id, vec![why]).await;
        }
    }
    Ok(Redirect::to(&here(&id)).into_response())
}

#[derive(Debug, Deserialize)]
pub struct Removal {
    /// `organization-scopes` or `resource-scopes`.
    scope_type: String,
    scope_id: String,
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Removal>,
) -> Result<Response, PageError> {
    let resource = form.scope_type == "resource-scopes";
    let actor = console.actor();
    let removed = template::remove_role_scope(&state, &actor, &id, (resource, &form.scope_id));
    removed
        .await
        .map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to(&here(&id)).into_response())
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let role = template::find_role(&state, &id).await;
    let role = role.map_err(|problem| console.failed(&state, problem))?;
    let text = console.text().organizations;
    let action = format!("{}/delete", here(&id));
    let words = (
        text.delete_role,
        role.name.as_str(),
        text.delete_role_warning,
    );
    Ok(confirm(
        &console,
        "organizations",
        words,
        (&action, &here(&id)),
    ))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let deleted = template::delete(&state, &console.actor(), (Template::Roles, &id)).await;
    deleted.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to(TEMPLATE).into_response())
}
