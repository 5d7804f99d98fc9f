//! Form posts from another site are refused before any handler runs (403), in addition to
//! each form's CSRF token: a browser says where a request comes from in `Sec-Fetch-Site`
//! (an older one only in `Origin`), which must name this server's public origin. A request
//! with neither comes from no browser and is left to the CSRF token.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::html::{self, ErrorPage};
use crate::i18n::Locale;

/// Refuse a state-changing request that a browser sent from another origin.
pub async fn refuse(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || !is_cross_site(state.config.public_origin(), request.headers()) {
        return next.run(request).await;
    }
    let headers = request.headers();
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let text = Locale::negotiate(None, accept).text();
    let page = ErrorPage {
        lang: Locale::negotiate(None, accept).tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text,
        message: text.cross_site,
        detail: None,
        code: None,
        back: None,
    };
    html::render(StatusCode::FORBIDDEN, &page, &html::nonce())
}

/// Whether a browser says the request comes from anywhere but `ours` (an origin).
/// `Sec-Fetch-Site` first: under `Referrer-Policy: no-referrer`, which every page here
/// sets, a browser sends `Origin: null` even for a form posted by the page's own origin.
pub fn is_cross_site(ours: &str, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match headers.get(header::ORIGIN) {
        Some(origin) => origin.as_bytes() != ours.as_bytes(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, value.parse().unwrap_or_else(|e| panic!("{e}")));
        }
        map
    }

    #[test]
    fn only_this_origin_or_no_browser_may_post() {
        let ours = "https://id.example.com";
        let cross = |pairs| is_cross_site(ours, &headers(pairs));
        assert!(!cross(&[("origin", "https://id.example.com")]));
        assert!(!cross(&[]), "no browser: the CSRF token decides");
        assert!(!cross(&[("sec-fetch-site", "same-origin")]));
        assert!(!cross(&[("sec-fetch-site", "none")]), "typed by the user");
        assert!(cross(&[("origin", "https://evil.example")]));
        assert!(
            cross(&[("origin", "null")]),
            "an older browser hiding where it posts from"
        );
        assert!(cross(&[("origin", "https://id.example.com.evil.example")]));
        assert!(
            cross(&[("origin", "http://id.example.com")]),
            "another scheme"
        );
        assert!(
            cross(&[("sec-fetch-site", "same-site")]),
            "a sibling subdomain"
        );
        assert!(cross(&[("sec-fetch-site", "cross-site")]));
        assert!(
            !cross(&[("origin", "null"), ("sec-fetch-site", "same-origin")]),
            "a same-origin post under Referrer-Policy: no-referrer"
        );
        assert!(cross(&[("origin", ours), ("sec-fetch-site", "cross-site")]));
    }
}
