//! What every request goes through, in one hand-written layer:
//! - an id, in the `X-Request-Id` response header and on every log line written while it
//!   runs, so that a report from a user finds its log lines; and the request's metrics;
//! - an over-long query string refused before any handler parses it (414);
//! - a change made through the management API or the console seen at once by this node's
//!   token endpoint (other nodes see it at their next poll of the cache generation);
//! - the headers every response carries, unless the handler set its own.
//!
//! Written as a `tower` service rather than with `axum::middleware::from_fn`, which clones
//! the inner service and the state and boxes twice per request: a quarter of the throughput
//! of serving JWKS.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

/// Longest query string: an authorization request with a long `state` and an ID-token hint
/// fits easily.
const QUERY_LIMIT: usize = 16 * 1024;

/// Puts every route's service inside [`Around`].
#[derive(Debug, Clone)]
pub struct AroundLayer(pub AppState);

impl<S> tower::Layer<S> for AroundLayer {
    type Service = Around<S>;

    fn layer(&self, inner: S) -> Around<S> {
        Around {
            inner,
            state: self.0.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Around<S> {
    inner: S,
    state: AppState,
}

impl<S> Around<S> {
    pub fn outer(inner: S, state: AppState) -> Self {
        Self { inner, state }
    }
}

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> tower::Service<Request> for Around<S>
where
    S: tower::Service<Request, Error = Infallible>,
    S::Response: IntoResponse,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Answer {
        let started = Instant::now();
        let id = request_id();
        // The route pattern, not the path: paths hold ids and would make a label per request.
        let route = request.extensions().get::<MatchedPath>().cloned();
        let path = request.uri().path();
        let changes = !matches!(*request.method(), Method::GET | Method::HEAD)
            && (path.starts_with("/api/") || path.starts_with("/console"));
        let log = crate::logs::Request {
            id: id.clone(),
            method: request.method().clone(),
            uri: request.uri().clone(),
        };
        let too_long = request.uri().query().is_some_and(|q| q.len() > QUERY_LIMIT);
        // The inner service is called here, not in the future: it is ready (`poll_ready`), and
        // so needs no copy of itself to move into the future.
        let inner = (!too_long).then(|| self.inner.call(request));
        let state = self.state.clone();
        Box::pin(crate::logs::within(log, async move {
            let mut response = match inner {
                Some(inner) => match inner.await {
                    Ok(response) => response.into_response(),
                    Err(never) => match never {},
                },
                None => (StatusCode::URI_TOO_LONG, "the query string is too long").into_response(),
            };
            let status = response.status();
            if changes && (status.is_success() || status.is_redirection()) {
                state.cache.invalidate();
            }
            let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
            let route = route.as_ref().map_or("unmatched", |r| r.as_str());
            state.metrics.request(route, status.as_u16(), micros);
            let ms = micros / 1000;
            tracing::debug!(status = status.as_u16(), ms, "request done");
            defaults(&state, &id, &mut response);
            Ok(response)
        }))
    }
}

/// The request id and the headers every response carries unless its handler set them.
fn defaults(state: &AppState, id: &str, response: &mut Response) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(id) {
        headers.insert("x-request-id", value);
    }
    let defaults = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    // HSTS only where it means something: an https public URL (RFC 6797 ignores it on http).
    if state.config.public_url().starts_with("https://") {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static("max-age=31536000"));
    }
}

/// A request id unique across nodes and restarts: a random prefix drawn once per thread, and
/// the thread's own counter. Drawing 21 random characters per request was 1% of the CPU of
/// serving JWKS, and one counter for all threads a cache line both cores would fight over.
fn request_id() -> String {
    thread_local! {
        static PREFIX: String = latchkey_core::random::id();
        static NEXT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let n = NEXT.replace(NEXT.get().wrapping_add(1));
    PREFIX.with(|prefix| format!("{}-{n:x}", &prefix[..12]))
}
