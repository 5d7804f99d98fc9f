//! Several nodes on one PostgreSQL behave as one: real `latchkey` processes on loopback ports
//! over the same database, as behind a load balancer without sticky sessions. Runs when
//! `LATCHKEY_TEST_POSTGRES_URL` is set (CI sets it).

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::oidc::authorization_code::{browser, hidden};
use crate::support::process::{Process, free_port, latchkey, serve};

const CALLBACK: &str = "https://app.example.com/callback";

pub(super) struct Node {
    _process: Process,
    pub base: String,
}

pub(super) fn command(dir: &Path, database: &str, public_url: &str, port: u16) -> Command {
    let mut command = latchkey(dir, port, &[]);
    command
        .env("LATCHKEY_DATABASE_URL", database)
        .env("LATCHKEY_PUBLIC_URL", public_url);
    command
}

async fn start(dir: &Path, database: &str, public_url: &str) -> Node {
    start_with(dir, (database, public_url), &[]).await
}

/// A node with `env` set besides the database and public URL.
pub(super) async fn start_with(
    dir: &Path,
    (database, public_url): (&str, &str),
    env: &[(&str, &str)],
) -> Node {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut command = command(dir, database, public_url, port);
    command.envs(env.iter().copied());
    let process = serve(command, &base).await;
    Node {
        _process: process,
        base,
    }
}

async fn form(
    http: &reqwest::Client,
    url: String,
    form: &[(&str, &str)],
    basic: (&str, &str),
) -> (u16, Value) {
    let response = http
        .post(url)
        .basic_auth(basic.0, Some(basic.1))
        .form(form)
        .send()
        .await;
    let response = response.unwrap_or_else(|e| panic!("{e}"));
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// The bootstrap application's credentials (id, secret, management resource) and a
/// management API token for them, from `node`.
pub(super) async fn admin_token(
    http: &reqwest::Client,
    dir: &Path,
    (database, public_url): (&str, &str),
    node: &Node,
) -> (String, [String; 3]) {
    let creds = command(dir, database, public_url, free_port())
        .args(["bootstrap", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let creds: Value = serde_json::from_slice(&creds.stdout).unwrap_or_default();
    let text = |name: &str| creds[name].as_str().unwrap_or_default().to_owned();
    let (id, secret, resource) = (text("clientId"), text("clientSecret"), text("resource"));
    let grant = [
        ("grant_type", "client_credentials"),
        ("resource", resource.as_str()),
        ("scope", "all"),
    ];
    let url = format!("{}/oidc/token", node.base);
    let (_, token) = form(http, url, &grant, (&id, &secret)).await;
    let token = token["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (token, [id, secret, resource])
}

/// `refresh` presented ten times at once, alternately on each node: every answer.
async fn race_refresh(
    http: &reqwest::Client,
    nodes: [&Node; 2],
    refresh: &str,
    (id, secret): (&str, &str),
) -> Vec<(u16, Value)> {
    let mut tasks = Vec::new();
    for i in 0..10 {
        let url = format!("{}/oidc/token", nodes[i % 2].base);
        let (http, refresh, id, secret) = (
            http.clone(),
            refresh.to_owned(),
            id.to_owned(),
            secret.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let fields = [
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
            ];
            form(&http, url, &fields, (&id, &secret)).await
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap_or_else(|e| panic!("{e}")));
    }
    answers
}

/// The key ids a node publishes in its JWKS.
async fn published_kids(http: &reqwest::Client, node: &Node) -> Vec<String> {
    let jwks: Value = http
        .get(format!("{}/oidc/jwks", node.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    jwks["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect()
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"]
        .to_str()
        .unwrap_or_default()
        .to_owned()
}

fn code_of(location: &str) -> String {
    let url = url::Url::parse(location).unwrap_or_else(|e| panic!("{e}: {location}"));
    url.query_pairs()
        .find(|(n, _)| n == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn two_nodes_on_one_postgres_behave_as_one() {
    let Ok(base) = std::env::var("LATCHKEY_TEST_POSTGRES_URL") else {
        return;
    };
    let database = latchkey_store::testing::fresh_postgres_schema(&base).await;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let public_port = free_port();
    let public_url = format!("http://127.0.0.1:{public_port}");
    let a = start(dir.path(), &database, &public_url).await;
    let b = start(dir.path(), &database, &public_url).await;
    let http = reqwest::Client::new();

    // Administration through node A, then B.
    let (token, [cid, csecret, resource]) =
        admin_token(&http, dir.path(), (&database, &public_url), &a).await;
    let api = |node: &Node, path: &str| format!("{}{path}", node.base);
    let alice = json!({"username": "alice", "password": "correct horse battery"});
    let made = http
        .post(api(&a, "/api/users"))
        .bearer_auth(&token)
        .json(&alice)
        .send()
        .await;
    assert_eq!(made.map(|r| r.status().as_u16()).ok(), Some(201));
    let app = json!({"name": "Web", "type": "Traditional", "oidcClientMetadata": {"redirectUris": [CALLBACK]}});
    let made = http
        .post(api(&b, "/api/applications"))
        .bearer_auth(&token)
        .json(&app)
        .send()
        .await;
    let web: Value = made
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_default();
    let (web_id, web_secret) = (
        web["id"].as_str().unwrap_or_default().to_owned(),
        web["secret"].as_str().unwrap_or_default().to_owned(),
    );
    let auth = |node: &Node, scope: &str| {
        format!(
            "{}/oidc/auth?client_id={web_id}&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code&scope={scope}",
            node.base
        )
    };

    // A sign-in started on A finishes on B: sessions and interactions live in the database.
    let browser = browser();
    let started = browser
        .get(auth(&a, "openid"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let sign_in = location(&started);
    let page = browser
        .get(api(&b, &sign_in))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let page = page.text().await.unwrap_or_default();
    let fields = [
        ("csrf", hidden(&page, "csrf")),
        ("identifier", "alice".into()),
        ("password", "correct horse battery".into()),
    ];
    let posted = browser
        .post(api(&b, &sign_in))
        .form(&fields)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let resumed = browser
        .get(api(&b, &location(&posted)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = code_of(&location(&resumed));

    // One code raced on both nodes: exactly one redemption succeeds.
    let mut tasks = Vec::new();
    for i in 0..20 {
        let url = format!("{}/oidc/token", if i % 2 == 0 { &a.base } else { &b.base });
        let (http, code, id, secret) = (
            http.clone(),
            code.clone(),
            web_id.clone(),
            web_secret.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let fields = [
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("redirect_uri", CALLBACK),
            ];
            form(&http, url, &fields, (&id, &secret)).await.0
        }));
    }
    let mut wins = 0;
    for task in tasks {
        wins += usize::from(task.await.unwrap_or_else(|e| panic!("{e}")) == 200);
    }
    assert_eq!(wins, 1, "exactly one node redeemed the code");

    // A revocation on A is seen by the next request on B.
    let again = browser
        .get(auth(&b, "openid+offline_access"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = code_of(&location(&again));
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (_, tokens) = form(
        &http,
        format!("{}/oidc/token", a.base),
        &fields,
        (&web_id, &web_secret),
    )
    .await;
    let refresh = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (status, _) = form(
        &http,
        format!("{}/oidc/token/revocation", a.base),
        &[("token", &refresh)],
        (&web_id, &web_secret),
    )
    .await;
    assert_eq!(status, 200);
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let (_, refused) = form(
        &http,
        format!("{}/oidc/token", b.base),
        &fields,
        (&web_id, &web_secret),
    )
    .await;
    assert_eq!(refused["error"], "invalid_grant");

    // One rotating refresh token raced on both nodes: one rotation wins; a request that
    // raced it (it found the token live) gets an access token and no refresh token, one that
    // came after is a replay. Presented again now, it revokes the family, so even the
    // winner's new token stops working.
    let rotate = json!({"customClientMetadata": {"rotateRefreshToken": true}});
    let patched = http
        .patch(api(&a, &format!("/api/applications/{web_id}")))
        .bearer_auth(&token)
        .json(&rotate)
        .send()
        .await;
    assert_eq!(patched.map(|r| r.status().as_u16()).ok(), Some(200));
    let fresh = browser
        .get(auth(&a, "openid+offline_access"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = code_of(&location(&fresh));
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let (_, tokens) = form(
        &http,
        format!("{}/oidc/token", b.base),
        &fields,
        (&web_id, &web_secret),
    )
    .await;
    let refresh = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let client = (web_id.as_str(), web_secret.as_str());
    let mut winners = Vec::new();
    for (status, body) in race_refresh(&http, [&a, &b], &refresh, client).await {
        if let Some(rotated) = body["refresh_token"].as_str() {
            winners.push(rotated.to_owned());
        }
        assert!(status == 200 || body["error"] == "invalid_grant", "{body}");
    }
    assert_eq!(winners.len(), 1, "exactly one rotation across both nodes");
    let again = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
    ];
    let (_, replayed) = form(&http, format!("{}/oidc/token", b.base), &again, client).await;
    assert_eq!(replayed["error"], "invalid_grant");
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", winners[0].as_str()),
    ];
    let (_, after) = form(
        &http,
        format!("{}/oidc/token", a.base),
        &fields,
        (&web_id, &web_secret),
    )
    .await;
    assert_eq!(
        after["error"], "invalid_grant",
        "the replays revoked the family"
    );

    // With a reuse grace, the same race is a retry: every node answers the one rotation's
    // tokens, and the family lives on.
    let grace = json!({"customClientMetadata": {"refreshTokenReuseGraceSeconds": 30}});
    let patched = http
        .patch(api(&a, &format!("/api/applications/{web_id}")))
        .bearer_auth(&token)
        .json(&grace)
        .send()
        .await;
    assert_eq!(patched.map(|r| r.status().as_u16()).ok(), Some(200));
    // Each node sees the change at its next poll of the cache generation.
    tokio::time::sleep(latchkey::cache::POLL_INTERVAL * 2).await;
    let fresh = browser
        .get(auth(&a, "openid+offline_access"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let code = code_of(&location(&fresh));
    let fields = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CALLBACK),
    ];
    let url = format!("{}/oidc/token", b.base);
    let (_, tokens) = form(&http, url, &fields, (&web_id, &web_secret)).await;
    let refresh = tokens["refresh_token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let client = (web_id.as_str(), web_secret.as_str());
    let mut answers = Vec::new();
    for (status, body) in race_refresh(&http, [&a, &b], &refresh, client).await {
        assert_eq!(status, 200, "{body}");
        answers.push((body["refresh_token"].clone(), body["access_token"].clone()));
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "one answer on both nodes: {answers:?}");
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", answers[0].0.as_str().unwrap_or_default()),
    ];
    let url = format!("{}/oidc/token", a.base);
    let (status, after) = form(&http, url, &fields, (&web_id, &web_secret)).await;
    assert_eq!(status, 200, "the family lives on: {after}");

    // A redirect-URI change on A applies on B at once (nothing cached).
    let patch = json!({"oidcClientMetadata": {"redirectUris": ["https://app.example.com/new"]}});
    let changed = http
        .patch(api(&a, &format!("/api/applications/{web_id}")))
        .bearer_auth(&token)
        .json(&patch)
        .send()
        .await;
    assert_eq!(changed.map(|r| r.status().as_u16()).ok(), Some(200));
    let old = browser
        .get(auth(&b, "openid"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.status(), 400, "the old redirect URI is refused on B");

    // A key rotation made through A is published by B within its refresh interval, as the
    // next key before it ever signs.
    let before = published_kids(&http, &b).await;
    let rotate = json!({"signingKeyAlgorithm": "EC"});
    let rotated = http
        .post(api(&a, "/api/configs/oidc/private-keys/rotate"))
        .bearer_auth(&token)
        .json(&rotate)
        .send()
        .await;
    assert_eq!(rotated.map(|r| r.status().as_u16()).ok(), Some(201));
    let mut published = false;
    for _ in 0..70 {
        let now = published_kids(&http, &b).await;
        if now.iter().any(|k| !before.contains(k)) {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        published,
        "B publishes A's new next key within its refresh interval"
    );

    // A second rotation seconds later is refused: relying parties may not have fetched the
    // new next key yet, and the previous key still verifies live tokens.
    let too_soon = http
        .post(api(&a, "/api/configs/oidc/private-keys/rotate"))
        .bearer_auth(&token)
        .json(&rotate)
        .send()
        .await;
    assert_eq!(too_soon.map(|r| r.status().as_u16()).ok(), Some(409));

    // Forced, what A signs with after it is a key B was already publishing beforehand.
    let before_rotation = published_kids(&http, &b).await;
    let rotated = http
        .post(api(&a, "/api/configs/oidc/private-keys/rotate"))
        .bearer_auth(&token)
        .json(&json!({"signingKeyAlgorithm": "EC", "force": true}))
        .send()
        .await;
    assert_eq!(rotated.map(|r| r.status().as_u16()).ok(), Some(201));
    let grant = [
        ("grant_type", "client_credentials"),
        ("resource", resource.as_str()),
        ("scope", "all"),
    ];
    let url = format!("{}/oidc/token", a.base);
    let (_, signed) = form(&http, url, &grant, (&cid, &csecret)).await;
    let jwt = signed["access_token"].as_str().unwrap_or_default();
    let kid = jsonwebtoken::decode_header(jwt)
        .unwrap_or_else(|e| panic!("{e}"))
        .kid
        .unwrap_or_default();
    assert!(
        before_rotation.contains(&kid),
        "A signs with {kid}, which B published before the rotation"
    );
}
