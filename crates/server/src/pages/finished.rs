//! A sign-in page reached again after its sign-in finished (the back button after consent,
//! say): a page that says it is done and offers the way back to the application, instead of
//! "expired". It names only the application; nothing of the user is shown.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::locale;
use crate::app::AppState;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;

#[derive(Template)]
#[template(path = "finished.html")]
struct FinishedPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: String,
    /// The application's web origin, when its redirect URI has one (not a private scheme).
    back: Option<String>,
}

/// The page for interaction `id` if it finished (and has not expired yet).
pub(super) async fn page(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<Option<Response>, PageError> {
    let found = state
        .db
        .find_finished_interaction(id, state.clock.now_ms())
        .await;
    let Some(interaction) = found.or_page(state, headers)? else {
        return Ok(None);
    };
    let text = locale(headers, None).text();
    let (app_name, back) = match &interaction.client_id {
        Some(client_id) => {
            let entry = state.cache.client(&state.db, client_id).await;
            let name = match entry.or_page(state, headers)? {
                Some(entry) => super::display_name(state, &entry.application).await,
                None => Ok(String::new()),
            };
            let name = name.or_page(state, headers)?;
            (name, super::app_origin(&interaction))
        }
        None => (text.account_title.to_owned(), Some("/account".to_owned())),
    };
    let view = FinishedPage {
        lang: locale(headers, None).tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text,
        app_name,
        back,
    };
    Ok(Some(html::render(StatusCode::OK, &view, &html::nonce())))
}
