//! The authorization-code flow as a browser and a relying party drive it, against either
//! server: sign in once, then prepare codes and tokens through the real endpoints; and the
//! complete sign-in (authorize, password form, code, token) that the benchmark times.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use serde_json::Value;

use crate::browser::{Browser, answer, browser, http};
use crate::setup::{REDIRECT_URI, Target};

/// A code, and the PKCE verifier of the authorization that got it.
#[derive(Debug, Clone)]
pub struct Code {
    pub value: String,
    pub verifier: String,
}

/// A new PKCE verifier for each authorization, as real clients make them (RFC 7636 §4.1):
/// a server may warn about a challenge it has seen before (RFC 9700 §2.1.1).
fn verifier() -> anyhow::Result<String> {
    let mut bytes = [0_u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| anyhow::anyhow!("no randomness"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

fn challenge(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

fn authorize_url(target: &Target, verifier: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &target.web.id)
        .append_pair("response_type", "code")
        .append_pair("scope", "openid profile offline_access")
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("state", "bench")
        .append_pair("code_challenge", &challenge(verifier))
        .append_pair("code_challenge_method", "S256")
        .finish();
    format!("{}/auth?{query}", target.issuer)
}

/// One authorization (see [`code_once`]). The peer's workers copy each other's sessions and
/// interactions asynchronously, so a step that reaches another worker than the one before
/// it may find nothing there yet ("session not found"); the peer's authorization is then
/// started again, a few times at most. Latchkey's is never retried.
pub async fn code(target: &Target, browser: &Browser) -> anyhow::Result<Code> {
    let attempts = if target.name == "oidc-provider" { 5 } else { 1 };
    let mut outcome = code_once(target, browser).await;
    for _ in 1..attempts {
        if outcome.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        outcome = code_once(target, browser).await;
    }
    outcome
}

/// One authorization: follow the server's redirects, answer its sign-in and consent forms,
/// and return the code it sends back to the client.
async fn code_once(target: &Target, browser: &Browser) -> anyhow::Result<Code> {
    let origin = url::Url::parse(&target.issuer)?;
    let verifier = verifier()?;
    let mut next = authorize_url(target, &verifier);
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..12 {
        let request = match form.take() {
            Some(fields) => browser.http.post(&next).form(&fields),
            None => browser.http.get(&next),
        };
        let response = browser.send(&next, request).send().await?;
        browser.keep(&response);
        let status = response.status();
        let here = response.url().clone();
        if status.is_redirection() {
            let location = response.headers()["location"].to_str()?.to_owned();
            let url = here.join(&location)?;
            if url.as_str().starts_with(REDIRECT_URI) {
                let value = url
                    .query_pairs()
                    .find(|(name, _)| name == "code")
                    .map(|(_, code)| code.into_owned())
                    .with_context(|| format!("no code in {url}"))?;
                return Ok(Code { value, verifier });
            }
            next = url.to_string();
            continue;
        }
        let page = response.text().await?;
        if status != 200 || here.origin() != origin.origin() {
            bail!("{} answered {status} at {here}: {page:.300}", target.name);
        }
        let (action, fields) = answer(&page, &target.login())?;
        next = here.join(&action)?.to_string();
        form = Some(fields);
    }
    bail!("too many steps to a code at {}", target.name)
}

/// Redeem a code at the token endpoint; returns the token response. The peer's workers copy
/// a new code to each other asynchronously, so a redemption that reaches the other worker
/// first may find nothing there yet; the peer's is then tried again, a few times at most.
/// Latchkey's is never retried.
pub async fn redeem(http: &reqwest::Client, target: &Target, code: &Code) -> anyhow::Result<Value> {
    let attempts = if target.name == "oidc-provider" { 5 } else { 1 };
    let mut outcome = redeem_once(http, target, code).await;
    for _ in 1..attempts {
        if outcome.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        outcome = redeem_once(http, target, code).await;
    }
    outcome
}

async fn redeem_once(
    http: &reqwest::Client,
    target: &Target,
    code: &Code,
) -> anyhow::Result<Value> {
    let response = http
        .post(format!("{}/token", target.issuer))
        .header("authorization", target.web.basic())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.value.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", code.verifier.as_str()),
        ])
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() {
        bail!("{} refused a code: {body}", target.name);
    }
    Ok(body)
}

/// `count` codes, `per_session` from each new browser (which signs in first), eight
/// browsers at a time, and no new browser after `deadline`. Both servers keep one grant per
/// sign-in and client, so a pool drawn from a single session would weigh that one grant with
/// every token of the run.
pub async fn codes(
    target: &Target,
    count: usize,
    per_session: usize,
    deadline: Option<Instant>,
) -> anyhow::Result<Vec<Code>> {
    let sessions = count.div_ceil(per_session);
    let mut all = Vec::with_capacity(count);
    let mut tasks = tokio::task::JoinSet::new();
    for session in 0..sessions {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        if tasks.len() == 8
            && let Some(joined) = tasks.join_next().await
        {
            all.extend(joined??);
        }
        let n = per_session.min(count - session * per_session);
        let target = target.clone();
        tasks.spawn(async move {
            // A client (connections) of its own: the peer's workers share their memory
            // store asynchronously, so one session's steps must reach the same worker.
            let browser = browser(&http()?);
            let mut codes = Vec::with_capacity(n);
            for _ in 0..n {
                codes.push(code(&target, &browser).await?);
            }
            anyhow::Ok(codes)
        });
    }
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined??);
    }
    Ok(all)
}

/// Complete sign-ins by new browsers, `parallel` at a time, for `seconds`: sign-ins per second.
pub async fn sign_ins(target: &Target, parallel: usize, seconds: u64) -> anyhow::Result<f64> {
    let http = http()?;
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..parallel {
        let (target, done, http) = (target.clone(), done.clone(), http.clone());
        tasks.spawn(async move {
            while Instant::now() < deadline {
                let browser = browser(&http);
                let code = code(&target, &browser).await?;
                redeem(&http, &target, &code).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            anyhow::Ok(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined??;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}
