//! Creating an API and its scopes from a third-party application's empty Permissions tab,
//! without leaving it: every scope name is checked before anything is created.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::registration as rules;
use serde::Deserialize;

use super::permissions::{permissions_page, third_party};
use crate::app::AppState;
use crate::console::ConsoleForm;
use crate::console::form::{FieldError, name_problems};
use crate::error::PageError;
use crate::manage::resources;

#[derive(Debug, Default, Deserialize)]
pub struct NewApi {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) indicator: String,
    /// Scope names, separated by spaces or commas.
    #[serde(default)]
    pub(super) scopes: String,
}

/// Create an API resource and its scopes from the empty Permissions tab, without leaving it:
/// every scope name is checked before anything is created, so a bad one creates nothing.
pub async fn create_api(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<NewApi>,
) -> Result<Response, PageError> {
    let app = third_party(&state, &console, &id).await?;
    let names: Vec<&str> = form
        .scopes
        .split([' ', ','])
        .filter(|n| !n.is_empty())
        .collect();
    let text = console.text();
    let mut problems = name_problems(text, &form.name, "");
    if rules::check_indicator(form.indicator.trim()).is_err() {
        problems.push(FieldError::of_field("indicator", text.problem.indicator));
    }
    if names.iter().any(|n| rules::check_scope_name(n).is_err()) {
        problems.push(FieldError::of_field("scopes", text.problem.scope_name));
    }
    let names: Vec<String> = names.into_iter().map(str::to_owned).collect();
    if !problems.is_empty() {
        return permissions_page(&state, &console, &app, (problems, form)).await;
    }
    let actor = console.actor();
    let input = resources::NewResource {
        name: form.name.clone(),
        indicator: form.indicator.trim().to_owned(),
        access_token_ttl: None,
    };
    let created = match resources::create(&state, &actor, input).await {
        Ok(created) => created,
        Err(problem) => {
            let problems = vec![FieldError::of(text, &problem)];
            return permissions_page(&state, &console, &app, (problems, form)).await;
        }
    };
    for name in names {
        let scope = resources::NewScope {
            name,
            description: String::new(),
            descriptions: Default::default(),
        };
        let made = resources::create_scope(&state, &actor, &created.id, scope).await;
        made.map_err(|problem| console.failed(&state, problem))?;
    }
    let here = format!(
        "/console/applications/{}/permissions",
        crate::html::path_segment(&id)
    );
    Ok(Redirect::to(&here).into_response())
}
