//! The organization template's page: the organization permissions (added, deleted) and the
//! organization roles (listed with what they hold, created); a role's own page is `role`.

use askama::Template as Askama;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_store::organization_roles::Template;
use serde::Deserialize;

use super::ALL;
use crate::app::AppState;
use crate::console::form::{FieldError, name_problems, refused_if};
use crate::console::{Button, Console, ConsoleForm, Frame, confirm};
use crate::error::PageError;
use crate::html;
use crate::manage::organization_template::{
    self as template, NewOrganizationRole, NewOrganizationScope,
};

pub(super) const HERE: &str = "/console/organizations/template";

/// The scope form's fields, named apart from the role form's on the same page.
const SCOPE_FIELDS: &[(&str, &str)] =
    &[("name", "scope_name"), ("description", "scope_description")];

#[derive(Askama)]
#[template(path = "console/organization_template.html")]
struct TemplatePage<'a> {
    frame: Frame<'a>,
    scopes: Vec<Row>,
    roles: Vec<RoleRow>,
    problems: Vec<FieldError>,
    /// What was typed in a refused form.
    form: Typed,
}

struct Row {
    path: String,
    name: String,
    description: String,
}

struct RoleRow {
    path: String,
    name: String,
    kind: &'static str,
    holds: String,
}

async fn template_page(
    state: &AppState,
    console: &Console,
    (problems, form): (Vec<FieldError>, Typed),
) -> Result<Response, PageError> {
    let stored = |e| console.failed(state, e);
    let (scopes, _) = state
        .db
        .list_organization_scopes(None, ALL)
        .await
        .map_err(stored)?;
    let listed = template::list_roles(state, None, ALL).await;
    let (roles, _) = listed.map_err(|problem| console.failed(state, problem))?;
    let text = console.text();
    let view = TemplatePage {
        frame: console.frame("organizations"),
        scopes: scopes
            .into_iter()
            .map(|s| Row {
                path: html::path_segment(&s.id),
                name: s.name,
                description: s.description.unwrap_or_default(),
            })
            .collect(),
        roles: roles
            .into_iter()
            .map(|r| {
                let names = r.scopes.iter().map(|s| s.name.clone());
                let api = r
                    .resource_scopes
                    .iter()
                    .map(|s| format!("{} {}", s.resource.name, s.name));
                RoleRow {
                    path: html::path_segment(&r.role.id),
                    kind: match r.role.role_type {
                        "MachineToMachine" => text.role_machine,
                        _ => text.role_user,
                    },
                    name: r.role.name,
                    holds: names.chain(api).collect::<Vec<_>>().join(", "),
                }
            })
            .collect(),
        problems,
        form,
    };
    let status = refused_if(&view.problems);
    Ok(html::render(status, &view, &view.frame.nonce))
}

pub async fn show(State(state): State<AppState>, console: Console) -> Result<Response, PageError> {
    template_page(&state, &console, Default::default()).await
}

/// Both forms' fields; each form posts its own.
#[derive(Debug, Default, Deserialize)]
pub struct Typed {
    #[serde(default)]
    scope_name: String,
    #[serde(default)]
    scope_description: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default)]
    role_type: String,
}

pub async fn create_scope(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<Typed>,
) -> Result<Response, PageError> {
    let input = NewOrganizationScope {
        name: form.scope_name.trim().to_owned(),
        description: Some(form.scope_description.clone()).filter(|d| !d.is_empty()),
    };
    match template::create_scope(&state, &console.actor(), input).await {
        Ok(_) => Ok(Redirect::to(HERE).into_response()),
        Err(problem) => {
            let why = FieldError::of(console.text(), &problem).renamed(SCOPE_FIELDS);
            template_page(&state, &console, (vec![why], form)).await
        }
    }
}

pub async fn create_role(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<Typed>,
) -> Result<Response, PageError> {
    let problems = name_problems(console.text(), &form.name, &form.description);
    if !problems.is_empty() {
        return template_page(&state, &console, (problems, form)).await;
    }
    let input = NewOrganizationRole {
        name: form.name.clone(),
        description: Some(form.description.clone()).filter(|d| !d.is_empty()),
        role_type: Some(form.role_type.clone()),
        organization_scope_ids: Vec::new(),
        resource_scope_ids: Vec::new(),
    };
    match template::create_role(&state, &console.actor(), input).await {
        Ok(role) => {
            let to = format!("{HERE}/roles/{}", html::path_segment(&role.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(problem) => {
            let why = FieldError::of(console.text(), &problem);
            template_page(&state, &console, (vec![why], form)).await
        }
    }
}

pub async fn confirm_delete_scope(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let scope = template::find_scope(&state, &id).await;
    let scope = scope.map_err(|problem| console.failed(&state, problem))?;
    let text = console.text().organizations;
    let action = format!("{HERE}/scopes/{}/delete", html::path_segment(&id));
    let words = (
        text.delete_scope,
        scope.name.as_str(),
        text.delete_scope_warning,
    );
    Ok(confirm(&console, "organizations", words, (&action, HERE)))
}

pub async fn delete_scope(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let deleted = template::delete(&state, &console.actor(), (Template::Scopes, &id)).await;
    deleted.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to(HERE).into_response())
}
