//! A user's profile on their console page: username, email, phone and name, saved through
//! the management API's own update (an empty field clears it); what was typed stays on the
//! page when the update is refused.

use axum::extract::{Path, State};
use axum::response::Response;
use latchkey_core::user::User;
use serde::Deserialize;

use super::show::{back, page};
use crate::app::AppState;
use crate::console::ConsoleForm;
use crate::error::PageError;
use crate::manage::users::{self, UserPatch};

#[derive(Debug, Default, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub primary_email: String,
    #[serde(default)]
    pub primary_phone: String,
    #[serde(default)]
    pub name: String,
}

impl Profile {
    pub fn of(user: &User) -> Self {
        let shown = |v: &Option<String>| v.clone().unwrap_or_default();
        Self {
            username: shown(&user.username),
            primary_email: shown(&user.primary_email),
            primary_phone: shown(&user.primary_phone),
            name: shown(&user.name),
        }
    }

    fn patch(&self) -> UserPatch {
        let field = |v: &str| Some(Some(v.trim().to_owned()).filter(|v| !v.is_empty()));
        UserPatch {
            username: field(&self.username),
            primary_email: field(&self.primary_email),
            primary_phone: field(&self.primary_phone),
            name: field(&self.name),
            ..UserPatch::default()
        }
    }
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<Profile>,
) -> Result<Response, PageError> {
    let typed = (
        form.username.as_str(),
        form.primary_email.as_str(),
        Some(form.primary_phone.as_str()),
    );
    let words = console.locale.text();
    let problems = super::checks::problems(words, console.text(), typed, None);
    if !problems.is_empty() {
        return page(&state, &console, &id, (None, None), Some((form, problems))).await;
    }
    match users::update(&state, &console.actor(), &id, form.patch()).await {
        Ok(_) => Ok(back(&id, Some("profile"))),
        Err(problem @ crate::manage::Error::NotFound(_)) => Err(console.failed(&state, problem)),
        Err(problem) => {
            let refused = (None, Some(problem.to_string()));
            page(&state, &console, &id, refused, Some((form, Vec::new()))).await
        }
    }
}
