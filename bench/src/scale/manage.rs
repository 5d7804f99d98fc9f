//! The management lookups a scale run times: the users search by prefix, a user's grants, a
//! user's audit trail (management API), and the console's users page with a search; each a
//! pool of paths naming users picked at random, with what authenticates them.

use anyhow::{Context, bail};
use serde_json::json;

use crate::browser::{answer, browser, http};
use crate::setup::{Target, USERNAME, random_below};
use crate::wrk::{Body, Request};

/// Paths per lookup: enough that a run rarely asks the same twice.
const PATHS: usize = 2000;

/// One lookup, as wrk sends it.
pub struct Lookup {
    pub label: &'static str,
    pub request: Request,
}

/// A user the lookups name: seeded users at random, or the benchmark user on the empty side.
fn pick(population: Option<(u64, i64)>, bench_id: &str) -> (String, String) {
    match population {
        Some((users, _)) => {
            let n = random_below(users);
            let (name, email) = (
                latchkey_store::bulk::username(n),
                latchkey_store::bulk::email(n),
            );
            // What an administrator types: the name and a couple of digits, of a username
            // or of an email address.
            let typed = match n % 2 {
                0 => name,
                _ => email,
            };
            let digits = typed
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(typed.len());
            let end = (digits + 2).min(typed.len());
            (latchkey_store::bulk::user_id(n), typed[..end].to_owned())
        }
        None => (bench_id.to_owned(), USERNAME[..3].to_owned()),
    }
}

pub fn lookups(target: &Target, bench_id: &str, console_cookie: &str) -> Vec<Lookup> {
    let token = target.management_token.clone().unwrap_or_default();
    let bearer = vec![("authorization", format!("Bearer {token}"))];
    let cookie = vec![("cookie", console_cookie.to_owned())];
    let make =
        |label, headers: Vec<(&'static str, String)>, path: &dyn Fn(&str, &str) -> String| {
            let paths = (0..PATHS)
                .map(|_| {
                    let (id, typed) = pick(target.population, bench_id);
                    path(&id, &encode(&typed))
                })
                .collect::<Vec<_>>();
            Lookup {
                label,
                request: Request {
                    method: "GET",
                    path: paths[0].clone(),
                    headers,
                    body: Body::Paths(paths),
                },
            }
        };
    vec![
        make(
            "GET /api/users?search= (prefix, page of 20)",
            bearer.clone(),
            &|_, t| format!("/api/users?search={t}&page_size=20"),
        ),
        make("GET /api/users/:id/grants", bearer.clone(), &|id, _| {
            format!("/api/users/{id}/grants")
        }),
        make(
            "GET /api/audit-logs?userId= (page of 20)",
            bearer,
            &|id, _| format!("/api/audit-logs?userId={id}&page_size=20"),
        ),
        make("console users page, searched", cookie, &|_, t| {
            format!("/console/users?search={t}")
        }),
    ]
}

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Make the benchmark user an administrator and sign them in to the console: their id and
/// the console's session cookie.
pub async fn console_session(base: &str, target: &Target) -> anyhow::Result<(String, String)> {
    let http = http()?;
    let token = target
        .management_token
        .clone()
        .context("no management token")?;
    let found: serde_json::Value = http
        .get(format!("{base}/api/users?search={USERNAME}"))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    let id = found[0]["id"]
        .as_str()
        .context("no benchmark user")?
        .to_owned();
    let granted = http
        .post(format!("{base}/api/users/{id}/roles"))
        .bearer_auth(&token)
        .json(&json!({"roleIds": ["latchkey-admin"]}))
        .send()
        .await?;
    if !granted.status().is_success() {
        bail!(
            "cannot make the benchmark user an administrator: {}",
            granted.status()
        );
    }
    let browser = browser(&http);
    let mut next = format!("{base}/console/users");
    let mut form: Option<Vec<(String, String)>> = None;
    for _ in 0..8 {
        let request = match form.take() {
            Some(fields) => browser.http.post(&next).form(&fields),
            None => browser.http.get(&next),
        };
        let response = browser.send(&next, request).send().await?;
        browser.keep(&response);
        let here = response.url().clone();
        if response.status().is_redirection() {
            let location = response.headers()["location"].to_str()?.to_owned();
            next = here.join(&location)?.to_string();
            continue;
        }
        let page = response.text().await?;
        if here.path().starts_with("/console") {
            let cookie = browser
                .cookie_header(here.as_str())
                .context("no console cookie")?;
            return Ok((id, cookie));
        }
        let (action, fields) = answer(&page, USERNAME)?;
        next = here.join(&action)?.to_string();
        form = Some(fields);
    }
    bail!("no console page after signing in")
}
