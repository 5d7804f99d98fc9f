//! A third-party application's Permissions tab: its ceiling of user data and API scopes,
//! each with the words the user will read on the consent page (and within organizations);
//! with no API yet, one is created here with its scopes (`new_api`).

use crate::console::ConsoleForm;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::claims::CONSENT_USER_SCOPES;
use latchkey_core::client::Application;
use latchkey_core::resource::{Resource, Scope as ApiScope};
use latchkey_store::Page;
use serde::Deserialize;

use super::new_api::NewApi;
use super::show::{Tab, load, tabs};
use crate::app::AppState;
use crate::console::form::{FieldError, refused_if};
use crate::console::{Console, Frame};
use crate::error::PageError;
use crate::html;
use crate::i18n::Text;
use crate::manage::third_party::{self, ConsentScopesInput, ResourceScopesView};

struct Scope {
    id: String,
    name: String,
    description: String,
}

struct Api {
    /// The API's id as a path segment, for the link to add scopes.
    path: String,
    name: String,
    indicator: String,
    allowed: Vec<Scope>,
    choices: Vec<Scope>,
}

#[derive(Template)]
#[template(path = "console/app_permissions.html")]
struct PermissionsPage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    app_id: &'a str,
    /// The id as a path segment, for links and forms.
    app_path: String,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    problems: Vec<FieldError>,
    /// What was typed in a refused new-API form.
    new_api: NewApi,
    user_scopes: Vec<Scope>,
    user_choices: Vec<Scope>,
    apis: Vec<Api>,
    /// Within organizations: organization scopes allowed and not yet, and API scopes held
    /// through organization roles.
    within: (Vec<Scope>, Vec<Scope>),
    within_apis: Vec<Api>,
}

/// Each API's scopes, split into those `ceiling` allows and the others.
fn apis_within(
    console: &Console,
    defined: &[(Resource, Vec<ApiScope>)],
    ceiling: &[ResourceScopesView],
) -> Vec<Api> {
    let mut apis = Vec::new();
    for (resource, scopes) in defined {
        let allowed_ids: Vec<&str> = ceiling
            .iter()
            .filter(|g| g.resource.id == resource.id)
            .flat_map(|g| g.scopes.iter().map(|s| s.id.as_str()))
            .collect();
        let (allowed, choices) = scopes
            .iter()
            .map(|s| Scope {
                description: s.description_in(console.locale.tag()).to_owned(),
                id: s.id.clone(),
                name: s.name.clone(),
            })
            .partition(|s| allowed_ids.contains(&s.id.as_str()));
        apis.push(Api {
            path: crate::html::path_segment(&resource.id),
            name: resource.name.clone(),
            indicator: resource.indicator.clone(),
            allowed,
            choices,
        });
    }
    apis
}

/// A third-party application; any other is sent back to its own page.
pub async fn third_party(
    state: &AppState,
    console: &Console,
    id: &str,
) -> Result<Application, PageError> {
    let app = load(state, console, id).await?;
    match app.is_third_party {
        true => Ok(app),
        false => Err(PageError::instead(
            Redirect::to(&format!(
                "/console/applications/{}",
                crate::html::path_segment(id)
            ))
            .into_response(),
        )),
    }
}

fn user_scope(consent_text: &Text, name: &str) -> Scope {
    Scope {
        id: name.to_owned(),
        name: name.to_owned(),
        description: consent_text.scope(name).unwrap_or_default().to_owned(),
    }
}

pub(super) async fn permissions_page(
    state: &AppState,
    console: &Console,
    app: &Application,
    (problems, api): (Vec<FieldError>, NewApi),
) -> Result<Response, PageError> {
    let words = console.locale.text();
    let ceiling = third_party::scopes(state, &app.id).await;
    let ceiling = ceiling.map_err(|problem| console.failed(state, problem))?;
    let all = Page {
        page: 1,
        page_size: 1000,
    };
    let defined = crate::console::resources::with_scopes(state, console).await?;
    let apis = apis_within(console, &defined, &ceiling.resource_scopes);
    let listed = state.db.list_organization_scopes(None, all).await;
    let (organization_scopes, _) = listed.map_err(|e| console.failed(state, e))?;
    let (within, within_choices) = organization_scopes
        .into_iter()
        .map(|s| Scope {
            id: s.id,
            name: s.name,
            description: s.description.unwrap_or_default(),
        })
        .partition(|s| ceiling.organization_scopes.iter().any(|c| c.id == s.id));
    let text = console.text();
    let page = PermissionsPage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_id: &app.id,
        app_path: crate::html::path_segment(&app.id),
        app_type: text.type_name(app.app_type),
        app_third_party: true,
        tabs: tabs(text, app, "/permissions"),
        problems,
        new_api: api,
        user_scopes: ceiling
            .user_scopes
            .iter()
            .map(|n| user_scope(words, n))
            .collect(),
        user_choices: CONSENT_USER_SCOPES
            .iter()
            .filter(|n| !ceiling.user_scopes.iter().any(|c| c == *n))
            .map(|n| user_scope(words, n))
            .collect(),
        apis,
        within: (within, within_choices),
        within_apis: apis_within(console, &defined, &ceiling.organization_resource_scopes),
    };
    Ok(html::render(
        refused_if(&page.problems),
        &page,
        &page.frame.nonce,
    ))
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = third_party(&state, &console, &id).await?;
    permissions_page(&state, &console, &app, Default::default()).await
}

/// Add the checked scopes (the form repeats `user_scope` and `resource_scope`).
pub async fn add(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, fields): ConsoleForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let app = third_party(&state, &console, &id).await?;
    let mut input = ConsentScopesInput::default();
    for (name, value) in fields {
        match name.as_str() {
            "user_scope" => input.user_scopes.push(value),
            "resource_scope" => input.resource_scopes.push(value),
            "organization_scope" => input.organization_scopes.push(value),
            "organization_resource_scope" => input.organization_resource_scopes.push(value),
            _ => {}
        }
    }
    let here = format!(
        "/console/applications/{}/permissions",
        crate::html::path_segment(&id)
    );
    match third_party::add_scopes(&state, &console.actor(), &id, input).await {
        Ok(_) => Ok(Redirect::to(&here).into_response()),
        Err(problem) => {
            let problems = vec![FieldError::of(console.text(), &problem)];
            permissions_page(&state, &console, &app, (problems, NewApi::default())).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Removal {
    scope_type: String,
    scope_id: String,
}

pub async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Removal>,
) -> Result<Response, PageError> {
    let here = format!(
        "/console/applications/{}/permissions",
        crate::html::path_segment(&id)
    );
    let (kind, scope) = (form.scope_type.as_str(), form.scope_id.as_str());
    let removed = third_party::remove_scope(&state, &console.actor(), &id, kind, scope).await;
    removed.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to(&here).into_response())
}
