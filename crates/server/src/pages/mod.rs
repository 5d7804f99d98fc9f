//! Hosted pages: sign-in (and, later, sign-up, consent, logout). A page records the user's
//! answer in the store and sends the browser back to the protocol's resume URL; it never
//! issues codes or tokens itself.

mod sign_in;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/sign-in/{interaction}",
            get(sign_in::show).post(sign_in::submit),
        )
        .route("/assets/latchkey.css", get(stylesheet))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        include_str!("../../assets/latchkey.css"),
    )
}
