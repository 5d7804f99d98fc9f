//! What the protocol and the hosted pages share about the browser: the session and
//! interaction cookies, and the lifetimes of what they point to.

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::grant::token_hash;
use latchkey_core::lifetimes::{INTERACTION_MS, SESSION_IDLE_MS};
use latchkey_core::random;
use latchkey_core::session::{Interaction, Session};

use crate::app::AppState;

pub const SESSION_COOKIE: &str = "latchkey_session";
/// Each interaction's binding has a cookie of its own, named after it, so that
/// authorizations begun in two tabs both complete; the plain name is an older release's.
const INTERACTION_COOKIE: &str = "latchkey_interaction";
/// How many interaction bindings a browser keeps: the newest ones (their ids are ordered by
/// time); starting one more drops the oldest.
const KEPT_INTERACTIONS: usize = 5;
/// Sessions are marked as used at most once a minute, so that browsing is not a write each time.
const TOUCH_RESOLUTION_MS: i64 = 60 * 1000;

fn secure(state: &AppState) -> bool {
    state.config.public_url().starts_with("https://")
}

/// Every (name, value) the request's `Cookie` headers carry.
fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// The value of the cookie `name` stands for, if the request carries it: under its
/// `__Host-` name on https, else (for one release, so that sessions survive the upgrade
/// that introduced the prefix) under its plain name.
pub fn cookie<'a>(state: &AppState, headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = |wanted: &str| cookies(headers).find(|(n, _)| *n == wanted).map(|(_, v)| v);
    match secure(state) {
        true => value(&format!("__Host-{name}")).or_else(|| value(name)),
        false => value(name),
    }
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Lax`, `Path=/`; on https `Secure` and the
/// `__Host-` prefix, so that the browser takes it only from this origin, over https, for
/// the whole site (no subdomain or path can set or shadow it).
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let cookie = match secure(state) {
        true => format!(
            "__Host-{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}; Secure"
        ),
        false => format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}"),
    };
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The live session of this browser, marked as used.
pub async fn current_session(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Session>, latchkey_store::Error> {
    let Some(value) = cookie(state, headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    let now = state.clock.now_ms();
    let Some(session) = state.db.find_session(&token_hash(value), now).await? else {
        return Ok(None);
    };
    if !session.is_live(now, SESSION_IDLE_MS) {
        return Ok(None);
    }
    if now - session.last_seen_at >= TOUCH_RESOLUTION_MS {
        state.db.touch_session(&session.id_hash, now).await?;
    }
    Ok(Some(session))
}

/// Park a request and send the browser to `page` (`sign-in` or `consent`) for it, bound to
/// this browser by a cookie whose hash the interaction keeps. `session` is the live session
/// it is started for, if any: that one needs no new sign-in to finish it.
pub async fn begin_interaction(
    state: &AppState,
    headers: &HeaderMap,
    client_id: Option<&str>,
    request: String,
    session: Option<&Session>,
    page: &str,
) -> Result<Response, latchkey_store::Error> {
    let now = state.clock.now_ms();
    let binding = random::secret();
    let interaction = Interaction {
        id: random::ordered_id(now),
        client_id: client_id.map(str::to_owned),
        request,
        csrf_hash: token_hash(&binding),
        session_id_hash: session.map(|s| s.id_hash.clone()),
        answer: None,
        created_at: now,
        expires_at: now + INTERACTION_MS,
    };
    state.db.insert_interaction(&interaction).await?;
    let mut response = Redirect::to(&format!("/{page}/{}", interaction.id)).into_response();
    let name = interaction_cookie(&interaction.id);
    let cookie = set_cookie(state, &name, &binding, INTERACTION_MS / 1000);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    for older in bound_interactions(headers)
        .into_iter()
        .skip(KEPT_INTERACTIONS - 1)
    {
        let forget = forget_interaction(state, older);
        response.headers_mut().append(header::SET_COOKIE, forget);
    }
    Ok(response)
}

fn interaction_cookie(id: &str) -> String {
    format!("{INTERACTION_COOKIE}_{id}")
}

/// The ids of the interactions this browser holds a binding for, newest first.
fn bound_interactions(headers: &HeaderMap) -> Vec<&str> {
    let prefix = format!("{INTERACTION_COOKIE}_");
    let mut ids: Vec<&str> = cookies(headers)
        .filter_map(|(name, _)| {
            name.trim_start_matches("__Host-")
                .strip_prefix(prefix.as_str())
        })
        .collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    ids
}

/// The binding secret this browser holds for interaction `id`: its own cookie's, or the
/// shared cookie of an interaction begun before each had one.
pub fn interaction_binding<'a>(
    state: &AppState,
    headers: &'a HeaderMap,
    id: &str,
) -> Option<&'a str> {
    cookie(state, headers, &interaction_cookie(id))
        .or_else(|| cookie(state, headers, INTERACTION_COOKIE))
}

/// The `Set-Cookie` that drops this browser's binding to interaction `id`, once finished.
pub fn forget_interaction(state: &AppState, id: &str) -> HeaderValue {
    set_cookie(state, &interaction_cookie(id), "", 0)
}
