//! Roles: the list with a create form (a role's own page is `role`).

use crate::console::ConsoleForm;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::role::RoleType;
use latchkey_store::Page;
use serde::Deserialize;

use crate::app::AppState;
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
    error: Option<String>,
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
    error: Option<String>,
) -> Result<Response, PageError> {
    let listed = state.db.list_roles(None, ALL).await;
    let (found, _) = listed.map_err(|e| console.failed(state, e))?;
    let text = console.text();
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
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
        error,
    };
    Ok(html::render(status, &page, &page.frame.nonce))
}

pub async fn list(State(state): State<AppState>, console: Console) -> Result<Response, PageError> {
    list_page(&state, &console, None).await
}

#[derive(Debug, Deserialize)]
pub struct NewForm {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(rename = "type")]
    role_type: String,
}

pub async fn create(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<NewForm>,
) -> Result<Response, PageError> {
    let input = NewRole {
        name: form.name,
        description: form.description,
        role_type: Some(form.role_type),
    };
    match roles::create(&state, &console.actor(), input).await {
        Ok(role) => Ok(Redirect::to(&format!("/console/roles/{}", role.id)).into_response()),
        Err(problem) => list_page(&state, &console, Some(problem.to_string())).await,
    }
}
