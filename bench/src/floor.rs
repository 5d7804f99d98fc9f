//! What this machine allows any Rust HTTP server under the same load: a bare axum server (one
//! route, no middleware, no logging, as many worker threads as cores) answering with
//! Latchkey's own JWKS bytes. The distance from it to Latchkey's JWKS is Latchkey's own cost;
//! its p99 is the tail the kernel and the load generator add to every answer.

use std::path::Path;

use axum::body::Bytes;
use axum::http::header;

use crate::wrk::{self, Body, Load, Outcome, Request};

/// Serve `body` from a bare server and measure it with `load`. Blocks: call it off the
/// benchmark's own runtime.
pub fn bare_axum(load: Load, body: Bytes, dir: &Path) -> anyhow::Result<Outcome> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base = format!("http://{}", listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(load.threads)
        .enable_all()
        .build()?;
    let document = move || {
        let body = body.clone();
        async move { ([(header::CONTENT_TYPE, "application/json")], body) }
    };
    let app = axum::Router::new().route("/jwks", axum::routing::get(document));
    runtime.spawn(async move {
        if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
            let _ = axum::serve(listener, app).await;
        }
    });
    let request = Request {
        method: "GET",
        path: "/jwks".into(),
        headers: Vec::new(),
        body: Body::None,
    };
    let outcome = wrk::run(load, &base, &request, dir);
    runtime.shutdown_background();
    outcome
}
