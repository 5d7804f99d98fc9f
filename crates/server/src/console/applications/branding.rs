//! A third-party application's Branding tab: display name, logos, terms and privacy links,
//! with a live preview of the whole consent page (company, user, permissions) and a warning
//! when a logo does not load.

use crate::console::ConsoleForm;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::client::Application;
use latchkey_core::registration as rules;
use serde::Deserialize;

use super::checks::FieldError;
use super::permissions::third_party;
use super::show::{Tab, tabs};
use crate::app::AppState;
use crate::console::{Console, ConsoleText, Frame};
use crate::error::PageError;
use crate::html;
use crate::i18n::Text;
use crate::manage;
use crate::manage::third_party::{self, Branding, SignInExperienceView};

#[derive(Template)]
#[template(path = "console/app_branding.html")]
struct BrandingPage<'a> {
    frame: Frame<'a>,
    consent: &'static Text,
    app_name: &'a str,
    app_id: &'a str,
    /// The id as a path segment, for links and forms.
    app_path: String,
    app_type: &'static str,
    app_third_party: bool,
    tabs: Vec<Tab>,
    saved: bool,
    error: Option<String>,
    problems: Vec<FieldError>,
    form: BrandingForm,
    shown_name: String,
    user_data: Vec<&'static str>,
    /// Each API's name and its permissions' words (or scope names), as the consent page lists them.
    apis: Vec<(String, Vec<String>)>,
    company: &'a str,
    /// Where the consent page says the user goes back to: the first redirect URI's origin.
    origin: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct BrandingForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    logo_url: String,
    #[serde(default)]
    dark_logo_url: String,
    #[serde(default)]
    terms_of_use_url: String,
    #[serde(default)]
    privacy_policy_url: String,
}

impl BrandingForm {
    fn of(view: SignInExperienceView) -> Self {
        let branding = view.branding.unwrap_or_default();
        Self {
            display_name: view.display_name.unwrap_or_default(),
            logo_url: branding.logo_url.unwrap_or_default(),
            dark_logo_url: branding.dark_logo_url.unwrap_or_default(),
            terms_of_use_url: view.terms_of_use_url.unwrap_or_default(),
            privacy_policy_url: view.privacy_policy_url.unwrap_or_default(),
        }
    }

    fn view(&self) -> SignInExperienceView {
        let set = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let branding = Branding {
            logo_url: set(&self.logo_url),
            dark_logo_url: set(&self.dark_logo_url),
        };
        SignInExperienceView {
            display_name: set(&self.display_name),
            branding: Some(branding),
            terms_of_use_url: set(&self.terms_of_use_url),
            privacy_policy_url: set(&self.privacy_policy_url),
        }
    }
}

async fn branding_page(
    state: &AppState,
    console: &Console,
    app: &Application,
    form: BrandingForm,
    (saved, error, problems): (bool, Option<String>, Vec<FieldError>),
) -> Result<Response, PageError> {
    let words = console.locale.text();
    let ceiling = third_party::scopes(state, &app.id).await;
    let ceiling = ceiling.map_err(|problem| console.failed(state, problem))?;
    let user_data = ceiling
        .user_scopes
        .iter()
        .filter_map(|s| words.scope(s))
        .collect();
    let apis = ceiling
        .resource_scopes
        .into_iter()
        .map(|group| {
            let words = group
                .scopes
                .into_iter()
                .map(|s| match s.description.is_empty() {
                    true => s.name,
                    false => s.description,
                });
            (group.resource.name, words.collect())
        })
        .collect();
    let text = console.text();
    let shown_name = Some(form.display_name.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| app.name.clone());
    let page = BrandingPage {
        frame: console.frame("applications"),
        consent: words,
        app_name: &app.name,
        app_id: &app.id,
        app_path: crate::html::path_segment(&app.id),
        app_type: text.type_name(app.app_type),
        app_third_party: true,
        tabs: tabs(text, app, "/branding"),
        saved,
        error,
        problems,
        form,
        shown_name,
        user_data,
        apis,
        company: &state.config.company_name,
        origin: app
            .redirect_uris
            .first()
            .and_then(|uri| html::client_origin(uri))
            .unwrap_or_default(),
    };
    let status = match page.error.is_some() || !page.problems.is_empty() {
        true => StatusCode::UNPROCESSABLE_ENTITY,
        false => StatusCode::OK,
    };
    Ok(html::render(status, &page, &page.frame.nonce))
}

impl BrandingPage<'_> {
    fn invalid(&self, field: &str) -> bool {
        self.problems.iter().any(|p| p.field == field)
    }
}

impl BrandingForm {
    /// Every problem at once, in words, before anything is saved (the API's own rules).
    fn problems(&self, text: &ConsoleText) -> Vec<FieldError> {
        let mut found = Vec::new();
        let name = self.display_name.trim();
        if !name.is_empty() && rules::check_name("display_name", name).is_err() {
            found.push(FieldError::of_field("display_name", text.problem.name));
        }
        for (field, value) in [
            ("logo_url", &self.logo_url),
            ("dark_logo_url", &self.dark_logo_url),
            ("terms_of_use_url", &self.terms_of_use_url),
            ("privacy_policy_url", &self.privacy_policy_url),
        ] {
            let value = value.trim();
            if !value.is_empty() && !third_party::is_https_url(value) {
                let message = text.https_address.to_owned();
                found.push(FieldError { field, message });
            }
        }
        found
    }
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
    let app = third_party(&state, &console, &id).await?;
    // No branding saved yet is an empty form.
    let form = match third_party::experience(&state, &id).await {
        Ok(saved) => BrandingForm::of(saved),
        Err(manage::Error::NotFound(_)) => BrandingForm::default(),
        Err(problem) => return Err(console.failed(&state, problem)),
    };
    branding_page(
        &state,
        &console,
        &app,
        form,
        (query.saved.is_some(), None, Vec::new()),
    )
    .await
}

pub async fn save(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ConsoleForm(console, form): ConsoleForm<BrandingForm>,
) -> Result<Response, PageError> {
    let app = third_party(&state, &console, &id).await?;
    let here = format!(
        "/console/applications/{}/branding",
        crate::html::path_segment(&id)
    );
    let problems = form.problems(console.text());
    if !problems.is_empty() {
        return branding_page(&state, &console, &app, form, (false, None, problems)).await;
    }
    match third_party::put_experience(&state, &console.actor(), &id, form.view()).await {
        Ok(_) => Ok(Redirect::to(&format!("{here}?saved=1")).into_response()),
        Err(problem) => {
            let refused = (false, Some(problem.to_string()), Vec::new());
            branding_page(&state, &console, &app, form, refused).await
        }
    }
}
