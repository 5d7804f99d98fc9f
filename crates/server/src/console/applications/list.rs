//! The applications list (two tabs: first- and third-party, searchable, paginated) and the
//! create flow: whose it is, which type, name and description.

use crate::console::ConsoleForm;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::client::ApplicationType;
use latchkey_store::Page;
use latchkey_store::applications::ApplicationFilter;
use serde::Deserialize;

use crate::app::AppState;
use crate::console::form::{FieldError, name_problems, refused_if};
use crate::console::{Console, Frame, flash};
use crate::error::PageError;
use crate::html;
use crate::manage::applications::{self as apps, NewApplication};

const PAGE_SIZE: i64 = 20;

#[derive(Template)]
#[template(path = "console/applications.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    third_party: bool,
    search: String,
    apps: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
}

struct Row {
    id: String,
    /// The id as a path segment.
    path: String,
    name: String,
    type_name: &'static str,
    created: String,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    tab: Option<String>,
    search: Option<String>,
    page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<ListQuery>,
) -> Result<Response, PageError> {
    let third_party = query.tab.as_deref() == Some("third-party");
    let search = query.search.unwrap_or_default();
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let filter = ApplicationFilter {
        is_third_party: Some(third_party),
        types: Vec::new(),
        search: Some(search.trim().to_owned()).filter(|s| !s.is_empty()),
        ..ApplicationFilter::default()
    };
    let window = Page {
        page,
        page_size: PAGE_SIZE,
    };
    let listed = state.db.list_applications(&filter, window).await;
    let (found, total) = listed.map_err(|e| console.failed(&state, e))?;
    let text = console.text();
    let link = |page: i64| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if third_party {
            query.append_pair("tab", "third-party");
        }
        if !search.is_empty() {
            query.append_pair("search", &search);
        }
        query.append_pair("page", &page.to_string());
        format!("/console/applications?{}", query.finish())
    };
    let page_view = ListPage {
        frame: console.frame("applications"),
        third_party,
        apps: found
            .into_iter()
            .map(|app| Row {
                type_name: text.type_name(app.app_type),
                created: html::date(app.created_at),
                path: html::path_segment(&app.id),
                id: app.id,
                name: app.name,
            })
            .collect(),
        previous: (page > 1).then(|| link(page - 1)),
        next: (page * PAGE_SIZE < total).then(|| link(page + 1)),
        search,
    };
    Ok(html::render(
        StatusCode::OK,
        &page_view,
        &page_view.frame.nonce,
    ))
}

#[derive(Template)]
#[template(path = "console/new_application.html")]
struct NewPage<'a> {
    frame: Frame<'a>,
    problems: Vec<FieldError>,
    /// Decided by the tab the administrator came from, never chosen on the form.
    third_party: bool,
    types: Vec<TypeChoice>,
    name: String,
    description: String,
    submission: String,
}

struct TypeChoice {
    value: &'static str,
    name: &'static str,
    help: &'static str,
    checked: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct NewForm {
    #[serde(default)]
    party: Option<String>,
    #[serde(rename = "type")]
    app_type: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    /// Random, made when the form was shown: the same form submitted twice names one
    /// application (`submitted_id`).
    #[serde(default)]
    submission: String,
}

impl NewForm {
    fn third_party(&self) -> bool {
        self.party.as_deref() == Some("third")
    }
}

fn new_page(console: &Console, form: &NewForm, problems: Vec<FieldError>) -> Response {
    let text = console.text();
    let third_party = form.third_party();
    let page = NewPage {
        frame: console.frame("applications"),
        problems,
        third_party,
        types: ApplicationType::ALL
            .into_iter()
            .filter(|t| !third_party || t.may_be_third_party())
            .map(|t| TypeChoice {
                value: t.as_str(),
                name: text.type_name(t),
                help: text.type_help(t),
                checked: form.app_type.as_deref() == Some(t.as_str()),
            })
            .collect(),
        name: form.name.clone(),
        description: form.description.clone(),
        submission: match form.submission.is_empty() {
            true => latchkey_core::random::id(),
            false => form.submission.clone(),
        },
    };
    html::render(refused_if(&page.problems), &page, &page.frame.nonce)
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    party: Option<String>,
}

pub async fn new(console: Console, Query(query): Query<NewQuery>) -> Response {
    let form = NewForm {
        party: query.party,
        ..NewForm::default()
    };
    new_page(&console, &form, Vec::new())
}

/// The id of the application a form creates: derived from the form's submission and this
/// console session, so that submitting it again (a double click, a reload of the answer,
/// the back button) finds the application the first submission made instead of a second.
fn submitted_id(console: &Console, submission: &str) -> String {
    if submission.is_empty() {
        return latchkey_core::random::id();
    }
    let digest = latchkey_core::grant::token_hash(&format!("{}:{submission}", console.csrf));
    const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    digest
        .bytes()
        .take(21)
        .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect()
}

/// Create the application and go to its set-up checklist (POST/redirect/GET); a
/// confidential one's first secret is kept for that page to show (`flash`).
pub async fn create(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<NewForm>,
) -> Result<Response, PageError> {
    let text = console.text();
    let mut problems = name_problems(text, &form.name, &form.description);
    if form.app_type.is_none() {
        problems.insert(0, FieldError::of_field("type", text.problem.app_type));
    }
    if !problems.is_empty() {
        return Ok(new_page(&console, &form, problems));
    }
    let id = submitted_id(&console, &form.submission);
    let input = NewApplication {
        name: form.name.clone(),
        description: Some(form.description.trim().to_owned()).filter(|d| !d.is_empty()),
        app_type: form.app_type.clone().unwrap_or_default(),
        is_third_party: Some(form.third_party()),
        oidc_client_metadata: None,
        custom_client_metadata: None,
    };
    let setup = format!("/console/applications/{}/setup", html::path_segment(&id));
    match apps::create_as(&state, &console.actor(), input, id.clone()).await {
        Ok(view) => match view.secret {
            Some(secret) => {
                let mut response = Redirect::to(&setup).into_response();
                let cookie = flash::keep(&state, &console, &view.id, &secret);
                response.headers_mut().append(header::SET_COOKIE, cookie);
                Ok(response)
            }
            None => Ok(Redirect::to(&setup).into_response()),
        },
        // Submitted before: the application is there already.
        Err(_)
            if state
                .db
                .find_application(&id)
                .await
                .ok()
                .flatten()
                .is_some() =>
        {
            Ok(Redirect::to(&setup).into_response())
        }
        Err(problem) => Ok(new_page(
            &console,
            &form,
            vec![FieldError::of(text, &problem)],
        )),
    }
}
