//! API resources: the list with a create form, and a resource's page (name, token lifetime,
//! scopes with the descriptions consent pages show, delete). The management API is shown
//! read-only.

use super::{Button, ConsoleForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::resource::{Resource, Scope};
use latchkey_store::Page;
use serde::Deserialize;

use super::form::{FieldError, name_problems, refused_if};
use super::{Console, Frame, confirm};
use crate::app::AppState;
use crate::error::PageError;
use crate::html;
use crate::manage::resources::{self, NewResource, NewScope, ResourcePatch};

#[derive(Template)]
#[template(path = "console/resources.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    resources: Vec<Row>,
    problems: Vec<FieldError>,
    form: NewForm,
}

struct Row {
    id: String,
    name: String,
    indicator: String,
    ttl: i64,
    created: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    access_token_ttl: String,
}

async fn list_page(
    state: &AppState,
    console: &Console,
    form: NewForm,
    problems: Vec<FieldError>,
) -> Result<Response, PageError> {
    let all = Page {
        page: 1,
        page_size: 1000,
    };
    let listed = state.db.list_resources(None, all).await;
    let (found, _) = listed.map_err(|e| console.failed(state, e))?;
    let status = refused_if(&problems);
    let page = ListPage {
        frame: console.frame("resources"),
        resources: found
            .into_iter()
            .map(|r| Row {
                created: html::date(r.created_at),
                ttl: r.access_token_ttl,
                id: r.id,
                name: r.name,
                indicator: r.indicator,
            })
            .collect(),
        problems,
        form,
    };
    Ok(html::render(status, &page, &page.frame.nonce))
}

/// Every API but the management API (never offered to a third party or an organization
/// role), each with its scopes: what the permission pickers list.
pub async fn with_scopes(
    state: &AppState,
    console: &Console,
) -> Result<Vec<(Resource, Vec<Scope>)>, PageError> {
    let all = Page {
        page: 1,
        page_size: 1000,
    };
    let listed = state.db.list_resources(None, all).await;
    let (resources, _) = listed.map_err(|e| console.failed(state, e))?;
    let mut apis = Vec::new();
    for resource in resources.into_iter().filter(|r| !r.is_management) {
        let scopes = state.db.list_scopes(&resource.id).await;
        apis.push((resource, scopes.map_err(|e| console.failed(state, e))?));
    }
    Ok(apis)
}

pub async fn list(State(state): State<AppState>, console: Console) -> Result<Response, PageError> {
    let form = NewForm {
        access_token_ttl: "3600".into(),
        ..NewForm::default()
    };
    list_page(&state, &console, form, Vec::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<NewForm>,
) -> Result<Response, PageError> {
    let problems = name_problems(console.text(), &form.name, "");
    if !problems.is_empty() {
        return list_page(&state, &console, form, problems).await;
    }
    let input = NewResource {
        name: form.name.clone(),
        indicator: form.indicator.trim().to_owned(),
        access_token_ttl: Some(form.access_token_ttl.trim().parse().unwrap_or(0)),
    };
    match resources::create(&state, &console.actor(), input).await {
        Ok(view) => Ok(Redirect::to(&format!("/console/resources/{}", view.id)).into_response()),
        Err(problem) => {
            let problems = vec![FieldError::of(console.text(), &problem)];
            list_page(&state, &console, form, problems).await
        }
    }
}

#[derive(Template)]
#[template(path = "console/resource.html")]
struct ResourcePage<'a> {
    frame: Frame<'a>,
    resource: Resource,
    scopes: Vec<Scope>,
    saved: bool,
    problems: Vec<FieldError>,
    /// What was typed in the new-scope form, kept when it is refused.
    scope: NewScopeForm,
    /// What the API's own server publishes at `/.well-known/oauth-protected-resource`
    /// (RFC 9728), pretty-printed; none for the management API.
    protected_resource: Option<String>,
}

async fn page(
    state: &AppState,
    console: &Console,
    id: &str,
    outcome: Outcome,
) -> Result<Response, PageError> {
    let resource = resources::find(state, id).await;
    let resource = resource.map_err(|problem| console.failed(state, problem))?;
    let scopes = state.db.list_scopes(id).await;
    let scopes = scopes.map_err(|e| console.failed(state, e))?;
    let status = refused_if(&outcome.problems);
    let protected_resource = match resource.is_management {
        true => None,
        false => {
            let metadata = crate::manage::protected_resource::metadata(state, id).await;
            let metadata = metadata.map_err(|problem| console.failed(state, problem))?;
            serde_json::to_string_pretty(&metadata).ok()
        }
    };
    let view = ResourcePage {
        frame: console.frame("resources"),
        resource,
        scopes,
        saved: outcome.saved,
        problems: outcome.problems,
        scope: outcome.scope,
        protected_resource,
    };
    Ok(html::render(status, &view, &view.frame.nonce))
}

/// What the resource page reports: a saved change, or what a form was refused for.
#[derive(Default)]
struct Outcome {
    saved: bool,
    problems: Vec<FieldError>,
    scope: NewScopeForm,
}

impl Outcome {
    fn refused(console: &Console, problem: &crate::manage::Error) -> Self {
        Self {
            problems: vec![FieldError::of(console.text(), problem)],
            ..Self::default()
        }
    }
}

/// The new-scope form's fields, named apart from the resource form's on the same page.
const SCOPE_FIELDS: &[(&str, &str)] =
    &[("name", "scope_name"), ("description", "scope_description")];

#[derive(Debug, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Query(query): Query<Saved>,
) -> Result<Response, PageError> {
    let outcome = Outcome {
        saved: query.saved.is_some(),
        ..Outcome::default()
    };
    page(&state, &console, &id, outcome).await
}

#[derive(Debug, Deserialize)]
pub struct Settings {
    name: String,
    access_token_ttl: String,
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Settings>,
) -> Result<Response, PageError> {
    let here = format!("/console/resources/{id}");
    let patch = ResourcePatch {
        name: Some(form.name),
        access_token_ttl: Some(form.access_token_ttl.trim().parse().unwrap_or(0)),
    };
    match resources::update(&state, &console.actor(), &id, patch).await {
        Ok(_) => Ok(Redirect::to(&format!("{here}?saved=1")).into_response()),
        Err(problem) => page(&state, &console, &id, Outcome::refused(&console, &problem)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct NewScopeForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// The description for pages in French; the pages in English use `description`.
    #[serde(default)]
    description_fr: String,
}

pub async fn add_scope(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<NewScopeForm>,
) -> Result<Response, PageError> {
    let here = format!("/console/resources/{id}");
    let input = NewScope {
        name: form.name.clone(),
        description: form.description.clone(),
        descriptions: [("fr".to_owned(), form.description_fr.clone())].into(),
    };
    match resources::create_scope(&state, &console.actor(), &id, input).await {
        Ok(_) => Ok(Redirect::to(&here).into_response()),
        Err(problem) => {
            let mut outcome = Outcome::refused(&console, &problem);
            outcome.problems = (outcome.problems.into_iter())
                .map(|p| p.renamed(SCOPE_FIELDS))
                .collect();
            outcome.scope = form;
            page(&state, &console, &id, outcome).await
        }
    }
}

pub async fn delete_scope(
    State(state): State<AppState>,
    Path((id, scope_id)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let here = format!("/console/resources/{id}");
    match resources::delete_scope(&state, &console.actor(), &id, &scope_id).await {
        Ok(()) => Ok(Redirect::to(&here).into_response()),
        Err(problem) => page(&state, &console, &id, Outcome::refused(&console, &problem)).await,
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let resource = resources::find(&state, &id).await;
    let resource = resource.map_err(|problem| console.failed(&state, problem))?;
    let text = console.text();
    let action = format!("/console/resources/{id}/delete");
    let back = format!("/console/resources/{id}");
    let words = (
        text.delete_resource,
        resource.name.as_str(),
        text.delete_resource_warning,
    );
    Ok(confirm(&console, "resources", words, (&action, &back)))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    match resources::delete(&state, &console.actor(), &id).await {
        Ok(()) => Ok(Redirect::to("/console/resources").into_response()),
        Err(problem) => page(&state, &console, &id, Outcome::refused(&console, &problem)).await,
    }
}
