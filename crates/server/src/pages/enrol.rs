//! What enrolling an authenticator app shows, on the sign-in's second step and on the
//! security page alike: a new key as a QR code drawn here (no outside service sees it) and
//! as text; and the recovery codes, shown once. Also the enrolment on the way in
//! (`/second-factor/{interaction}/totp`), for a user some request asks a factor of.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use latchkey_core::mfa::{Amr, Method};
use latchkey_core::totp;
use latchkey_core::user::User;

use super::second_factor::{Typed, may_enrol, proved, render, subject};
use crate::app::AppState;
use crate::error::{OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::{Error, mfa};

/// A key to enroll: the form carries it back with the first code, which proves the app
/// holds it.
pub(super) struct Enrolment {
    /// Base32, grouped by four for typing.
    pub key: String,
    /// The same, as the form sends it back.
    pub secret: String,
    /// An inline SVG of the `otpauth://` URI.
    pub qr: String,
}

impl Enrolment {
    /// A new key, or `again` (the key a mistyped first code came with: the app that
    /// scanned it keeps working) when it is one.
    pub fn new(state: &AppState, user: &User, again: Option<&str>) -> Self {
        let again = again.filter(|s| totp::decode_base32(s).is_some_and(|k| k.len() >= 16));
        let secret = match again {
            Some(secret) => secret.to_owned(),
            None => totp::base32(&totp::new_secret()),
        };
        let account = user.username.as_deref().or(user.primary_email.as_deref());
        let account = account.unwrap_or(&user.id);
        let key = totp::decode_base32(&secret).unwrap_or_default();
        let uri = totp::uri(&state.config.company_name, account, &key);
        let qr = qrcode::QrCode::new(uri.as_bytes())
            .map(|code| {
                code.render::<qrcode::render::svg::Color>()
                    .min_dimensions(200, 200)
                    .quiet_zone(true)
                    .build()
            })
            .unwrap_or_default();
        // The XML declaration means nothing inside HTML.
        let qr = match qr.find("<svg") {
            Some(at) => qr[at..].to_owned(),
            None => qr,
        };
        let grouped = secret
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            key: grouped,
            secret,
            qr,
        }
    }
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
struct CodesPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    codes: &'a [String],
    next: &'a str,
}

/// The recovery codes, once, and the way on to `next`; never cached.
pub(super) fn codes_page(
    state: &AppState,
    headers: &HeaderMap,
    codes: &[String],
    next: &str,
) -> Response {
    let locale = super::locale(headers, None);
    let page = CodesPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text: locale.text(),
        codes,
        next,
    };
    let mut response = html::render(StatusCode::OK, &page, &html::nonce());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Enroll an authenticator app on the way in; the recovery codes are shown before going on.
pub async fn on_the_way(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<Typed>,
) -> Result<Response, PageError> {
    let (pending, subject) = subject(&state, &headers, &id, Some(&form.csrf)).await?;
    let user_id = subject.user_id().to_owned();
    // Never a second app beside a factor the user has, nor on an old session: the page
    // offers neither, and a post made up for it gets the page as it is.
    let factors = mfa::list(&state, &user_id)
        .await
        .or_page(&state, &headers)?;
    if mfa::enrolled(&factors) || !may_enrol(&state, &subject) {
        return render(&state, &headers, (&pending, &subject), (None, None)).await;
    }
    let codes = match mfa::enroll_totp(&state, &user_id, &form.secret, &form.code).await {
        Ok(codes) => codes,
        Err(Error::Invalid { .. } | Error::Conflict { .. }) => {
            let text = pending.locale(&headers).text();
            let error = (Some(text.mfa.code_wrong), Some(form.secret.as_str()));
            return render(&state, &headers, (&pending, &subject), error).await;
        }
        Err(other) => return Err(other).or_page(&state, &headers),
    };
    let amr = Amr::of(Method::Otp);
    let onward = proved(&state, &headers, (&pending, subject), &amr).await?;
    let Some(codes) = codes else {
        return Ok(onward);
    };
    // The codes page, carrying the new session's cookie, links where the redirect went.
    let next = onward
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("/account")
        .to_owned();
    let mut page = codes_page(&state, &headers, &codes, &next);
    for cookie in onward.headers().get_all(header::SET_COOKIE) {
        page.headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    Ok(page)
}
