//! An application's set-up checklist, where its creation lands: each step it needs for its
//! type and party (redirect URIs, allowed origins, permissions, branding, a secret or a
//! role), whether it is done, a link to where it is done, and the integration guide last.
//! A secret made with the application is shown here once more (`flash`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use latchkey_core::client::{Application, ApplicationType};

use super::show::{Tab, load, tabs};
use crate::app::AppState;
use crate::console::text::guide::GuideText;
use crate::console::{Console, Frame, flash};
use crate::error::PageError;
use crate::html;
use crate::manage::{self, secrets, third_party};

#[derive(Template)]
#[template(path = "console/app_setup.html")]
struct SetupPage<'a> {
    frame: Frame<'a>,
    app_name: &'a str,
    app_id: &'a str,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    new_secret: Option<String>,
    steps: Vec<Step>,
}

struct Step {
    title: &'static str,
    help: &'static str,
    /// None for the guide, which is read rather than done.
    state: Option<Progress>,
    href: String,
}

enum Progress {
    Done,
    ToDo,
    Optional,
}

impl Step {
    fn state_word(&self, words: &GuideText) -> &'static str {
        match self.state {
            Some(Progress::Done) => words.done,
            Some(Progress::ToDo) => words.to_do,
            Some(Progress::Optional) => words.optional,
            None => "",
        }
    }

    fn class(&self) -> &'static str {
        match self.state {
            Some(Progress::Done) => "done",
            Some(Progress::ToDo) => "to-do",
            Some(Progress::Optional) => "optional",
            None => "next",
        }
    }
}

fn done_if(done: bool) -> Option<Progress> {
    Some(match done {
        true => Progress::Done,
        false => Progress::ToDo,
    })
}

async fn steps(
    state: &AppState,
    console: &Console,
    app: &Application,
) -> Result<Vec<Step>, PageError> {
    let words = console.text().guide;
    let base = format!("/console/applications/{}", html::path_segment(&app.id));
    let failed = |problem| console.failed(state, problem);
    let mut steps = Vec::new();
    let mut step = |title, help, state, href: String| {
        steps.push(Step {
            title,
            help,
            state,
            href,
        })
    };
    if app.app_type != ApplicationType::MachineToMachine {
        let href = format!("{base}#redirect_uris");
        step(
            words.redirects,
            words.redirects_help,
            done_if(!app.redirect_uris.is_empty()),
            href,
        );
    }
    if app.app_type == ApplicationType::Spa {
        let done = done_if(!app.cors_allowed_origins.is_empty());
        step(
            words.origins,
            words.origins_help,
            done,
            format!("{base}#cors_allowed_origins"),
        );
    }
    if app.is_third_party {
        let allowed = third_party::scopes(state, &app.id).await.map_err(failed)?;
        let done = done_if(!allowed.user_scopes.is_empty() || !allowed.resource_scopes.is_empty());
        step(
            words.permissions,
            words.permissions_help,
            done,
            format!("{base}/permissions"),
        );
        let branded = match third_party::experience(state, &app.id).await {
            Ok(saved) => saved.display_name.is_some() || saved.branding.is_some(),
            Err(manage::Error::NotFound(_)) => false,
            Err(problem) => return Err(failed(problem)),
        };
        let done = Some(match branded {
            true => Progress::Done,
            false => Progress::Optional,
        });
        step(
            words.branding,
            words.branding_help,
            done,
            format!("{base}/branding"),
        );
    }
    if app.app_type.is_confidential() {
        let made = secrets::list_secrets(state, &app.id)
            .await
            .map_err(failed)?;
        step(
            words.secret,
            words.secret_help,
            done_if(!made.is_empty()),
            format!("{base}/endpoints"),
        );
    }
    if app.app_type == ApplicationType::MachineToMachine {
        step(
            words.machine_roles,
            words.machine_roles_help,
            Some(Progress::Optional),
            "/console/roles".into(),
        );
    }
    step(words.guide, words.guide_help, None, format!("{base}/guide"));
    Ok(steps)
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let app = load(&state, &console, &id).await?;
    let text = console.text();
    let view = SetupPage {
        frame: console.frame("applications"),
        app_name: &app.name,
        app_id: &app.id,
        app_type: text.type_name(app.app_type),
        app_third_party: app.is_third_party,
        tabs: tabs(text, &app, "/setup"),
        new_secret: flash::shown(&state, &headers, &console, &app.id),
        steps: steps(&state, &console, &app).await?,
    };
    Ok(html::render(StatusCode::OK, &view, &view.frame.nonce))
}
