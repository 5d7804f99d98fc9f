//! The organizations list (searchable, paginated) with a create form.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_store::Page;
use serde::Deserialize;

use crate::app::AppState;
use crate::console::form::{FieldError, name_problems, refused_if};
use crate::console::{Console, ConsoleForm, Frame};
use crate::error::PageError;
use crate::html;
use crate::manage::organizations::{self, NewOrganization};

const PAGE_SIZE: i64 = 20;

#[derive(Template)]
#[template(path = "console/organizations.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    search: String,
    organizations: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
    problems: Vec<FieldError>,
    /// What was typed, kept when the form is refused.
    form: NewForm,
}

struct Row {
    path: String,
    name: String,
    description: String,
    members: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    search: String,
    page: Option<i64>,
}

async fn list_page(
    state: &AppState,
    console: &Console,
    query: ListQuery,
    (form, problems): (NewForm, Vec<FieldError>),
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let window = Page {
        page,
        page_size: PAGE_SIZE,
    };
    let term = Some(query.search.trim()).filter(|s| !s.is_empty());
    let listed = organizations::list(state, term, window, true).await;
    let (found, total) = listed.map_err(|problem| console.failed(state, problem))?;
    let link = |page: i64| {
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("search", &query.search)
            .append_pair("page", &page.to_string())
            .finish();
        format!("/console/organizations?{query}")
    };
    let view = ListPage {
        frame: console.frame("organizations"),
        organizations: found
            .into_iter()
            .map(|o| Row {
                path: html::path_segment(&o.id),
                name: o.name,
                description: o.description.unwrap_or_default(),
                members: o.users_count.unwrap_or_default(),
            })
            .collect(),
        previous: (page > 1).then(|| link(page - 1)),
        next: (page * PAGE_SIZE < total).then(|| link(page + 1)),
        search: query.search.clone(),
        problems,
        form,
    };
    let status = refused_if(&view.problems);
    Ok(html::render(status, &view, &view.frame.nonce))
}

pub async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    list_page(&state, &console, query, Default::default()).await
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
}

pub async fn create(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<NewForm>,
) -> Result<Response, PageError> {
    let problems = name_problems(console.text(), &form.name, &form.description);
    if !problems.is_empty() {
        return list_page(&state, &console, ListQuery::default(), (form, problems)).await;
    }
    let input = NewOrganization {
        name: form.name.clone(),
        description: Some(form.description.clone()).filter(|d| !d.is_empty()),
        custom_data: None,
        is_mfa_required: None,
        color: None,
        branding: None,
        custom_css: None,
    };
    match organizations::create(&state, &console.actor(), input).await {
        Ok(org) => {
            let to = format!("/console/organizations/{}", html::path_segment(&org.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(problem) => {
            let problems = vec![FieldError::of(console.text(), &problem)];
            list_page(&state, &console, ListQuery::default(), (form, problems)).await
        }
    }
}
