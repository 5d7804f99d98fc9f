//! HTML responses: every page gets a fresh CSP nonce and the headers that keep it from
//! being framed, sniffed, cached or leaking its URL.

use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A random nonce for the page's own inline script, if it has one.
pub fn nonce() -> String {
    latchkey_core::random::secret()
}

/// Render `template` as an HTML response with security headers; its forms post to this
/// origin only.
pub fn render(status: StatusCode, template: &impl Template, nonce: &str) -> Response {
    render_for(status, template, nonce, None)
}

/// The same for a page whose form ends at a client's redirect URI, by posting there
/// (`form_post`) or by the redirects after it: browsers hold both to `form-action`.
pub fn render_for(
    status: StatusCode,
    template: &impl Template,
    nonce: &str,
    redirect_uri: Option<&str>,
) -> Response {
    let body = match template.render() {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, "template rendering failed");
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
        }
    };
    let client = redirect_uri.and_then(client_origin);
    let client = client
        .map(|origin| format!(" {origin}"))
        .unwrap_or_default();
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' https: data:; script-src 'nonce-{nonce}'; \
         connect-src 'self'; form-action 'self'{client}; frame-ancestors 'none'; base-uri 'none'"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(csp) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    response
}

/// Where a redirect URI goes, as the user and a CSP source see it: its origin, or its scheme
/// for a native app's own (`com.example.app:`). Registered URIs hold no space or `;`, and
/// both forms are built by the URL parser, so nothing can end a CSP directive.
/// `value` as one segment of a path: an application whose id is its metadata document's URL
/// (`https://...`) still has one page. (Ids never hold spaces, which this would make `+`.)
pub fn path_segment(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

pub fn client_origin(redirect_uri: &str) -> Option<String> {
    let url = url::Url::parse(redirect_uri).ok()?;
    match url.origin() {
        origin @ url::Origin::Tuple(..) => Some(origin.ascii_serialization()),
        url::Origin::Opaque(_) => Some(format!("{}:", url.scheme())),
    }
}

/// The error page: shown whenever an error must not, or cannot, go back to a client.
#[derive(Debug, Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub lang: &'static str,
    pub company: &'a str,
    pub logo: Option<&'a str>,
    pub text: &'static crate::i18n::Text,
    /// What happened, in words a person reads, in the page's language.
    pub message: &'a str,
    /// The technical description and code, in small print for the application's developers.
    pub detail: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The application's web origin, when the page knows it and it is safe to send the reader
    /// back there.
    pub back: Option<&'a str>,
}

/// `YYYY-MM-DD` (UTC) of a time in milliseconds.
pub fn date(ms: i64) -> String {
    // Days to civil date, after Howard Hinnant's `civil_from_days`.
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The start (UTC) of the day `YYYY-MM-DD` names, in milliseconds; the inverse of [`date`].
pub fn parse_date(value: &str) -> Option<i64> {
    let mut parts = value.trim().splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    // Howard Hinnant's `days_from_civil`.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let ms = (era * 146_097 + doe - 719_468) * 86_400_000;
    // A day that does not exist (February 30th) does not come back as itself.
    (date(ms) == value.trim()).then_some(ms)
}

/// `YYYY-MM-DD HH:MM UTC` of a time in milliseconds.
pub fn moment(ms: i64) -> String {
    let minutes = ms.rem_euclid(86_400_000) / 60_000;
    format!("{} {:02}:{:02} UTC", date(ms), minutes / 60, minutes % 60)
}

/// The first letter or digit of a name, upper case: what stands for a logo that is missing
/// or does not load.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or_else(|| "?".to_owned(), |c| c.to_uppercase().collect())
}

/// A file the pages load (style sheet, script), cached by browsers for an hour.
pub fn asset(content_type: &'static str, body: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ),
    ];
    (headers, body).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_redirect_uri_becomes_its_origin_or_scheme() {
        let origin = |uri| super::client_origin(uri).unwrap_or_default();
        assert_eq!(
            origin("https://app.example.com/cb?x=1"),
            "https://app.example.com"
        );
        assert_eq!(origin("http://127.0.0.1:5173/cb"), "http://127.0.0.1:5173");
        assert_eq!(origin("com.example.app:/callback"), "com.example.app:");
        assert_eq!(super::client_origin("not a uri"), None);
    }

    #[test]
    fn moments_are_utc_minutes() {
        assert_eq!(
            super::moment(1_795_651_200_000 + 13 * 3_600_000 + 7 * 60_000 + 59_999),
            "2026-11-26 13:07 UTC"
        );
    }

    #[test]
    fn days_are_civil_dates() {
        assert_eq!(super::date(0), "1970-01-01");
        assert_eq!(super::date(951_782_400_000), "2000-02-29");
        assert_eq!(super::date(1_795_651_200_000), "2026-11-26");
    }

    #[test]
    fn a_typed_date_is_the_start_of_that_day() {
        assert_eq!(super::parse_date("1970-01-01"), Some(0));
        assert_eq!(super::parse_date("2000-02-29"), Some(951_782_400_000));
        assert_eq!(super::parse_date(" 2026-11-26 "), Some(1_795_651_200_000));
        for bad in ["2026-02-30", "2026-13-01", "26-1-1", "yesterday", ""] {
            assert_eq!(super::parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_initial_is_the_first_letter_or_digit() {
        assert_eq!(super::initial("  partner docs"), "P");
        assert_eq!(super::initial("éclair"), "É");
        assert_eq!(super::initial("42 apps"), "4");
        assert_eq!(super::initial("—"), "?");
    }
}
