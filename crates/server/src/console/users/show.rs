//! A user's page: profile (edited in `profile`), email (`mail`), status (suspend, reactivate), roles, the
//! third-party apps they allowed (with Remove access), password reset, and Delete behind a
//! confirmation page.

use crate::console::{Button, ConsoleForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::role::RoleType;
use latchkey_core::user::User;
use latchkey_store::Page;
use serde::Deserialize;

use super::profile::Profile;
use crate::app::AppState;
use crate::console::form::FieldError;
use crate::console::{Console, Frame};
use crate::error::PageError;
use crate::html;
use crate::manage::roles::{RoleIds, RoleView};
use crate::manage::users::{self, PasswordInput, SuspensionInput};
use crate::manage::{assignments, grants, organizations};

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage<'a> {
    frame: Frame<'a>,
    title: String,
    user: User,
    profile: Profile,
    problems: Vec<FieldError>,
    created: String,
    last_sign_in: String,
    notice: Option<&'static str>,
    error: Option<String>,
    roles: Vec<RoleView>,
    role_choices: Vec<(String, String)>,
    grants: Vec<GrantRow>,
    mail: super::mail::MailSection,
    factors: Vec<super::factors::FactorRow>,
    /// The organizations the user belongs to: path segment, name, roles held there.
    organizations: Vec<(String, String, String)>,
}

struct GrantRow {
    id: String,
    app_name: String,
    access: String,
    since: String,
}

fn title(user: &User) -> String {
    let name = user.username.clone().or_else(|| user.name.clone());
    name.or_else(|| user.primary_email.clone())
        .unwrap_or_else(|| user.id.clone())
}

/// The page; `edited` is a refused profile form, shown as it was typed with its problems.
pub(super) async fn page(
    state: &AppState,
    console: &Console,
    id: &str,
    (notice, error): (Option<&'static str>, Option<String>),
    edited: Option<(Profile, Vec<FieldError>)>,
) -> Result<Response, PageError> {
    let failed = |problem| console.failed(state, problem);
    let user = users::find(state, id).await.map_err(failed)?;
    let roles = assignments::roles_of_user(state, id).await;
    let roles = roles.map_err(failed)?;
    let all = Page {
        page: 1,
        page_size: 1000,
    };
    let (defined, _) = state
        .db
        .list_roles(None, all)
        .await
        .map_err(|e| console.failed(state, e))?;
    let role_choices = defined
        .into_iter()
        .filter(|r| r.role_type == RoleType::User && !roles.iter().any(|h| h.id == r.id))
        .map(|r| (r.id, r.name))
        .collect();
    let words = console.locale.text();
    let grants = grants::list(state, id, Some(true)).await.map_err(failed)?;
    let grants = grants
        .into_iter()
        .map(|g| {
            let access = g.access(words);
            GrantRow {
                id: g.id,
                app_name: g.application.name,
                access: access.join(" · "),
                since: html::date(g.created_at),
            }
        })
        .collect();
    let organizations = organizations::of_user(state, id).await.map_err(failed)?;
    let organizations = organizations.into_iter().map(|o| {
        let roles = o.organization_roles.into_iter().map(|r| r.name);
        let id = html::path_segment(&o.organization.id);
        (
            id,
            o.organization.name,
            roles.collect::<Vec<_>>().join(", "),
        )
    });
    let mail = super::mail::section(state, console, id).await?;
    let factors = super::factors::section(state, console, id).await?;
    let text = console.text();
    let view = UserPage {
        frame: console.frame("users"),
        title: title(&user),
        created: html::date(user.created_at),
        last_sign_in: user
            .last_sign_in_at
            .map_or_else(|| text.never.to_owned(), html::date),
        problems: edited.as_ref().map(|e| e.1.clone()).unwrap_or_default(),
        profile: edited.map_or_else(|| Profile::of(&user), |e| e.0),
        user,
        notice,
        error,
        roles,
        role_choices,
        grants,
        mail,
        factors,
        organizations: organizations.collect(),
    };
    let status = match view.error.is_some() || !view.problems.is_empty() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    Ok(html::render(status, &view, &view.frame.nonce))
}

#[derive(Debug, Deserialize)]
pub struct Notice {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Query(query): Query<Notice>,
) -> Result<Response, PageError> {
    let notice = match query.done.as_deref() {
        Some("password") => Some(console.text().password_set),
        Some("reset_email") => Some(console.text().mail.reset_sent),
        Some("factor_removed") => Some(console.text().factors.removed),
        Some(_) => Some(console.text().saved),
        None => None,
    };
    page(&state, &console, &id, (notice, None), None).await
}

pub(super) fn back(id: &str, done: Option<&str>) -> Response {
    let suffix = done.map(|d| format!("?done={d}")).unwrap_or_default();
    Redirect::to(&format!("/console/users/{id}{suffix}")).into_response()
}

/// After an operation: back to the page, or the page with the operation's error.
pub(super) async fn outcome<T>(
    state: &AppState,
    console: &Console,
    id: &str,
    result: Result<T, crate::manage::Error>,
    done: &str,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(back(id, Some(done))),
        Err(problem @ crate::manage::Error::NotFound(_)) => Err(console.failed(state, problem)),
        Err(problem) => page(state, console, id, (None, Some(problem.to_string())), None).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct Suspension {
    suspended: bool,
}

pub async fn suspension(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Suspension>,
) -> Result<Response, PageError> {
    let input = SuspensionInput {
        is_suspended: form.suspended,
    };
    let result = users::set_suspended(&state, &console.actor(), &id, input).await;
    outcome(&state, &console, &id, result, "status").await
}

#[derive(Debug, Deserialize)]
pub struct Password {
    password: String,
}

pub async fn password(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Password>,
) -> Result<Response, PageError> {
    let input = PasswordInput {
        password: form.password,
    };
    let result = users::set_password(&state, &console.actor(), &id, input).await;
    outcome(&state, &console, &id, result, "password").await
}

#[derive(Debug, Deserialize)]
pub struct Assign {
    role_id: String,
}

pub async fn assign(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Assign>,
) -> Result<Response, PageError> {
    let input = RoleIds {
        role_ids: vec![form.role_id],
    };
    let result = assignments::assign_to_user(&state, &console.actor(), &id, input).await;
    outcome(&state, &console, &id, result, "roles").await
}

pub async fn unassign(
    State(state): State<AppState>,
    Path((id, role_id)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let actor = console.actor();
    let result = assignments::unassign_from_user(&state, &actor, &id, &role_id).await;
    outcome(&state, &console, &id, result, "roles").await
}

pub async fn remove_grant(
    State(state): State<AppState>,
    Path((id, grant_id)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let result = grants::revoke(&state, &console.actor(), &id, &grant_id).await;
    outcome(&state, &console, &id, result, "grants").await
}

#[derive(Template)]
#[template(path = "console/user_delete.html")]
struct DeletePage<'a> {
    frame: Frame<'a>,
    title: String,
    user_id: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let user = users::find(&state, &id).await;
    let user = user.map_err(|problem| console.failed(&state, problem))?;
    let view = DeletePage {
        frame: console.frame("users"),
        title: title(&user),
        user_id: user.id,
    };
    Ok(html::render(StatusCode::OK, &view, &view.frame.nonce))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let deleted = users::delete(&state, &console.actor(), &id).await;
    deleted.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to("/console/users").into_response())
}
