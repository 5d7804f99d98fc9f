//! What the tests share: `TestApp`, a real server on a loopback port over a fresh database;
//! `Admin`, a management-API client (`admin`); the people and applications most tests start
//! from (`set_up`); an authorization-request builder with overrides (`authorize`); and a
//! user's tokens through the whole code flow (`tokens`).

mod admin;
mod authorize;
mod documents;
pub mod mail;
pub mod process;
mod set_up;
mod tokens;
pub mod walk;

pub use admin::Admin;
pub use authorize::Authorize;
pub use documents::DocumentHost;
pub use set_up::{CALLBACK, Client, PASSWORD};
pub use tokens::user_tokens;

use latchkey::app::{self, AppState, Clock};
use latchkey::config::Config;
use latchkey::manage::bootstrap::Credentials;
use tempfile::TempDir;
use tokio::sync::oneshot;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// SQLite always; PostgreSQL when `LATCHKEY_TEST_POSTGRES_URL` is set.
pub fn backends() -> Vec<Backend> {
    let mut backends = vec![Backend::Sqlite];
    if std::env::var("LATCHKEY_TEST_POSTGRES_URL").is_ok() {
        backends.push(Backend::Postgres);
    }
    backends
}

/// A fresh, empty database: an SQLite file in `dir`, or a new PostgreSQL schema.
pub async fn fresh_database(backend: Backend, dir: &TempDir) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}/latchkey.db", dir.path().display()),
        Backend::Postgres => {
            let base = std::env::var("LATCHKEY_TEST_POSTGRES_URL").unwrap_or_default();
            latchkey_store::testing::fresh_postgres_schema(&base).await
        }
    }
}

pub struct TestApp {
    /// Where the server listens, e.g. `http://127.0.0.1:40123`.
    pub address: String,
    pub issuer: String,
    pub database_url: String,
    pub state: AppState,
    pub http: reqwest::Client,
    dir: Option<TempDir>,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

pub struct Options {
    pub database_url: Option<String>,
    pub public_url: Option<String>,
    pub secret_key: Option<Vec<u8>>,
    pub access_token_alg: latchkey_core::jwt::Algorithm,
    pub sign_up: bool,
    pub dir: Option<TempDir>,
    /// A clock the test moves forward itself (`app.state.clock.advance`).
    pub fixed_clock: bool,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `LATCHKEY_CIMD_ALLOW_HOSTS` and the PEM of `LATCHKEY_CIMD_CA_FILE`.
    pub cimd_allow_hosts: Vec<String>,
    pub cimd_roots_pem: Option<Vec<u8>>,
    /// Where mail goes (`support::mail`); off by default.
    pub mail: Option<latchkey::config::mail::MailConfig>,
    /// `LATCHKEY_MFA`.
    pub mfa: latchkey_core::mfa::Policy,
    /// Serve under `http://localhost:<port>` rather than `127.0.0.1` (passkeys need a name).
    pub localhost: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            database_url: None,
            public_url: None,
            secret_key: None,
            access_token_alg: latchkey_core::jwt::Algorithm::ES256,
            sign_up: true,
            dir: None,
            fixed_clock: false,
            trusted_proxies: Vec::new(),
            cimd_allow_hosts: Vec::new(),
            cimd_roots_pem: None,
            mail: None,
            mfa: latchkey_core::mfa::Policy::Optional,
            localhost: false,
        }
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, Options::default())
            .await
            .unwrap_or_else(|e| panic!("spawn: {e:#}"))
    }

    /// A server that fetches client metadata documents from `documents` (and trusts its CA).
    pub async fn spawn_with_documents(backend: Backend, documents: &DocumentHost) -> Self {
        let options = Options {
            cimd_allow_hosts: vec![documents.host.clone()],
            cimd_roots_pem: Some(documents.ca_pem.clone().into_bytes()),
            ..Options::default()
        };
        Self::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("spawn: {e:#}"))
    }

    /// A server whose clock moves only when the test advances it.
    pub async fn spawn_with_fixed_clock(backend: Backend) -> Self {
        let options = Options {
            fixed_clock: true,
            ..Options::default()
        };
        Self::spawn_with(backend, options)
            .await
            .unwrap_or_else(|e| panic!("spawn: {e:#}"))
    }

    pub async fn spawn_with(backend: Backend, options: Options) -> anyhow::Result<Self> {
        let dir = match options.dir {
            Some(dir) => dir,
            None => tempfile::tempdir()?,
        };
        let database_url = match options.database_url {
            Some(url) => url,
            None => fresh_database(backend, &dir).await,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = match options.localhost {
            true => format!("http://localhost:{}", listener.local_addr()?.port()),
            false => format!("http://{}", listener.local_addr()?),
        };
        let mut config = Config::with_database(&database_url).map_err(anyhow::Error::msg)?;
        config.listen = listener.local_addr()?;
        config.set_public_url(options.public_url.unwrap_or_else(|| address.clone()));
        config.secret_key = options.secret_key;
        config.access_token_alg = options.access_token_alg;
        config.sign_up = options.sign_up;
        config.trusted_proxies = options.trusted_proxies;
        config.cimd_allow_hosts = options.cimd_allow_hosts;
        config.cimd_roots_pem = options.cimd_roots_pem;
        config.mail = options.mail;
        config.mfa = options.mfa;
        let issuer = config.issuer();
        let clock = match options.fixed_clock {
            true => Clock::fixed(Clock::system().now_ms()),
            false => Clock::system(),
        };
        let state = app::build(config, clock).await?;
        let (tx, rx) = oneshot::channel::<()>();
        let served = state.clone();
        let server = tokio::spawn(async move {
            let _ = app::serve(listener, served, async {
                let _ = rx.await;
            })
            .await;
        });
        Ok(Self {
            address,
            issuer,
            database_url,
            state,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
            dir: Some(dir),
            shutdown: Some(tx),
            server: Some(server),
        })
    }

    /// Stop serving and close the database, keeping the folder for a restart.
    pub async fn stop(mut self) -> TempDir {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.state.db.close().await;
        self.dir.take().unwrap_or_else(|| panic!("stopped twice"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn bootstrap(&self) -> Credentials {
        latchkey::manage::bootstrap::bootstrap(
            &self.state.db,
            &self.state.config,
            self.state.clock.now_ms(),
        )
        .await
        .unwrap_or_else(|e| panic!("bootstrap: {e}"))
    }

    /// POST a form to the token endpoint, with Basic credentials when given.
    pub async fn token(
        &self,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> reqwest::Response {
        let mut request = self.http.post(self.url("/oidc/token")).form(form);
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        request
            .send()
            .await
            .unwrap_or_else(|e| panic!("token request: {e}"))
    }

    /// POST a form to `path`, with Basic credentials when given: the status and the JSON body.
    pub async fn post_form(
        &self,
        path: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
    ) -> (u16, serde_json::Value) {
        let mut request = self.http.post(self.url(path)).form(form);
        if let Some((user, secret)) = basic {
            request = request.basic_auth(user, Some(secret));
        }
        let response = request.send().await.unwrap_or_else(|e| panic!("{e}"));
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or_default())
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = self
            .http
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.unwrap_or_else(|e| panic!("{e}"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Verify an access token against the server's JWKS with an independent JWT library, and
/// return its claims. Checks signature, `typ`, `iss`, `aud` and `exp`.
pub async fn verify_access_token(app: &TestApp, token: &str, audience: &str) -> serde_json::Value {
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};

    let header = decode_header(token).unwrap_or_else(|e| panic!("header: {e}"));
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    let jwks: JwkSet =
        serde_json::from_value(app.get_json("/oidc/jwks").await).unwrap_or_else(|e| panic!("{e}"));
    let kid = header.kid.clone().unwrap_or_default();
    let jwk = jwks
        .find(&kid)
        .unwrap_or_else(|| panic!("kid {kid} not in the JWKS"));
    let key = DecodingKey::from_jwk(jwk).unwrap_or_else(|e| panic!("{e}"));
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[&app.issuer]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    decode::<serde_json::Value>(token, &key, &validation)
        .unwrap_or_else(|e| panic!("the token does not verify: {e}"))
        .claims
}
