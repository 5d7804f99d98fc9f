//! An application's Integration guide, in numbered steps: what is still missing (with a link
//! to fix it), the values to paste into a service that supports a custom OpenID Connect
//! provider, and examples for its type, filled with its real values: its redirect URI, and
//! for a third-party app exactly the scopes its permissions allow.

mod browser;
mod native;
mod server;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use latchkey_core::client::{Application, ApplicationType};

use super::show::{Tab, load, tabs};
use crate::app::AppState;
use crate::console::{Console, Frame};
use crate::error::PageError;
use crate::html;
use crate::manage::third_party;

#[derive(Template)]
#[template(path = "console/app_guide.html")]
struct GuidePage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    app_id: &'a str,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    machine: bool,
    confidential: bool,
    warnings: Vec<Warning>,
    values: Vec<Value>,
    notes: Vec<&'static str>,
    snippets: Vec<Snippet>,
}

struct Warning {
    text: &'static str,
    href: String,
}

struct Value {
    id: String,
    label: &'static str,
    value: String,
}

struct Snippet {
    id: &'static str,
    title: &'static str,
    code: String,
}

/// The values every example is filled with.
pub struct Facts {
    issuer: String,
    client_id: String,
    redirect_uri: String,
    /// What the app may ask for: for a third-party app, its permissions and nothing more.
    scope: String,
    /// The APIs whose scopes it asks for (RFC 8707 `resource`).
    resources: Vec<String>,
    confidential: bool,
    /// An `http` issuer, for development: some libraries refuse it unless told.
    insecure: bool,
}

const SECRET: &str = "<client secret>";

/// `value` as a string literal that JavaScript, Python, Rust, Kotlin and Swift all read.
fn quoted(value: &str) -> String {
    serde_json::Value::from(value).to_string()
}

/// The data and API scopes the examples ask for, and their APIs. A third-party app may only
/// ask for what its permissions allow (anything else fails with `invalid_scope`); a
/// first-party app for any user data.
async fn requested(
    state: &AppState,
    console: &Console,
    app: &Application,
) -> Result<(Vec<String>, Vec<String>), PageError> {
    if !app.is_third_party {
        return Ok((vec!["profile".into(), "email".into()], Vec::new()));
    }
    let allowed = third_party::scopes(state, &app.id).await;
    let allowed = allowed.map_err(|problem| console.failed(state, problem))?;
    let mut scopes = allowed.user_scopes;
    let mut resources = Vec::new();
    for group in allowed.resource_scopes {
        resources.push(group.resource.indicator);
        scopes.extend(group.scopes.into_iter().map(|s| s.name));
    }
    Ok((scopes, resources))
}

/// What would make the app fail as it stands, each with where it is fixed.
fn warnings(console: &Console, app: &Application, permitted: bool) -> Vec<Warning> {
    let words = console.text().guide;
    let path = html::path_segment(&app.id);
    let mut found = Vec::new();
    let machine = app.app_type == ApplicationType::MachineToMachine;
    if !machine && app.redirect_uris.is_empty() {
        found.push(Warning {
            text: words.warn_redirects,
            href: format!("/console/applications/{path}#redirect_uris"),
        });
    }
    if app.app_type == ApplicationType::Spa && app.cors_allowed_origins.is_empty() {
        found.push(Warning {
            text: words.warn_origins,
            href: format!("/console/applications/{path}#cors_allowed_origins"),
        });
    }
    if app.is_third_party && !permitted {
        found.push(Warning {
            text: words.warn_permissions,
            href: format!("/console/applications/{path}/permissions"),
        });
    }
    found
}

fn snippets(app: &Application, f: &Facts) -> Vec<Snippet> {
    let snippet = |id, title, code| Snippet { id, title, code };
    match app.app_type {
        ApplicationType::MachineToMachine => {
            vec![snippet("snippet-curl", "curl", server::machine(f))]
        }
        ApplicationType::Traditional => vec![
            snippet("snippet-node", "Node.js (openid-client)", server::node(f)),
            snippet("snippet-python", "Python (Authlib)", server::python(f)),
            snippet("snippet-rust", "Rust (openidconnect)", server::rust(f)),
            snippet("snippet-curl", "curl", server::curl(f)),
        ],
        ApplicationType::Spa => vec![
            snippet("snippet-spa", "Browser (oidc-client-ts)", browser::spa(f)),
            snippet("snippet-curl", "curl", server::curl(f)),
        ],
        ApplicationType::Native => vec![
            snippet(
                "snippet-android",
                "Android (AppAuth, Kotlin)",
                native::android(f),
            ),
            snippet("snippet-ios", "iOS (AppAuth, Swift)", native::ios(f)),
            snippet(
                "snippet-desktop",
                "Desktop (Node.js, loopback)",
                native::desktop(f),
            ),
            snippet("snippet-curl", "curl", server::curl(f)),
        ],
    }
}

async fn page(
    state: &AppState,
    console: &Console,
    app: &Application,
) -> Result<Response, PageError> {
    let text = console.text();
    let words = text.guide;
    let issuer = state.config.issuer();
    let (scopes, resources) = requested(state, console, app).await?;
    let permitted = !scopes.is_empty();
    let scope = ["openid".to_owned()]
        .into_iter()
        .chain(scopes)
        .chain(["offline_access".to_owned()])
        .collect::<Vec<_>>()
        .join(" ");
    let facts = Facts {
        insecure: issuer.starts_with("http:"),
        issuer,
        client_id: app.id.clone(),
        redirect_uri: app
            .redirect_uris
            .first()
            .cloned()
            .unwrap_or_else(|| "<redirect URI>".into()),
        scope,
        resources,
        confidential: app.app_type.is_confidential(),
    };
    let value = |id: &str, label, value| Value {
        id: id.to_owned(),
        label,
        value,
    };
    let mut values = vec![
        value(
            "guide-discovery",
            text.discovery,
            format!("{}/.well-known/openid-configuration", facts.issuer),
        ),
        value("guide-client-id", text.client_id, app.id.clone()),
    ];
    if facts.confidential {
        values.push(value("guide-secret", text.client_secret, SECRET.to_owned()));
    }
    values.push(value(
        "guide-callback",
        words.callback,
        facts.redirect_uri.clone(),
    ));
    values.push(value("guide-scopes", words.scopes, facts.scope.clone()));
    for (i, resource) in facts.resources.iter().enumerate() {
        let id = format!("guide-resource-{}", i + 1);
        values.push(value(&id, words.resource, resource.clone()));
    }
    let mut notes = Vec::new();
    match app.app_type {
        ApplicationType::Traditional => notes.push(words.try_it),
        ApplicationType::Spa => notes.push(words.spa_note),
        ApplicationType::Native => notes.push(words.native_note),
        ApplicationType::MachineToMachine => {}
    }
    if facts.insecure && app.app_type != ApplicationType::MachineToMachine {
        notes.push(words.insecure_note);
    }
    let mut warnings = warnings(console, app, permitted);
    let loopback = app
        .redirect_uris
        .iter()
        .any(|u| u.starts_with("http://127.0.0.1"));
    if app.app_type == ApplicationType::Native && !app.redirect_uris.is_empty() && !loopback {
        warnings.push(Warning {
            text: words.warn_loopback,
            href: format!(
                "/console/applications/{}#redirect_uris",
                html::path_segment(&app.id)
            ),
        });
    }
    let view = GuidePage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_id: &app.id,
        app_type: text.type_name(app.app_type),
        app_third_party: app.is_third_party,
        tabs: tabs(text, app, "/guide"),
        machine: app.app_type == ApplicationType::MachineToMachine,
        confidential: facts.confidential,
        warnings,
        values,
        notes,
        snippets: snippets(app, &facts),
    };
    Ok(html::render(StatusCode::OK, &view, &view.frame.nonce))
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    page(&state, &console, &app).await
}
