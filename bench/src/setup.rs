//! What each server needs before the load: the same clients (a web app that signs users in,
//! its twin whose ID tokens are ES256 rather than RS256, a machine), the same resource and
//! scope, and a user. Latchkey gets them through its real CLI and management API; the peer
//! has them in its configuration (`peer/peer.mjs`).

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// The resource both servers issue JWT access tokens for (the peer also names a second one
/// that it signs with RS256; Latchkey's algorithm is a server setting).
pub const RESOURCE: &str = "https://api.bench.example";
pub const PEER_RESOURCE_RS256: &str = "https://rs256.bench.example";
pub const SCOPE: &str = "read";
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
pub const USERNAME: &str = "bench";
pub const PASSWORD: &str = "correct horse battery staple";

/// A client's id and secret.
#[derive(Debug, Clone)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

impl Client {
    pub fn basic(&self) -> String {
        use base64::Engine;
        let pair = format!("{}:{}", self.id, self.secret);
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(pair)
        )
    }
}

/// One server as the benchmark sees it.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: &'static str,
    /// Where the OIDC endpoints live: `<public-url>/oidc` for Latchkey, the root for the peer.
    pub issuer: String,
    pub web: Client,
    /// A web client like `web` whose ID tokens are signed with ES256.
    pub web_es256: Client,
    pub machine: Client,
    /// Resource for a client-credentials token signed with ES256 and with RS256.
    pub resource_es256: String,
    pub resource_rs256: String,
    pub introspection_path: String,
    pub userinfo_path: String,
    pub jwks_path: String,
    /// A management API token (Latchkey).
    pub management_token: Option<String>,
    /// Sign in as one of this many seeded users, at random, rather than as [`USERNAME`]
    /// (`--scale`; the seeded users share [`PASSWORD`]), and when they were seeded.
    pub population: Option<(u64, i64)>,
}

impl Target {
    pub fn peer(base: &str) -> Self {
        Self {
            name: "oidc-provider",
            issuer: base.to_owned(),
            web: Client {
                id: "bench-web".into(),
                secret: "bench-web-secret-0123456789abcdef0123456789".into(),
            },
            web_es256: Client {
                id: "bench-web-es256".into(),
                secret: "bench-web-es256-secret-0123456789abcdef01234".into(),
            },
            machine: Client {
                id: "bench-machine".into(),
                secret: "bench-machine-secret-0123456789abcdef01234567".into(),
            },
            resource_es256: RESOURCE.into(),
            resource_rs256: PEER_RESOURCE_RS256.into(),
            introspection_path: "/token/introspection".into(),
            userinfo_path: "/me".into(),
            jwks_path: "/jwks".into(),
            management_token: None,
            population: None,
        }
    }

    /// Who the next sign-in is: the benchmark's user, or a seeded user picked at random.
    pub fn login(&self) -> String {
        match self.population {
            Some((users, _)) => latchkey_store::bulk::username(random_below(users)),
            None => USERNAME.to_owned(),
        }
    }

    /// The same server, its web client the one whose ID tokens are ES256.
    pub fn with_es256_id_tokens(&self) -> Self {
        Self {
            web: self.web_es256.clone(),
            ..self.clone()
        }
    }

    /// Path of an endpoint relative to the server's root.
    pub fn path(&self, base: &str, endpoint: &str) -> String {
        format!("{}{endpoint}", self.issuer.trim_start_matches(base))
    }
}

/// Set Latchkey up as an administrator would: bootstrap credentials from the CLI, then the
/// management API for the resource, the machine's role, both applications and the user.
pub async fn latchkey(base: &str, bootstrap: &Value) -> anyhow::Result<Target> {
    let http = reqwest::Client::new();
    let field = |name: &str| bootstrap[name].as_str().unwrap_or_default().to_owned();
    let token: Value = http
        .post(format!("{base}/oidc/token"))
        .basic_auth(field("clientId"), Some(field("clientSecret")))
        .form(&[
            ("grant_type", "client_credentials"),
            ("resource", &field("resource")),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("no management token")?
        .to_owned();
    let api = Api { http, base, token };

    let resource = api
        .post(
            "/api/resources",
            json!({"name": "Bench API", "indicator": RESOURCE}),
        )
        .await?;
    let scope = api
        .post(
            &format!("/api/resources/{}/scopes", id(&resource)),
            json!({"name": SCOPE}),
        )
        .await?;
    let role = api
        .post(
            "/api/roles",
            json!({"name": "Bench reader", "type": "MachineToMachine"}),
        )
        .await?;
    api.post(
        &format!("/api/roles/{}/scopes", id(&role)),
        json!({"scopeIds": [id(&scope)]}),
    )
    .await?;
    let machine = api
        .post(
            "/api/applications",
            json!({"name": "Bench machine", "type": "MachineToMachine"}),
        )
        .await?;
    api.post(
        &format!("/api/applications/{}/roles", id(&machine)),
        json!({"roleIds": [id(&role)]}),
    )
    .await?;
    let web = api
        .post(
            "/api/applications",
            json!({"name": "Bench web", "type": "Traditional",
                   "oidcClientMetadata": {"redirectUris": [REDIRECT_URI]}}),
        )
        .await?;
    let web_es256 = api
        .post(
            "/api/applications",
            json!({"name": "Bench web (ES256 ID tokens)", "type": "Traditional",
                   "oidcClientMetadata": {"redirectUris": [REDIRECT_URI],
                                          "idTokenSignedResponseAlg": "ES256"}}),
        )
        .await?;
    api.post(
        "/api/users",
        json!({"username": USERNAME, "password": PASSWORD, "name": "Bench User"}),
    )
    .await?;
    let client = |app: &Value| Client {
        id: id(app),
        secret: app["secret"].as_str().unwrap_or_default().to_owned(),
    };
    Ok(Target {
        name: "Latchkey",
        issuer: format!("{base}/oidc"),
        web: client(&web),
        web_es256: client(&web_es256),
        machine: client(&machine),
        resource_es256: RESOURCE.into(),
        resource_rs256: RESOURCE.into(),
        introspection_path: "/token/introspection".into(),
        userinfo_path: "/me".into(),
        jwks_path: "/jwks".into(),
        management_token: Some(api.token.clone()),
        population: None,
    })
}

/// The next seeded user (below `users`) no earlier call named: from a random start, in
/// turn, so that no refresh token is presented twice (a replay would end its grant).
pub fn next_seeded(users: u64) -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(u64::MAX);
    let _ = NEXT.compare_exchange(
        u64::MAX,
        random_below(users),
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    NEXT.fetch_add(1, Ordering::Relaxed) % users.max(1)
}

/// A number below `bound`, uniformly enough for picking seeded rows.
pub fn random_below(bound: u64) -> u64 {
    let mut bytes = [0_u8; 8];
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    u64::from_le_bytes(bytes) % bound.max(1)
}

fn id(value: &Value) -> String {
    value["id"].as_str().unwrap_or_default().to_owned()
}

struct Api<'a> {
    http: reqwest::Client,
    base: &'a str,
    token: String,
}

impl Api<'_> {
    async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = response.status();
        let text = response.text().await?;
        if !status.is_success() {
            bail!("POST {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}
