//! The admin console under `/console`: server-rendered pages over the same `manage`
//! operations as the management API. Administrators sign in through Latchkey's own
//! authorization code flow (the built-in console application); each page checks, from the
//! console's cookie, that the grant is live and its user still holds the management scope.
//! Pages live in a folder per resource (`applications/`, `users/`, `roles/`,
//! `organizations/`) or one file (`resources`, `keys`, `agents`); `form` checks every form's
//! CSRF token before its handler runs.

mod agents;
mod applications;
mod audit;
mod auth;
mod flash;
mod form;
mod keys;
mod organizations;
mod resources;
mod roles;
mod text;
mod users;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use latchkey_core::client::CONSOLE_APP_ID;
use latchkey_core::grant::{Grant, hash_matches, token_hash};
use latchkey_core::resource::{MANAGEMENT_RESOURCE_ID, MANAGEMENT_SCOPE};
use latchkey_core::user::User;

pub use form::{Button, ConsoleForm};

use crate::app::AppState;
use crate::browser;
use crate::error::{Error, PageError, Problem};
use crate::i18n::Locale;
use crate::manage::Actor;
pub use text::ConsoleText;

/// The cookie holding the console's access token (opaque, stored hashed, tied to its grant).
const COOKIE: &str = "latchkey_console";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::to("/console/applications") }),
        )
        .route("/console/sign-in", get(auth::sign_in))
        .route("/console/callback", get(auth::callback))
        .route("/console/sign-out", post(auth::sign_out))
        .route(
            "/console/applications",
            get(applications::list::list).post(applications::list::create),
        )
        .route("/console/applications/new", get(applications::list::new))
        .route(
            "/console/applications/{id}",
            get(applications::show::show).post(applications::show::update),
        )
        .route(
            "/console/applications/{id}/delete",
            get(applications::show::confirm_delete).post(applications::show::delete),
        )
        .route(
            "/console/applications/{id}/endpoints",
            get(applications::secrets::show),
        )
        .route(
            "/console/applications/{id}/secrets",
            post(applications::secrets::create),
        )
        .route(
            "/console/applications/{id}/secrets/{name}/rename",
            post(applications::secrets::rename),
        )
        .route(
            "/console/applications/{id}/secrets/{name}/delete",
            post(applications::secrets::delete),
        )
        .route(
            "/console/applications/{id}/permissions",
            get(applications::permissions::show).post(applications::permissions::add),
        )
        .route(
            "/console/applications/{id}/permissions/remove",
            post(applications::permissions::remove),
        )
        .route(
            "/console/applications/{id}/permissions/api",
            post(applications::new_api::create_api),
        )
        .route(
            "/console/applications/{id}/branding",
            get(applications::branding::show).post(applications::branding::save),
        )
        .route(
            "/console/users",
            get(users::list::list).post(users::list::create),
        )
        .route("/console/users/new", get(users::list::new))
        .route("/console/users/{id}", get(users::show::show))
        .route(
            "/console/users/{id}/suspension",
            post(users::show::suspension),
        )
        .route("/console/users/{id}/password", post(users::show::password))
        .route(
            "/console/users/{id}/password-reset-email",
            post(users::mail::reset_email),
        )
        .route(
            "/console/users/{id}/email-verified",
            post(users::mail::verified),
        )
        .route("/console/users/{id}/profile", post(users::profile::save))
        .route(
            "/console/users/{id}/factors/{factor}/remove",
            post(users::factors::remove),
        )
        .route("/console/users/{id}/roles", post(users::show::assign))
        .route(
            "/console/users/{id}/roles/{role_id}/remove",
            post(users::show::unassign),
        )
        .route(
            "/console/users/{id}/grants/{grant_id}/remove",
            post(users::show::remove_grant),
        )
        .route(
            "/console/users/{id}/delete",
            get(users::show::confirm_delete).post(users::show::delete),
        )
        .route(
            "/console/resources",
            get(resources::list).post(resources::create),
        )
        .route(
            "/console/resources/{id}",
            get(resources::show).post(resources::update),
        )
        .route("/console/resources/{id}/scopes", post(resources::add_scope))
        .route(
            "/console/resources/{id}/scopes/{scope_id}/delete",
            post(resources::delete_scope),
        )
        .route(
            "/console/resources/{id}/delete",
            get(resources::confirm_delete).post(resources::delete),
        )
        .route(
            "/console/roles",
            get(roles::list::list).post(roles::list::create),
        )
        .route("/console/roles/{id}", get(roles::show::show))
        .route("/console/roles/{id}/scopes", post(roles::show::add_scopes))
        .route(
            "/console/roles/{id}/scopes/{scope_id}/remove",
            post(roles::show::remove_scope),
        )
        .route("/console/roles/{id}/holders", post(roles::show::assign))
        .route(
            "/console/roles/{id}/delete",
            get(roles::show::confirm_delete).post(roles::show::delete),
        )
        .merge(organizations::routes())
        .route("/console/agents", get(agents::show))
        .route("/console/agents/policy", post(agents::save))
        .route("/console/agents/{id}/approval", post(agents::decide))
        .route("/console/keys", get(keys::list))
        .route("/console/audit", get(audit::show))
        .route("/console/keys/rotate", post(keys::rotate))
        .route(
            "/console/applications/{id}/guide",
            get(applications::guide::show),
        )
        .route(
            "/console/applications/{id}/setup",
            get(applications::setup::show),
        )
        .route("/assets/console.css", get(stylesheet))
        .route("/assets/console.js", get(script))
}

/// What every signed-in console page's layout needs.
#[derive(Debug)]
pub struct Frame<'a> {
    pub lang: &'static str,
    pub text: &'static ConsoleText,
    pub nonce: String,
    pub csrf: &'a str,
    pub user_name: String,
    /// The navigation entry to mark as current.
    pub section: &'static str,
}

/// A signed-in administrator, as every console page sees them.
#[derive(Debug)]
pub struct Console {
    pub user: User,
    pub grant: Grant,
    /// The forms' CSRF token, derived from the console cookie (which other sites cannot read).
    pub csrf: String,
    /// What `flash` derives its key from: the console cookie's, which the database never holds.
    flash_secret: String,
    pub locale: Locale,
}

impl Console {
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user.id)
    }

    pub fn text(&self) -> &'static ConsoleText {
        text::of(self.locale)
    }

    pub fn frame(&self, section: &'static str) -> Frame<'_> {
        Frame {
            lang: self.locale.tag(),
            text: self.text(),
            nonce: crate::html::nonce(),
            csrf: &self.csrf,
            user_name: self.user_name(),
            section,
        }
    }

    pub fn user_name(&self) -> String {
        let user = &self.user;
        let name = user.name.clone().or_else(|| user.username.clone());
        name.or_else(|| user.primary_email.clone())
            .unwrap_or_else(|| user.id.clone())
    }

    /// A failure on this console page, shown as the localized error page with the status
    /// the management API would have answered (404 for a missing object, 503 for a database
    /// that cannot be reached).
    pub fn failed(&self, state: &AppState, failure: impl Into<Problem>) -> PageError {
        PageError::of_problem(state, self.locale, failure.into())
    }

    /// Whether a posted form carries this console's CSRF token.
    pub fn checks(&self, csrf: &str) -> bool {
        hash_matches(csrf, &token_hash(&self.csrf))
    }
}

fn csrf_of(cookie: &str) -> String {
    token_hash(&format!("console-form:{cookie}"))
}

fn flash_secret_of(cookie: &str) -> String {
    token_hash(&format!("console-flash:{cookie}"))
}

/// Whether the user holds the management API's scope through a role.
pub async fn is_admin(state: &AppState, user_id: &str) -> Result<bool, Error> {
    let held = state
        .db
        .find_grantable_scopes(user_id, MANAGEMENT_RESOURCE_ID, None)
        .await?;
    Ok(held.iter().any(|s| s.name == MANAGEMENT_SCOPE))
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let sign_in = || auth::to_sign_in(parts);
        let Some(value) = browser::cookie(state, &parts.headers, COOKIE) else {
            return Err(sign_in());
        };
        let now = state.clock.now_ms();
        let found = state.db.find_access_token(&token_hash(value), now).await;
        let grant = match found {
            Ok(Some((_, grant))) if grant.client_id == CONSOLE_APP_ID => grant,
            Ok(_) => return Err(sign_in()),
            Err(e) => return Err(PageError::new(state, &parts.headers, e).into_response()),
        };
        let user = match state.db.find_user(&grant.user_id).await {
            Ok(Some(user)) if user.is_active() => user,
            Ok(_) => return Err(sign_in()),
            Err(e) => return Err(PageError::new(state, &parts.headers, e).into_response()),
        };
        let locale = Locale::of(&parts.headers, None);
        match is_admin(state, &user.id).await {
            Ok(true) => {}
            Ok(false) => return Err(auth::not_admin(state, locale)),
            Err(e) => return Err(PageError::new(state, &parts.headers, e).into_response()),
        }
        Ok(Self {
            user,
            grant,
            csrf: csrf_of(value),
            flash_secret: flash_secret_of(value),
            locale,
        })
    }
}

#[derive(askama::Template)]
#[template(path = "console/confirm.html")]
struct ConfirmPage<'a> {
    frame: Frame<'a>,
    question: &'a str,
    name: &'a str,
    warning: &'a str,
    action: &'a str,
    back: &'a str,
}

/// A page asking to confirm a deletion, naming what goes; works without JavaScript.
pub fn confirm(
    console: &Console,
    section: &'static str,
    (question, name, warning): (&str, &str, &str),
    (action, back): (&str, &str),
) -> Response {
    let page = ConfirmPage {
        frame: console.frame(section),
        question,
        name,
        warning,
        action,
        back,
    };
    crate::html::render(axum::http::StatusCode::OK, &page, &page.frame.nonce)
}

async fn stylesheet() -> Response {
    crate::html::asset(
        "text/css; charset=utf-8",
        include_str!("../../assets/console.css"),
    )
}

async fn script() -> Response {
    crate::html::asset(
        "text/javascript; charset=utf-8",
        include_str!("../../assets/console.js"),
    )
}
