//! Roles: the list with a create form (a role's own page is `role`).

use crate::console::ConsoleForm;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::role::RoleType;
use latchkey_store::Page;
use serde::Deserialize;

use crate::app::AppState;
use crate::console::form::{FieldError, name_problems, refused_if};
use crate::console::{Console, ConsoleText, Frame};
use crate::error::PageError;
use crate::html;
use crate::manage::roles::{self, NewRole};

pub(super) const ALL: Page = Page {
    page: 1,
    page_size: 1000,
};

pub(super) fn kind(text: &ConsoleText, role_type: RoleType) -> &'static str {
    match role_type {
        RoleType::User => text.role_user,
        RoleType::MachineToMachine => text.role_machine,
    }
}

#[derive(Template)]
#[template(path = "console/roles.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    roles: Vec<Row>,
    problems: Vec<FieldError>,
    /// What was typed, kept when the form is refused.
    form: NewForm,
}

struct Row {
    id: String,
    name: String,
    kind: &'static str,
    description: String,
}

async fn list_page(
    state: &AppState,
    console: &Console,
    (form, problems): (NewForm, Vec<FieldError>),
) -> Result<Response, PageError> {
    let listed = state.db.list_roles(None, ALL).await;
    let (found, _) = listed.map_err(|e| console.failed(state, e))?;
    let text = console.text();
    let status = refused_if(&problems);
    let page = ListPage {
        frame: console.frame("roles"),
        roles: found
            .into_iter()
            .map(|r| Row {
                kind: kind(text, r.role_type),
                id: r.id,
                name: r.name,
                description: r.description,
            })
            .collect(),
        problems,
        form,
    };
    Ok(html::render(status, &page, &page.frame.nonce))
}

pub async fn list(State(state): State<AppState>, console: Console) -> Result<Response, PageError> {
    list_page(&state, &console, Default::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type", default)]
    role_type: String,
}

pub async fn create(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<NewForm>,
) -> Result<Response, PageError> {
    let problems = name_problems(console.text(), &form.name, &form.description);
    if !problems.is_empty() {
        return list_page(&state, &console, (form, problems)).await;
    }
    let input = NewRole {
        name: form.name.clone(),
        description: form.description.clone(),
        role_type: Some(form.role_type.clone()),
    };
    match roles::create(&state, &console.actor(), input).await {
        Ok(role) => Ok(Redirect::to(&format!("/console/roles/{}", role.id)).into_response()),
        Err(problem) => {
            let problems = vec![FieldError::of(console.text(), &problem)];
            list_page(&state, &console, (form, problems)).await
        }
    }
}
