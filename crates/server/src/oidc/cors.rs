//! CORS for the endpoints browsers call directly (token, userinfo, revocation): only for
//! origins an application registered, never a wildcard, and never on `/oidc/auth`.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

fn allow(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(header::ORIGIN).cloned();
    let registered = match origin.as_ref().and_then(|o| o.to_str().ok()) {
        Some(origin) => state.db.is_registered_origin(origin).await.unwrap_or(false),
        None => false,
    };
    let preflight = request.method() == Method::OPTIONS;
    match (origin, registered, preflight) {
        (Some(origin), true, true) => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            let headers = response.headers_mut();
            allow(headers, &origin);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST"),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("Authorization, Content-Type"),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
            response
        }
        (_, _, true) => StatusCode::FORBIDDEN.into_response(),
        (Some(origin), true, false) => {
            let mut response = next.run(request).await;
            allow(response.headers_mut(), &origin);
            response
        }
        _ => next.run(request).await,
    }
}
