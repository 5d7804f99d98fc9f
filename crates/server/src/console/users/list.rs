//! The users list (searchable, paginated) and creating a user.

use crate::console::ConsoleForm;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_store::Page;
use serde::Deserialize;

use crate::app::AppState;
use crate::console::form::FieldError;
use crate::console::{Console, Frame};
use crate::error::PageError;
use crate::html;
use crate::manage::users::{self, NewUser};

const PAGE_SIZE: i64 = 20;

#[derive(Template)]
#[template(path = "console/users.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    search: String,
    users: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
}

struct Row {
    id: String,
    username: String,
    name: String,
    email: String,
    status: &'static str,
    created: String,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    search: Option<String>,
    page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let search = query.search.unwrap_or_default();
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let window = Page {
        page,
        page_size: PAGE_SIZE,
    };
    let term = Some(search.trim()).filter(|s| !s.is_empty());
    let listed = state.db.list_users(term, window).await;
    let (found, total) = listed.map_err(|e| console.failed(&state, e))?;
    let text = console.text();
    let link = |page: i64| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("search", &search)
            .append_pair("page", &page.to_string())
            .finish();
        format!("/console/users?{query}")
    };
    let view = ListPage {
        frame: console.frame("users"),
        users: found
            .into_iter()
            .map(|u| Row {
                username: u.username.clone().unwrap_or_else(|| u.id.clone()),
                name: u.name.unwrap_or_default(),
                email: u.primary_email.unwrap_or_default(),
                status: if u.is_suspended {
                    text.suspended
                } else {
                    text.active
                },
                created: html::date(u.created_at),
                id: u.id,
            })
            .collect(),
        previous: (page > 1).then(|| link(page - 1)),
        next: (page * PAGE_SIZE < total).then(|| link(page + 1)),
        search,
    };
    Ok(html::render(StatusCode::OK, &view, &view.frame.nonce))
}

#[derive(Template)]
#[template(path = "console/new_user.html")]
struct NewPage<'a> {
    frame: Frame<'a>,
    error: Option<String>,
    problems: Vec<FieldError>,
    form: NewForm,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

fn new_page(
    console: &Console,
    form: NewForm,
    (error, problems): (Option<String>, Vec<FieldError>),
) -> Response {
    let status = match error.is_some() || !problems.is_empty() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    let view = NewPage {
        frame: console.frame("users"),
        error,
        problems,
        // A password is never sent back to the browser.
        form: NewForm {
            password: String::new(),
            ..form
        },
    };
    html::render(status, &view, &view.frame.nonce)
}

pub async fn new(console: Console) -> Response {
    new_page(&console, NewForm::default(), (None, Vec::new()))
}

pub async fn create(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<NewForm>,
) -> Response {
    let typed = (form.username.as_str(), form.email.as_str(), None);
    let words = console.locale.text();
    let problems = super::checks::problems(words, console.text(), typed, Some(&form.password));
    if !problems.is_empty() {
        return new_page(&console, form, (None, problems));
    }
    let set = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let input = NewUser {
        username: set(&form.username),
        primary_email: set(&form.email),
        primary_email_verified: None,
        name: set(&form.name),
        password: Some(form.password.clone()).filter(|p| !p.is_empty()),
        ..NewUser::default()
    };
    match users::create(&state, &console.actor(), input).await {
        Ok(user) => Redirect::to(&format!("/console/users/{}", user.id)).into_response(),
        Err(problem) => new_page(&console, form, (Some(problem.to_string()), Vec::new())),
    }
}
