//! An application's Endpoints & credentials tab: every endpoint a client needs and its client
//! ID, each with a copy button; for a confidential application its secrets (listed without
//! their values), created with the value shown once, renamed and deleted.

use crate::console::{Button, ConsoleForm};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::client::Application;
use serde::Deserialize;

use super::show::{Tab, load, tabs};
use crate::app::AppState;
use crate::console::form::{FieldError, refused_if};
use crate::console::{Console, Frame, flash};
use crate::error::PageError;
use crate::html;
use crate::manage::secrets::{self, NewSecret, SecretPatch};

const DAY_MS: i64 = 24 * 3600 * 1000;

#[derive(Template)]
#[template(path = "console/app_endpoints.html")]
struct EndpointsPage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    app_id: &'a str,
    /// The id as a path segment, for links and forms.
    app_path: String,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    endpoints: Vec<Endpoint>,
    confidential: bool,
    secrets: Vec<SecretRow>,
    new_secret: Option<String>,
    problems: Vec<FieldError>,
    /// The name typed in a refused new-secret form.
    typed_name: String,
    expiries: Vec<(String, String)>,
}

struct Endpoint {
    id: &'static str,
    label: &'static str,
    value: String,
}

struct SecretRow {
    name: String,
    created: String,
    expires: String,
    last_used: String,
}

/// What the tab shows besides the application: a new secret (once), or a refused form.
#[derive(Default)]
struct Shown {
    new_secret: Option<String>,
    problems: Vec<FieldError>,
    typed_name: String,
}

async fn page(
    state: &AppState,
    console: &Console,
    app: &Application,
    shown: Shown,
) -> Result<Response, PageError> {
    let text = console.text();
    let issuer = state.config.issuer();
    let endpoints = [
        ("issuer", text.issuer, issuer.clone()),
        (
            "discovery",
            text.discovery,
            format!("{issuer}/.well-known/openid-configuration"),
        ),
        (
            "authorization",
            text.authorization_endpoint,
            format!("{issuer}/auth"),
        ),
        ("token", text.token_endpoint, format!("{issuer}/token")),
        ("userinfo", text.userinfo_endpoint, format!("{issuer}/me")),
        ("jwks", text.jwks, format!("{issuer}/jwks")),
        (
            "end-session",
            text.end_session,
            format!("{issuer}/session/end"),
        ),
        ("client-id", text.client_id, app.id.clone()),
    ];
    let confidential = app.app_type.is_confidential();
    let listed = match confidential {
        true => {
            let listed = secrets::list_secrets(state, &app.id).await;
            listed.map_err(|problem| console.failed(state, problem))?
        }
        false => Vec::new(),
    };
    let day = |ms: Option<i64>| ms.map_or_else(|| text.never.to_owned(), html::date);
    let mut expiries = vec![("never".to_owned(), text.expiry_never.to_owned())];
    for days in [7, 30, 180, 365] {
        expiries.push((days.to_string(), format!("{days} {}", text.days)));
    }
    let view = EndpointsPage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_id: &app.id,
        app_path: crate::html::path_segment(&app.id),
        app_type: text.type_name(app.app_type),
        app_third_party: app.is_third_party,
        tabs: tabs(text, app, "/endpoints"),
        endpoints: endpoints
            .into_iter()
            .map(|(id, label, value)| Endpoint { id, label, value })
            .collect(),
        confidential,
        secrets: listed
            .into_iter()
            .map(|s| SecretRow {
                created: html::date(s.created_at),
                expires: day(s.expires_at),
                last_used: day(s.last_used_at),
                name: s.name,
            })
            .collect(),
        new_secret: shown.new_secret,
        typed_name: shown.typed_name,
        problems: shown.problems,
        expiries,
    };
    Ok(html::render(
        refused_if(&view.problems),
        &view,
        &view.frame.nonce,
    ))
}

/// The tab; a secret made in the last ten minutes by this console session is shown again
/// (`flash`).
pub async fn show(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    let kept = flash::shown(&state, &headers, &console, &app.id);
    let shown = Shown {
        new_secret: kept,
        ..Shown::default()
    };
    page(&state, &console, &app, shown).await
}

#[derive(Debug, Deserialize)]
pub struct NewSecretForm {
    name: String,
    expiry: String,
}

/// Create a secret and go back to the tab (POST/redirect/GET), which shows it from `flash`.
pub async fn create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<NewSecretForm>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    let days = form.expiry.parse::<i64>().ok();
    let input = NewSecret {
        name: form.name.clone(),
        expires_at: days.map(|d| state.clock.now_ms() + d * DAY_MS),
    };
    match secrets::create_secret(&state, &console.actor(), &id, input).await {
        Ok(created) => {
            let mut response = back(&id);
            if let Some(value) = created.value {
                let cookie = flash::keep(&state, &console, &app.id, &value);
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(problem) => {
            let problem = FieldError::of(console.text(), &problem);
            let problems = vec![problem.renamed(&[("name", "secret_name")])];
            let shown = Shown {
                problems,
                typed_name: form.name,
                ..Shown::default()
            };
            page(&state, &console, &app, shown).await
        }
    }
}

fn back(id: &str) -> Response {
    Redirect::to(&format!(
        "/console/applications/{}/endpoints",
        crate::html::path_segment(id)
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    name: String,
}

pub async fn rename(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    ConsoleForm(console, form): ConsoleForm<RenameForm>,
) -> Result<Response, PageError> {
    let patch = SecretPatch { name: form.name };
    match secrets::rename_secret(&state, &console.actor(), &id, &name, patch).await {
        Ok(_) => Ok(back(&id)),
        Err(problem) => {
            let app = load(&state, &console, &id).await?;
            // Said above the table: the row's field is too narrow for a sentence.
            let problem = FieldError::of(console.text(), &problem).renamed(&[("name", "")]);
            let shown = Shown {
                problems: vec![problem],
                ..Shown::default()
            };
            page(&state, &console, &app, shown).await
        }
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Path((id, name)): Path<(String, String)>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let deleted = secrets::delete_secret(&state, &console.actor(), &id, &name).await;
    deleted.map_err(|problem| console.failed(&state, problem))?;
    Ok(back(&id))
}
