//! An organization's page: its name and description, its members (users and
//! machine-to-machine applications) with their roles, adding members with roles, and delete
//! behind a confirmation. The forms it posts are handled in `members`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::client::ApplicationType;
use latchkey_core::organization::OrganizationRole;
use latchkey_core::role::RoleType;
use latchkey_store::Page;
use latchkey_store::applications::ApplicationFilter;
use serde::Deserialize;

use super::{ALL, here};
use crate::app::AppState;
use crate::console::form::{FieldError, name_problems, refused_if};
use crate::console::{Button, Console, ConsoleForm, Frame, confirm};
use crate::error::PageError;
use crate::html;
use crate::manage::organization_members as members;
use crate::manage::organizations::{self, OrganizationPatch, RoleRef};

const MEMBERS_SHOWN: i64 = 50;

#[derive(Template)]
#[template(path = "console/organization.html")]
struct OrganizationPage<'a> {
    frame: Frame<'a>,
    path: String,
    name: String,
    description: String,
    problems: Vec<FieldError>,
    search: String,
    users: Vec<Member>,
    /// Members beyond those shown: search to find them.
    more_users: i64,
    apps: Vec<Member>,
    user_roles: Vec<(String, String)>,
    app_roles: Vec<(String, String)>,
    /// Machine-to-machine applications not members yet.
    app_choices: Vec<(String, String)>,
    /// What was typed in the add-member form, kept when it is refused.
    typed: String,
    invitations: super::invitations::Section,
    /// Just sent an invitation: said so at the top.
    invited: bool,
}

/// A member as the page lists it; `kind` is the path segment (`users` or `applications`).
struct Member {
    kind: &'static str,
    path: String,
    label: String,
    roles: Vec<(String, String)>,
    choices: Vec<(String, String)>,
}

fn member(
    kind: &'static str,
    id: &str,
    label: String,
    held: Vec<RoleRef>,
    all: &[(String, String)],
) -> Member {
    let choices = all
        .iter()
        .filter(|(id, _)| !held.iter().any(|h| h.id == *id));
    Member {
        kind,
        path: html::path_segment(id),
        label,
        choices: choices.cloned().collect(),
        roles: held
            .into_iter()
            .map(|r| (html::path_segment(&r.id), r.name))
            .collect(),
    }
}

fn of_type(roles: &[OrganizationRole], role_type: RoleType) -> Vec<(String, String)> {
    let fit = roles.iter().filter(|r| r.role_type == role_type);
    fit.map(|r| (r.id.clone(), r.name.clone())).collect()
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    search: String,
    invited: Option<String>,
}

pub(super) async fn page(
    state: &AppState,
    console: &Console,
    (id, search, invited): (&str, &str, bool),
    (problems, typed): (Vec<FieldError>, String),
) -> Result<Response, PageError> {
    let failed = |problem| console.failed(state, problem);
    let org = organizations::find(state, id).await.map_err(failed)?;
    let term = Some(search.trim()).filter(|s| !s.is_empty());
    let first = Page {
        page: 1,
        page_size: MEMBERS_SHOWN,
    };
    let listed = members::users(state, id, (term, None), first).await;
    let (users, total) = listed.map_err(failed)?;
    let apps = members::applications(state, id).await.map_err(failed)?;
    let roles = state.db.list_organization_roles(None, ALL).await;
    let (roles, _) = roles.map_err(|e| console.failed(state, e))?;
    let user_roles = of_type(&roles, RoleType::User);
    let app_roles = of_type(&roles, RoleType::MachineToMachine);
    let machines = ApplicationFilter {
        is_third_party: Some(false),
        types: vec![ApplicationType::MachineToMachine],
        ..ApplicationFilter::default()
    };
    let listed = state.db.list_applications(&machines, ALL).await;
    let (machines, _) = listed.map_err(|e| console.failed(state, e))?;
    let app_choices = machines
        .into_iter()
        .filter(|m| !apps.iter().any(|a| a.application.id == m.id))
        .map(|m| (m.id, m.name))
        .collect();
    let invitations = super::invitations::section(state, console, id).await?;
    let view = OrganizationPage {
        frame: console.frame("organizations"),
        path: html::path_segment(id),
        name: org.name,
        description: org.description.unwrap_or_default(),
        more_users: total - users.len() as i64,
        users: users
            .into_iter()
            .map(|u| {
                let label = u.user.username.clone().or(u.user.primary_email.clone());
                let label = label.or(u.user.name.clone()).unwrap_or(u.user.id.clone());
                member(
                    "users",
                    &u.user.id,
                    label,
                    u.organization_roles,
                    &user_roles,
                )
            })
            .collect(),
        apps: apps
            .into_iter()
            .map(|a| {
                let label = a.application.name.clone();
                member(
                    "applications",
                    &a.application.id,
                    label,
                    a.organization_roles,
                    &app_roles,
                )
            })
            .collect(),
        problems,
        search: search.to_owned(),
        user_roles,
        app_roles,
        app_choices,
        typed,
        invitations,
        invited,
    };
    let status = refused_if(&view.problems);
    Ok(html::render(status, &view, &view.frame.nonce))
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Response, PageError> {
    page(
        &state,
        &console,
        (&id, &query.search, query.invited.is_some()),
        Default::default(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct Details {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Details>,
) -> Result<Response, PageError> {
    let problems = name_problems(console.text(), &form.name, &form.description);
    if !problems.is_empty() {
        return page(
            &state,
            &console,
            (&id, "", false),
            (problems, String::new()),
        )
        .await;
    }
    let patch = OrganizationPatch {
        name: Some(form.name),
        description: Some(Some(form.description).filter(|d| !d.is_empty())),
        ..OrganizationPatch::default()
    };
    match organizations::update(&state, &console.actor(), &id, patch).await {
        Ok(_) => Ok(Redirect::to(&here(&id)).into_response()),
        Err(problem) => {
            let problems = vec![FieldError::of(console.text(), &problem)];
            page(
                &state,
                &console,
                (&id, "", false),
                (problems, String::new()),
            )
            .await
        }
    }
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let org = organizations::find(&state, &id).await;
    let org = org.map_err(|problem| console.failed(&state, problem))?;
    let text = console.text().organizations;
    let action = format!("{}/delete", here(&id));
    let words = (text.delete, org.name.as_str(), text.delete_warning);
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
    let deleted = organizations::delete(&state, &console.actor(), &id).await;
    deleted.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to("/console/organizations").into_response())
}
