//! Hostile use of authorization codes and PKCE: every way to redeem a code that is not the
//! one, untouched, by its client, with its redirect URI and its verifier, fails with
//! `invalid_grant`; a code works once even under a concurrent race, and a replay ends the grant.

use serde_json::Value;

use crate::oidc::authorization_code::browser;
use crate::support::walk::{param, sign_in_if_asked, walk};
use crate::support::{Admin, Authorize, Backend, CALLBACK, TestApp, backends};

pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// The S256 challenge of `VERIFIER` (RFC 7636 Appendix B), as request parameters.
pub(crate) const PKCE: &str =
    "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";

struct Fixture {
    app: TestApp,
    browser: reqwest::Client,
    web: (String, String),
    spa: String,
}

async fn fixture(backend: Backend) -> Fixture {
    let app = TestApp::spawn_with_fixed_clock(backend).await;
    let admin = Admin::new(&app).await;
    admin.alice().await;
    let web = admin.client("Web", "Traditional").await;
    let spa = admin.client("SPA", "SPA").await;
    let fixture = Fixture {
        browser: browser(),
        web: (web.id, web.secret),
        spa: spa.id,
        app,
    };
    // One sign-in: later authorizations in this browser answer with a code at once.
    let url = authorize(&fixture, &fixture.spa, PKCE);
    let first = walk(&fixture.app, &fixture.browser, &url).await;
    sign_in_if_asked(&fixture.app, &fixture.browser, first)
        .await
        .client();
    fixture
}

fn authorize(f: &Fixture, client_id: &str, extra: &str) -> String {
    Authorize::new(client_id).query(extra).url(&f.app)
}

/// The authorization response's parameters for a request from the signed-in browser.
async fn respond(f: &Fixture, client_id: &str, extra: &str) -> url::Url {
    walk(&f.app, &f.browser, &authorize(f, client_id, extra))
        .await
        .client()
}

async fn code(f: &Fixture, client_id: &str, extra: &str) -> String {
    let back = respond(f, client_id, extra).await;
    param(&back, "code").unwrap_or_else(|| panic!("no code in {back}"))
}

async fn redeem(f: &Fixture, form: &[(&str, &str)], secret: Option<(&str, &str)>) -> (u16, Value) {
    let response = f.app.token(form, secret).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or_default())
}

/// An `authorization_code` token request for `code`, with `rest` after it.
fn code_form<'a>(code: &'a str, rest: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let head = [("grant_type", "authorization_code"), ("code", code)];
    head.into_iter().chain(rest.iter().copied()).collect()
}

fn invalid_grant((status, body): (u16, Value), why: &str) {
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "{why}: {body}"
    );
}

/// A public client's token request for `code` with `verifier`, if any.
fn spa_form<'a>(
    f: &'a Fixture,
    code: &'a str,
    verifier: Option<&'a str>,
) -> Vec<(&'a str, &'a str)> {
    let mut rest = vec![("redirect_uri", CALLBACK), ("client_id", f.spa.as_str())];
    rest.extend(verifier.map(|v| ("code_verifier", v)));
    code_form(code, &rest)
}

fn web_auth(f: &Fixture) -> Option<(&str, &str)> {
    Some((f.web.0.as_str(), f.web.1.as_str()))
}

/// RFC 7636 §4.4.1: a public client's code without its code_verifier is invalid_grant.
#[tokio::test]
async fn a_public_client_code_without_its_verifier_is_refused() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.spa, PKCE).await;
        invalid_grant(
            redeem(&f, &spa_form(&f, &c, None), None).await,
            "missing verifier",
        );
    }
}

/// A wrong verifier is invalid_grant, and the refused attempt spent the code: the right
/// verifier comes too late.
#[tokio::test]
async fn a_wrong_verifier_is_refused_and_spends_the_code() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.spa, PKCE).await;
        let wrong = "A".repeat(43);
        let form = spa_form(&f, &c, Some(&wrong));
        invalid_grant(redeem(&f, &form, None).await, "wrong verifier");
        let form = spa_form(&f, &c, Some(VERIFIER));
        invalid_grant(
            redeem(&f, &form, None).await,
            "right verifier after a wrong one",
        );
    }
}

/// A verifier sent for a code issued without a challenge is a downgrade.
#[tokio::test]
async fn a_verifier_for_a_code_without_a_challenge_is_refused() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.web.0, "").await;
        let form = code_form(
            &c,
            &[("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)],
        );
        invalid_grant(
            redeem(&f, &form, web_auth(&f)).await,
            "verifier without challenge",
        );
    }
}

/// RFC 7636 §4.1: a verifier shorter than 43 characters is malformed.
#[tokio::test]
async fn a_verifier_shorter_than_43_characters_is_malformed() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.spa, PKCE).await;
        let (status, _) = redeem(&f, &spa_form(&f, &c, Some(&VERIFIER[..42])), None).await;
        assert_eq!(status, 400, "short verifier");
    }
}

/// RFC 6749 §4.1.3: another client cannot redeem the code.
#[tokio::test]
async fn another_client_cannot_redeem_the_code() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.web.0, "").await;
        invalid_grant(
            redeem(&f, &spa_form(&f, &c, Some(VERIFIER)), None).await,
            "another client",
        );
    }
}

/// RFC 6749 §4.1.3: the redirect_uri must be the authorization request's, and cannot be
/// left out when the request had one.
#[tokio::test]
async fn the_redirect_uri_must_be_the_requests_own() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.web.0, "").await;
        let form = code_form(&c, &[("redirect_uri", "https://app.example.com/other")]);
        invalid_grant(redeem(&f, &form, web_auth(&f)).await, "other redirect_uri");
        let c = code(&f, &f.web.0, "").await;
        invalid_grant(
            redeem(&f, &code_form(&c, &[]), web_auth(&f)).await,
            "missing redirect_uri",
        );
    }
}

/// Codes live at most 60 seconds.
#[tokio::test]
async fn a_code_expires_after_a_minute() {
    for backend in backends() {
        let f = fixture(backend).await;
        let c = code(&f, &f.web.0, "").await;
        f.app.state.clock.advance(61_000);
        let form = code_form(&c, &[("redirect_uri", CALLBACK)]);
        invalid_grant(redeem(&f, &form, web_auth(&f)).await, "expired code");
    }
}

/// A made-up code is invalid_grant, not an error of another kind.
#[tokio::test]
async fn a_made_up_code_is_invalid_grant() {
    for backend in backends() {
        let f = fixture(backend).await;
        let form = code_form("made-up", &[("redirect_uri", CALLBACK)]);
        invalid_grant(redeem(&f, &form, web_auth(&f)).await, "unknown code");
    }
}

/// Only S256; `plain` is refused at the authorization endpoint.
#[tokio::test]
async fn the_plain_method_is_refused() {
    for backend in backends() {
        let f = fixture(backend).await;
        let plain = format!("&code_challenge={VERIFIER}&code_challenge_method=plain");
        let back = respond(&f, &f.spa, &plain).await;
        assert_eq!(param(&back, "error").as_deref(), Some("invalid_request"));
    }
}

/// A public client must send a challenge at all; the error goes back with state and iss,
/// the redirect URI being validated (RFC 9207).
#[tokio::test]
async fn a_public_client_must_send_a_challenge() {
    for backend in backends() {
        let f = fixture(backend).await;
        let none = respond(&f, &f.spa, "").await;
        assert_eq!(param(&none, "error").as_deref(), Some("invalid_request"));
        assert_eq!(param(&none, "state").as_deref(), Some("st"));
        assert!(param(&none, "iss").is_some());
    }
}

#[tokio::test]
async fn a_code_raced_by_fifty_requests_works_once_and_its_replay_ends_the_grant() {
    for backend in backends() {
        let f = fixture(backend).await;
        let (web, secret) = (f.web.0.clone(), f.web.1.clone());
        let c = code(&f, &web, "").await;
        // A code is consumed by one atomic conditional update, whatever the race.
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let http = f.app.http.clone();
            let url = f.app.url("/oidc/token");
            let (web, secret, c) = (web.clone(), secret.clone(), c.clone());
            tasks.push(tokio::spawn(async move {
                let form = [
                    ("grant_type", "authorization_code"),
                    ("code", c.as_str()),
                    ("redirect_uri", CALLBACK),
                ];
                let response = http
                    .post(url)
                    .basic_auth(web, Some(secret))
                    .form(&form)
                    .send()
                    .await;
                let response = response.unwrap_or_else(|e| panic!("{e}"));
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap_or_default())
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            let (status, body) = task.await.unwrap_or_else(|e| panic!("{e}"));
            match status {
                200 => winners.push(body),
                _ => assert_eq!(body["error"], "invalid_grant", "{body}"),
            }
        }
        assert_eq!(winners.len(), 1, "exactly one redemption succeeds");
        // The losers were replays: the grant is revoked, so the winner's token stops working.
        let token = winners[0]["access_token"].as_str().unwrap_or_default();
        let info = f
            .app
            .http
            .get(f.app.url("/oidc/me"))
            .bearer_auth(token)
            .send()
            .await;
        assert_eq!(info.map(|r| r.status().as_u16()).ok(), Some(401));
    }
}

#[tokio::test]
async fn a_used_code_and_an_unknown_code_get_the_same_answer() {
    for backend in backends() {
        let f = fixture(backend).await;
        let web_auth = Some((f.web.0.as_str(), f.web.1.as_str()));
        let c = code(&f, &f.web.0, "").await;
        let form = code_form(&c, &[("redirect_uri", CALLBACK)]);
        assert_eq!(redeem(&f, &form, web_auth).await.0, 200);
        // A code's past cannot be probed: the replay reads as a code never issued.
        let used = redeem(&f, &form, web_auth).await;
        let unknown = code_form("made-up", &[("redirect_uri", CALLBACK)]);
        let unknown = redeem(&f, &unknown, web_auth).await;
        invalid_grant(used.clone(), "used code");
        assert_eq!(used, unknown);
    }
}

#[tokio::test]
async fn a_repeated_pkce_challenge_is_written_to_the_audit_log() {
    for backend in backends() {
        let f = fixture(backend).await;
        let admin = Admin::new(&f.app).await;
        let path = format!(
            "/api/audit-logs?action=authorization.pkce_challenge_repeated&targetId={}",
            f.spa
        );
        // A fresh challenge is not a warning; the fixture's challenge sent again is.
        let fresh = "Fb-mE9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSst";
        code(
            &f,
            &f.spa,
            &format!("&code_challenge={fresh}&code_challenge_method=S256"),
        )
        .await;
        code(&f, &f.spa, PKCE).await;
        let mut entries = Value::Null;
        // Written by the batched audit writer: wait for it.
        for _ in 0..50 {
            entries = admin.get(&path).await.1;
            if entries.as_array().is_some_and(|a| !a.is_empty()) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let entries = entries.as_array().cloned().unwrap_or_default();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["actorId"], f.spa.as_str());
        assert!(entries[0]["details"]["previousGrantId"].is_string());
    }
}
