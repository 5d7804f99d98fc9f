//! An application's page: its tabs, the Settings tab (saved through the same operation and
//! validation as the API, errors shown next to the field), and Delete behind a confirmation
//! page that names the application.

use crate::console::{Button, ConsoleForm};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::client::{Application, ApplicationType, CONSOLE_APP_ID};
use serde::Deserialize;

use super::checks::{FieldError, lines};
use crate::app::AppState;
use crate::console::{Console, ConsoleText, Frame};
use crate::error::PageError;
use crate::html;
use crate::manage::applications::{
    self as apps, ApplicationPatch, CustomClientMetadataInput, OidcClientMetadata,
};

pub struct Tab {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// The tabs of an application's page; `current` is the active one's path suffix.
pub fn tabs(text: &ConsoleText, app: &Application, current: &str) -> Vec<Tab> {
    let mut tabs = vec![
        ("/setup", text.guide.tab_setup),
        ("", text.tab_settings),
        ("/endpoints", text.tab_endpoints),
    ];
    if app.is_third_party {
        tabs.push(("/permissions", text.tab_permissions));
        tabs.push(("/branding", text.tab_branding));
    }
    tabs.push(("/guide", text.tab_guide));
    tabs.into_iter()
        .map(|(suffix, label)| Tab {
            href: format!(
                "/console/applications/{}{suffix}",
                crate::html::path_segment(&app.id)
            ),
            label,
            current: suffix == current,
        })
        .collect()
}

/// The application, or the error page for a missing one.
pub async fn load(state: &AppState, console: &Console, id: &str) -> Result<Application, PageError> {
    let found = apps::find(state, id).await;
    found.map_err(|problem| console.failed(state, problem))
}

#[derive(Template)]
#[template(path = "console/app_settings.html")]
struct SettingsPage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    app_id: &'a str,
    /// The id as a path segment, for links and forms.
    app_path: String,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    built_in: bool,
    machine: bool,
    /// A first-party confidential application, which may be allowed to exchange tokens.
    may_exchange: bool,
    saved: bool,
    /// A refusal no field explains (the application is built in, say).
    error: Option<String>,
    problems: Vec<FieldError>,
    form: SettingsForm,
}

impl SettingsPage<'_> {
    fn invalid(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.field == field)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    pub(super) name: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) redirect_uris: String,
    #[serde(default)]
    pub(super) post_logout_redirect_uris: String,
    #[serde(default)]
    pub(super) cors_allowed_origins: String,
    #[serde(default)]
    pub(super) id_token_ttl: String,
    #[serde(default)]
    pub(super) refresh_token_ttl_in_days: String,
    rotate_refresh_token: Option<String>,
    always_issue_refresh_token: Option<String>,
    device_flow: Option<String>,
    token_exchange: Option<String>,
    #[serde(default)]
    pub(super) refresh_token_reuse_grace_seconds: String,
    require_mfa: Option<String>,
}

impl SettingsForm {
    fn of(app: &Application) -> Self {
        let on = |b: bool| b.then(|| "on".to_owned());
        Self {
            name: app.name.clone(),
            description: app.description.clone().unwrap_or_default(),
            redirect_uris: app.redirect_uris.join("\n"),
            post_logout_redirect_uris: app.post_logout_redirect_uris.join("\n"),
            cors_allowed_origins: app.cors_allowed_origins.join("\n"),
            id_token_ttl: app.settings.id_token_ttl.to_string(),
            refresh_token_ttl_in_days: app.settings.refresh_token_ttl_days.to_string(),
            rotate_refresh_token: on(app.settings.rotate_refresh_token),
            always_issue_refresh_token: on(app.settings.always_issue_refresh_token),
            device_flow: on(app.settings.device_flow),
            token_exchange: on(app.settings.token_exchange),
            refresh_token_reuse_grace_seconds: app.settings.refresh_reuse_grace_secs.to_string(),
            require_mfa: on(app.settings.require_mfa),
        }
    }

    /// The same change the API's PATCH would make. A number that does not parse becomes 0,
    /// which the shared validation refuses with its own message.
    fn patch(&self, app_type: ApplicationType) -> ApplicationPatch {
        let number = |v: &str| v.trim().parse::<i64>().unwrap_or(0);
        let redirects = app_type != ApplicationType::MachineToMachine;
        ApplicationPatch {
            name: Some(self.name.clone()),
            description: Some(Some(self.description.trim().to_owned()).filter(|d| !d.is_empty())),
            oidc_client_metadata: redirects.then(|| OidcClientMetadata {
                redirect_uris: lines(&self.redirect_uris),
                post_logout_redirect_uris: lines(&self.post_logout_redirect_uris),
                id_token_signed_response_alg: None,
            }),
            custom_client_metadata: Some(match redirects {
                true => CustomClientMetadataInput {
                    cors_allowed_origins: Some(lines(&self.cors_allowed_origins)),
                    id_token_ttl: Some(number(&self.id_token_ttl)),
                    refresh_token_ttl_in_days: Some(number(&self.refresh_token_ttl_in_days)),
                    rotate_refresh_token: Some(self.rotate_refresh_token.is_some()),
                    always_issue_refresh_token: Some(self.always_issue_refresh_token.is_some()),
                    device_flow: Some(self.device_flow.is_some()),
                    token_exchange: Some(self.token_exchange.is_some()),
                    refresh_token_reuse_grace_seconds: Some(number(
                        &self.refresh_token_reuse_grace_seconds,
                    )),
                    require_mfa: Some(self.require_mfa.is_some()),
                },
                false => CustomClientMetadataInput {
                    token_exchange: Some(self.token_exchange.is_some()),
                    ..CustomClientMetadataInput::default()
                },
            }),
            app_type: None,
            is_third_party: None,
        }
    }
}

fn settings_page(
    console: &Console,
    app: &Application,
    form: SettingsForm,
    (saved, error, problems): (bool, Option<String>, Vec<FieldError>),
) -> Response {
    let text = console.text();
    let page = SettingsPage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_id: &app.id,
        app_path: crate::html::path_segment(&app.id),
        app_type: text.type_name(app.app_type),
        app_third_party: app.is_third_party,
        tabs: tabs(text, app, ""),
        built_in: app.id == CONSOLE_APP_ID,
        machine: app.app_type == ApplicationType::MachineToMachine,
        may_exchange: app.app_type.is_confidential()
            && !app.is_third_party
            && app.dynamic.is_none(),
        saved,
        error,
        problems,
        form,
    };
    let status = match page.error.is_some() || !page.problems.is_empty() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    html::render(status, &page, &page.frame.nonce)
}

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
    let app = load(&state, &console, &id).await?;
    let form = SettingsForm::of(&app);
    Ok(settings_page(
        &console,
        &app,
        form,
        (query.saved.is_some(), None, Vec::new()),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<SettingsForm>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    let here = format!("/console/applications/{}", crate::html::path_segment(&id));
    let problems = form.problems(&app, console.text());
    if !problems.is_empty() {
        return Ok(settings_page(&console, &app, form, (false, None, problems)));
    }
    let patch = form.patch(app.app_type);
    Ok(
        match apps::update(&state, &console.actor(), &id, patch).await {
            Ok(_) => Redirect::to(&format!("{here}?saved=1")).into_response(),
            Err(problem) => {
                let refused = (false, Some(problem.to_string()), Vec::new());
                settings_page(&console, &app, form, refused)
            }
        },
    )
}

#[derive(Template)]
#[template(path = "console/app_delete.html")]
struct DeletePage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    /// The id as a path segment, for links and forms.
    app_path: String,
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    let page = DeletePage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_path: crate::html::path_segment(&app.id),
    };
    Ok(html::render(StatusCode::OK, &page, &page.frame.nonce))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, Button {}): ConsoleForm<Button>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    let deleted = apps::delete(&state, &console.actor(), &id).await;
    deleted.map_err(|problem| console.failed(&state, problem))?;
    Ok(match app.is_third_party {
        true => Redirect::to("/console/applications?tab=third-party").into_response(),
        false => Redirect::to("/console/applications").into_response(),
    })
}
