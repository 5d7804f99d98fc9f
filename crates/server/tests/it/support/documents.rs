//! A host serving client ID metadata documents over TLS on 127.0.0.1, with a certificate
//! from a test CA: what an agent's site is to Latchkey. Its CA is given to Latchkey as
//! `LATCHKEY_CIMD_CA_FILE` gives it, its `localhost:<port>` allowed as
//! `LATCHKEY_CIMD_ALLOW_HOSTS` allows it; nothing else about the fetch is relaxed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What the host answers at one path.
#[derive(Debug, Clone)]
enum Answer {
    Json(String, Option<&'static str>),
    Status(StatusCode),
}

type Served = Arc<Mutex<HashMap<String, Answer>>>;

pub struct DocumentHost {
    /// `https://localhost:<port>`.
    pub base: String,
    /// `localhost:<port>`, as `LATCHKEY_CIMD_ALLOW_HOSTS` names it.
    pub host: String,
    /// The test CA's certificate (PEM), as `LATCHKEY_CIMD_CA_FILE` holds it.
    pub ca_pem: String,
    served: Served,
}

impl DocumentHost {
    pub async fn start() -> Self {
        let ca_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap_or_else(|e| panic!("{e}"));
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca.self_signed(&ca_key).unwrap_or_else(|e| panic!("{e}"));
        let issuer = Issuer::new(ca, &ca_key);
        let leaf_key = KeyPair::generate().unwrap_or_else(|e| panic!("{e}"));
        let leaf = CertificateParams::new(vec!["localhost".to_owned()])
            .and_then(|p| p.signed_by(&leaf_key, &issuer))
            .unwrap_or_else(|e| panic!("{e}"));
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let chain = vec![CertificateDer::from(leaf.der().to_vec())];
        // The provider named: reqwest's and Latchkey's crates bring two into the build.
        let provider = Arc::new(tokio_rustls::rustls::crypto::aws_lc_rs::default_provider());
        let tls = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap_or_else(|e| panic!("{e}"))
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .unwrap_or_else(|e| panic!("{e}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await;
        let listener = listener.unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let served = Served::default();
        let app = Router::new()
            .route(
                "/redirect",
                axum::routing::get(|| async { Redirect::temporary("/claude") }),
            )
            .route(
                "/slow",
                axum::routing::get(|| async {
                    tokio::time::sleep(Duration::from_secs(8)).await;
                    "{}"
                }),
            )
            .route(
                "/big",
                axum::routing::get(|| async { " ".repeat(6 * 1024) }),
            )
            .fallback(serve)
            .with_state(served.clone());
        let listener = Tls {
            tcp: listener,
            acceptor: TlsAcceptor::from(Arc::new(tls)),
        };
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            base: format!("https://localhost:{port}"),
            host: format!("localhost:{port}"),
            ca_pem: ca_cert.pem(),
            served,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Serve `document` at `path` (its `client_id` is the caller's to set), with
    /// `Cache-Control: max-age=600`.
    pub fn put(&self, path: &str, document: &serde_json::Value) {
        let answer = Answer::Json(document.to_string(), Some("max-age=600"));
        self.set(path, answer);
    }

    /// Answer `status` at `path` from now on.
    pub fn fail(&self, path: &str, status: StatusCode) {
        self.set(path, Answer::Status(status));
    }

    fn set(&self, path: &str, answer: Answer) {
        if let Ok(mut served) = self.served.lock() {
            served.insert(path.to_owned(), answer);
        }
    }
}

async fn serve(State(served): State<Served>, uri: Uri) -> Response {
    let answer = served.lock().ok().and_then(|s| s.get(uri.path()).cloned());
    match answer {
        Some(Answer::Json(body, cache)) => {
            let cache = cache.unwrap_or("no-store");
            let headers = [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, cache),
            ];
            (headers, body).into_response()
        }
        Some(Answer::Status(status)) => status.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A TCP listener whose connections are TLS: what `axum::serve` is given.
struct Tls {
    tcp: tokio::net::TcpListener,
    acceptor: TlsAcceptor,
}

impl axum::serve::Listener for Tls {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, address)) = self.tcp.accept().await else {
                continue;
            };
            // A failed handshake is a client's problem (Latchkey refusing our certificate
            // is one such test), not the host's.
            if let Ok(tls) = self.acceptor.accept(stream).await {
                return (tls, address);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}
