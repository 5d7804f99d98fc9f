//! CORS for the endpoints browsers call directly (token, userinfo, revocation): only for an
//! origin registered by the application the request turned out to be for (the handler names
//! it with [`answered`]), never a wildcard, and never on `/oidc/auth`. A preflight carries no
//! client, so it is answered for any registered origin; the request itself is not readable
//! by another application's page.
//!
//! A hand-written `tower` layer rather than `axum::middleware::from_fn`: most requests to
//! these endpoints come from servers, without an `Origin`, and go straight to the handler
//! with no copy of the state or the route and no boxed future of the layer's own.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;

use crate::app::AppState;
use crate::cache::ClientEntry;

/// The application a response answers, for a request that came with an `Origin`.
#[derive(Debug, Clone)]
struct Answered(Arc<ClientEntry>);

/// Name the application `response` answers, so that its registered origins may read it.
/// Only for a request with an `Origin`: server-to-server requests pay nothing for it.
pub fn answered(request: &HeaderMap, response: &mut Response, client: &Arc<ClientEntry>) {
    if request.contains_key(header::ORIGIN) {
        response.extensions_mut().insert(Answered(client.clone()));
    }
}

/// Puts a route's service inside [`Cors`].
#[derive(Debug, Clone)]
pub struct CorsLayer(pub AppState);

impl<S> tower::Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            state: self.0.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Cors<S> {
    inner: S,
    state: AppState,
}

type Boxed = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

impl<S> tower::Service<Request> for Cors<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Boxed>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if !request.headers().contains_key(header::ORIGIN) && request.method() != Method::OPTIONS {
            return Either::Left(self.inner.call(request));
        }
        // The ready service goes into the future; a fresh copy stays for the next request.
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        let state = self.state.clone();
        Either::Right(Box::pin(
            async move { Ok(cors(&state, request, inner).await) },
        ))
    }
}

fn allow(headers: &mut HeaderMap, origin: &HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    vary(headers);
}

/// The answer depends on the origin: caches must not hand one origin's to another.
fn vary(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

async fn cors<S>(state: &AppState, request: Request, mut next: S) -> Response
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
{
    let origin = request.headers().get(header::ORIGIN).cloned();
    if request.method() != Method::OPTIONS {
        let Ok(mut response) = next.call(request).await;
        let answered = response.extensions_mut().remove::<Answered>();
        if let Some(origin) = origin {
            let of_client = answered.is_some_and(|Answered(client)| {
                let origins = &client.application.cors_allowed_origins;
                origins.iter().any(|o| o.as_bytes() == origin.as_bytes())
            });
            match of_client {
                true => allow(response.headers_mut(), &origin),
                false => vary(response.headers_mut()),
            }
        }
        return response;
    }
    let registered = match origin.as_ref().and_then(|o| o.to_str().ok()) {
        // A database that cannot answer is a failure of ours (503), not a foreign origin.
        Some(origin) => match state.db.is_registered_origin(origin).await {
            Ok(registered) => registered,
            Err(e) => return crate::error::Error::from(e).into_response(),
        },
        None => false,
    };
    let Some(origin) = origin.filter(|_| registered) else {
        return StatusCode::FORBIDDEN.into_response();
    };
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
