//! The sign-up page (when enabled): username, optional email, password. The account is
//! created through the same operation as the management API's, then signed in.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use latchkey_core::grant::hash_matches;
use serde::Deserialize;

use super::{Pending, expired, pending, start_session};
use crate::app::AppState;
use crate::error::PageError;
use crate::html;
use crate::i18n::Text;
use crate::manage::{Actor, users};

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUpPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    interaction: &'a str,
    csrf: &'a str,
    username: &'a str,
    email: &'a str,
    error: Option<&'a str>,
}

#[derive(Debug, Deserialize)]
pub struct NewAccount {
    csrf: String,
    username: String,
    #[serde(default)]
    email: String,
    password: String,
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    pending: &Pending,
    (username, email): (&str, &str),
    error: Option<&str>,
) -> Response {
    let locale = pending.locale(headers);
    let app_name = match pending.destination(state, locale.text()).await {
        Ok(name) => name,
        Err(e) => return PageError::new(state, headers, e).into_response(),
    };
    let page = SignUpPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        app_name: &app_name,
        interaction: &pending.interaction.id,
        csrf: &pending.csrf,
        username,
        email,
        error,
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    html::render_for(status, &page, &html::nonce(), pending.redirect_uri())
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !state.config.sign_up {
        return expired(&state, &headers);
    }
    match pending(&state, &headers, &id).await {
        Ok(pending) => render(&state, &headers, &pending, ("", ""), None).await,
        Err(response) => response,
    }
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<NewAccount>,
) -> Response {
    if !state.config.sign_up {
        return expired(&state, &headers);
    }
    let pending = match pending(&state, &headers, &id).await {
        Ok(pending) => pending,
        Err(response) => return response,
    };
    if !hash_matches(&form.csrf, &pending.interaction.csrf_hash) {
        return expired(&state, &headers);
    }
    let input = users::NewUser {
        username: Some(form.username.clone()),
        primary_email: Some(form.email.clone()).filter(|e| !e.trim().is_empty()),
        primary_phone: None,
        name: None,
        password: Some(form.password),
        custom_data: None,
        profile: None,
        avatar: None,
    };
    let actor = Actor {
        kind: "self_service",
        id: pending
            .interaction
            .client_id
            .clone()
            .unwrap_or_else(|| "account".into()),
    };
    match users::create(&state, &actor, input).await {
        Ok(user) => start_session(&state, &headers, &user.id, &id, None).await,
        Err(problem) => {
            let text = pending.locale(&headers).text();
            let message = match problem {
                crate::manage::Error::Conflict { .. } => text.account_exists.to_owned(),
                _ => format!("{} {problem}", text.sign_up_invalid),
            };
            render(
                &state,
                &headers,
                &pending,
                (&form.username, &form.email),
                Some(&message),
            )
            .await
        }
    }
}
