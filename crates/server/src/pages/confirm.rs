//! The confirmation page (RFC 8252 §8.6): an application whose redirect proves nothing about
//! who receives the code (a public client on a loopback or private-scheme URI, which any
//! program on the device can claim) is never authorized silently. With nothing to consent
//! to, the user still sees one page naming it, with Continue and Cancel; the answer goes
//! through the consent form. A device's request (RFC 8628) always gets this page, with the
//! warning against codes someone else sent.

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::consent::Context;
use crate::app::AppState;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    user_id: &'a str,
    user_name: &'a str,
    origin: String,
    /// A device's request (RFC 8628): no redirect to name, and §5.4's warning instead.
    device: bool,
    interaction: &'a str,
    csrf: &'a str,
}

pub(super) async fn render(
    state: &AppState,
    headers: &HeaderMap,
    c: &Context,
) -> Result<Response, PageError> {
    let locale = c.pending.locale(headers);
    let user = &c.user;
    let branding = match c.app.is_third_party {
        true => state.db.find_sign_in_experience(&c.app.id).await,
        false => Ok(None),
    };
    let branding = branding.or_page(state, headers)?.unwrap_or_default();
    let user_name = user
        .name
        .as_ref()
        .or(user.username.as_ref())
        .unwrap_or(&user.id);
    let redirect_uri = c.request.redirect_uri.as_str();
    let page = ConfirmPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        app_name: branding.display_name.as_deref().unwrap_or(&c.app.name),
        user_id: &user.id,
        user_name,
        origin: html::client_origin(redirect_uri).unwrap_or_default(),
        device: c.request.device.is_some(),
        interaction: &c.pending.interaction.id,
        csrf: &c.pending.csrf,
    };
    Ok(html::render_for(
        StatusCode::OK,
        &page,
        &html::nonce(),
        Some(redirect_uri),
    ))
}
