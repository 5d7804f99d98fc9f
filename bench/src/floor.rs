//! What this machine allows any Rust HTTP server under the same load: a bare axum server (one
//! handler, no middleware, no logging, as many worker threads as cores) answering either with
//! Latchkey's own JWKS bytes, or with a token signed with ES256 (P-256, aws-lc-rs, as Latchkey
//! signs) per request. The distance from it to Latchkey is Latchkey's own cost; its p99 is the
//! tail the kernel and the load generator add to every answer of that cost.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use axum::body::Bytes;
use axum::http::header;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::wrk::{self, Load, Outcome, Request};

/// What the bare server answers.
pub enum Answer {
    /// The same bytes every time.
    Fixed(Bytes),
    /// A token response whose JWT is signed for each request.
    Es256Token,
}

/// Serve `answer` from a bare server and measure it with `load` sending `request` (any path
/// and method reach the one handler). Blocks: call it off the benchmark's own runtime.
pub fn bare_axum(
    load: Load,
    answer: Answer,
    request: &Request,
    dir: &Path,
) -> anyhow::Result<Outcome> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let base = format!("http://{}", listener.local_addr()?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(load.threads)
        .enable_all()
        .build()?;
    let app = match answer {
        Answer::Fixed(body) => axum::Router::new().fallback(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
        Answer::Es256Token => {
            let signer = Arc::new(Signer::new()?);
            axum::Router::new().fallback(move || {
                let signer = signer.clone();
                async move {
                    let body = signer.token_response();
                    ([(header::CONTENT_TYPE, "application/json")], body)
                }
            })
        }
    };
    runtime.spawn(async move {
        if let Ok(listener) = tokio::net::TcpListener::from_std(listener) {
            let _ = axum::serve(listener, app).await;
        }
    });
    let outcome = wrk::run(load, &base, request, dir);
    runtime.shutdown_background();
    outcome
}

/// The least an ES256 token endpoint does: sign header and claims of a token's size.
struct Signer {
    key: EcdsaKeyPair,
    rng: SystemRandom,
    signing_input: String,
}

impl Signer {
    fn new() -> anyhow::Result<Self> {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .context("P-256 key")?;
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
            .context("P-256 key")?;
        let header = r#"{"alg":"ES256","typ":"at+jwt","kid":"bench"}"#;
        let claims = r#"{"iss":"http://127.0.0.1/oidc","sub":"bench-machine-client","aud":"https://api.bench.example","client_id":"bench-machine-client","scope":"read","iat":1700000000,"exp":1700003600,"jti":"0123456789abcdefghijkl"}"#;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        Ok(Self {
            key,
            rng,
            signing_input,
        })
    }

    fn token_response(&self) -> String {
        let signature = self
            .key
            .sign(&self.rng, self.signing_input.as_bytes())
            .map(|s| URL_SAFE_NO_PAD.encode(s.as_ref()))
            .unwrap_or_default();
        format!(
            r#"{{"access_token":"{}.{signature}","token_type":"Bearer","expires_in":3600,"scope":"read"}}"#,
            self.signing_input
        )
    }
}
