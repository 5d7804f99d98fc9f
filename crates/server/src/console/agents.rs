//! AI agents and MCP clients: the dynamic-client policy (each kind's mode, trusted hosts,
//! initial access tokens, the shared ceiling), the clients waiting for approval, and every
//! self-registered client with its standing, approved or blocked from here.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::claims::CONSENT_USER_SCOPES;
use latchkey_core::client::Application;
use latchkey_core::dynamic::{Approval, Mode, Policy, Registration};
use latchkey_store::Page;
use latchkey_store::applications::{ApplicationFilter, RegistrationFilter};
use serde::Deserialize;

use super::{Console, ConsoleForm, Frame};
use crate::app::AppState;
use crate::error::PageError;
use crate::html;
use crate::manage::dynamic_clients::{self, DecisionInput, PolicyView};

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

struct Api {
    name: String,
    indicator: String,
    scopes: Vec<Choice>,
}

struct Client {
    path: String,
    name: String,
    kind: &'static str,
    /// The host publishing a CIMD client's ID; a registered client's ID.
    origin: String,
    status: &'static str,
    /// Which decisions are offered: not the one already made.
    approvable: bool,
    blockable: bool,
    created: String,
}

#[derive(Template)]
#[template(path = "console/agents.html")]
struct AgentsPage<'a> {
    frame: Frame<'a>,
    saved: bool,
    error: Option<String>,
    modes: [(&'static str, &'static str); 3],
    cimd_mode: &'static str,
    dcr_mode: &'static str,
    trusted_hosts: String,
    iat_required: bool,
    device_flow: bool,
    user_scopes: Vec<Choice>,
    apis: Vec<Api>,
    pending: Vec<Client>,
    clients: Vec<Client>,
}

#[derive(Debug, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<Saved>,
) -> Result<Response, PageError> {
    let policy = state.cache.policy(&state.db).await;
    let policy = policy.map_err(|e| console.failed(&state, e))?;
    render(&state, &console, &policy, query.saved.is_some(), None).await
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Off => "off",
        Mode::Approval => "approval",
        Mode::Open => "open",
    }
}

fn parse_mode(value: &str) -> Mode {
    match value {
        "off" => Mode::Off,
        "open" => Mode::Open,
        _ => Mode::Approval,
    }
}

async fn render(
    state: &AppState,
    console: &Console,
    policy: &Policy,
    saved: bool,
    error: Option<String>,
) -> Result<Response, PageError> {
    let text = console.text();
    let words = console.locale.text();
    let user_scopes = CONSENT_USER_SCOPES
        .iter()
        .map(|name| Choice {
            value: (*name).to_owned(),
            label: words.scope(name).unwrap_or_default().to_owned(),
            checked: policy.ceiling.user_scopes.iter().any(|s| s == name),
        })
        .collect();
    let all = Page {
        page: 1,
        page_size: 1000,
    };
    let listed = state.db.list_resources(None, all).await;
    let (resources, _) = listed.map_err(|e| console.failed(state, e))?;
    let mut apis = Vec::new();
    for resource in resources.into_iter().filter(|r| !r.is_management) {
        let defined = state.db.list_scopes(&resource.id).await;
        let defined = defined.map_err(|e| console.failed(state, e))?;
        apis.push(Api {
            name: resource.name,
            indicator: resource.indicator,
            scopes: defined
                .into_iter()
                .map(|s| Choice {
                    checked: policy.ceiling.resource_scopes.contains(&s.id),
                    value: s.id,
                    label: s.name,
                })
                .collect(),
        });
    }
    let clients = |filter: ApplicationFilter| async move {
        let listed = state.db.list_applications(&filter, all).await;
        listed.map(|(apps, _)| apps.iter().map(|a| client(console, a)).collect::<Vec<_>>())
    };
    let pending = ApplicationFilter {
        approval: Some(None),
        ..ApplicationFilter::default()
    };
    let every = ApplicationFilter {
        registration: Some(RegistrationFilter::Themselves),
        ..ApplicationFilter::default()
    };
    let page = AgentsPage {
        frame: console.frame("agents"),
        saved,
        error,
        modes: [
            ("off", text.mode_off),
            ("approval", text.mode_approval),
            ("open", text.mode_open),
        ],
        cimd_mode: mode_name(policy.cimd.mode),
        dcr_mode: mode_name(policy.dcr.mode),
        trusted_hosts: policy.cimd.trusted_hosts.join("\n"),
        iat_required: policy.dcr.initial_access_token_required,
        device_flow: policy.device_flow,
        user_scopes,
        apis,
        pending: clients(pending)
            .await
            .map_err(|e| console.failed(state, e))?,
        clients: clients(every).await.map_err(|e| console.failed(state, e))?,
    };
    Ok(html::render(StatusCode::OK, &page, &page.frame.nonce))
}

fn client(console: &Console, app: &Application) -> Client {
    let text = console.text();
    let dynamic = app.dynamic.as_ref();
    let approval = dynamic.and_then(|d| d.approval);
    let cimd = dynamic.is_some_and(|d| d.registration == Registration::Cimd);
    let host = url::Url::parse(&app.id)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned));
    Client {
        path: html::path_segment(&app.id),
        name: app.name.clone(),
        kind: if cimd { "CIMD" } else { "DCR" },
        origin: match (cimd, host) {
            (true, Some(host)) => host,
            _ => app.id.clone(),
        },
        status: match approval {
            Some(Approval::Approved) => text.status_approved,
            Some(Approval::Blocked) => text.status_blocked,
            None => text.status_undecided,
        },
        approvable: approval != Some(Approval::Approved),
        blockable: approval != Some(Approval::Blocked),
        created: html::date(app.created_at),
    }
}

/// Save the policy from its form (`user_scope` and `resource_scope` repeat).
pub async fn save(
    State(state): State<AppState>,
    ConsoleForm(console, fields): ConsoleForm<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let mut policy = Policy::default();
    policy.dcr.initial_access_token_required = false;
    for (name, value) in fields {
        match name.as_str() {
            "cimd_mode" => policy.cimd.mode = parse_mode(&value),
            "dcr_mode" => policy.dcr.mode = parse_mode(&value),
            "trusted_hosts" => {
                policy.cimd.trusted_hosts = value
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|h| !h.is_empty())
                    .map(str::to_owned)
                    .collect();
            }
            "iat_required" => policy.dcr.initial_access_token_required = true,
            "device_flow" => policy.device_flow = true,
            "user_scope" => policy.ceiling.user_scopes.push(value),
            "resource_scope" => policy.ceiling.resource_scopes.push(value),
            _ => {}
        }
    }
    let put =
        dynamic_clients::put_policy(&state, &console.actor(), PolicyView(policy.clone())).await;
    match put {
        Ok(_) => Ok(Redirect::to("/console/agents?saved=1").into_response()),
        Err(problem) => render(&state, &console, &policy, false, Some(problem.to_string())).await,
    }
}

#[derive(Debug, Deserialize)]
pub struct Decision {
    decision: String,
}

/// Approve or block one client, then back to the list.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Decision>,
) -> Result<Response, PageError> {
    let input = DecisionInput {
        decision: form.decision,
    };
    let decided = dynamic_clients::decide(&state, &console.actor(), &id, input).await;
    decided.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to("/console/agents").into_response())
}
