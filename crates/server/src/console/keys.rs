//! Signing keys: their states, and rotation of either family.

use super::ConsoleForm;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::rotation::Refusal;
use serde::Deserialize;

use super::{Console, Frame};
use crate::app::AppState;
use crate::error::PageError;
use crate::html;
use crate::manage::keys::{self, KeyView};

#[derive(Template)]
#[template(path = "console/keys.html")]
struct KeysPage<'a> {
    frame: Frame<'a>,
    keys: Vec<Row>,
    rotated: bool,
    error: Option<String>,
    /// The family whose rotation was refused: offered again, forced.
    refused: Option<&'static str>,
}

struct Row {
    id: String,
    algorithm: &'static str,
    state: &'static str,
    created: String,
}

#[derive(Debug, Deserialize)]
pub struct Rotated {
    rotated: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<Rotated>,
) -> Result<Response, PageError> {
    page(&state, &console, query.rotated.is_some(), None).await
}

/// The keys page; `refused` names a family whose rotation was refused, and why.
async fn page(
    state: &AppState,
    console: &Console,
    rotated: bool,
    refused: Option<(&'static str, String)>,
) -> Result<Response, PageError> {
    let stored = state.db.find_signing_keys().await;
    let stored = stored.map_err(|e| console.failed(state, e))?;
    let (refused, error) = refused.unzip();
    let page = KeysPage {
        frame: console.frame("keys"),
        keys: stored
            .iter()
            .map(KeyView::from)
            .map(|k| Row {
                created: html::date(k.created_at),
                id: k.id,
                algorithm: k.algorithm,
                state: k.state,
            })
            .collect(),
        rotated,
        error,
        refused,
    };
    Ok(html::render(StatusCode::OK, &page, &page.frame.nonce))
}

#[derive(Debug, Deserialize)]
pub struct Rotation {
    family: String,
    /// Present on the "rotate anyway" form.
    force: Option<String>,
}

pub async fn rotate(
    State(state): State<AppState>,
    ConsoleForm(console, form): ConsoleForm<Rotation>,
) -> Result<Response, PageError> {
    let Some(algorithm) = keys::parse_family(&form.family) else {
        return Ok(Redirect::to("/console/keys").into_response());
    };
    let force = form.force.is_some();
    if !force {
        let text = console.frame("keys").text;
        match keys::refusal(&state, algorithm).await {
            Ok(None) => {}
            Ok(Some(refusal)) => {
                let why = match refusal {
                    Refusal::PreviousStillVerifies { .. } => text.rotate_too_soon_previous,
                    Refusal::NextTooNew { .. } => text.rotate_too_soon_next,
                };
                let message = format!("{why} {}.", html::moment(refusal.until_ms()));
                let refused = Some((keys::family(algorithm), message));
                return page(&state, &console, false, refused).await;
            }
            Err(problem) => return Err(console.failed(&state, problem)),
        }
    }
    let rotated = keys::rotate_now(&state, &console.actor(), &[algorithm], force).await;
    rotated.map_err(|problem| console.failed(&state, problem))?;
    Ok(Redirect::to("/console/keys?rotated=1").into_response())
}
