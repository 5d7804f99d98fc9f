//! A new client secret, carried across the redirect that follows the form which made it
//! (POST/redirect/GET), so that reloading the page shows it again and creates nothing.
//!
//! It travels in a cookie of its own, sealed (AES-256-GCM) under a key derived from the
//! console cookie, which the database never holds (it keeps that token's hash), and bound to
//! the application it belongs to. It lasts ten minutes; another administrator's browser, a
//! new console sign-in, or someone reading the database cannot open it.

use axum::http::{HeaderMap, HeaderValue};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::keys::KeyEncryption;

use super::Console;
use crate::app::AppState;
use crate::browser;

const COOKIE: &str = "latchkey_console_secret";

/// How long the secret can be shown again, in seconds.
const LIFETIME_SECS: i64 = 600;

const PURPOSE: &[u8] = b"latchkey console secret flash v1";

fn key(console: &Console) -> Option<KeyEncryption> {
    KeyEncryption::for_purpose(console.flash_secret.as_bytes(), PURPOSE).ok()
}

/// The `Set-Cookie` that keeps `secret`, the new secret of application `app_id`.
pub fn keep(state: &AppState, console: &Console, app_id: &str, secret: &str) -> HeaderValue {
    let sealed = key(console).and_then(|k| k.seal(app_id, secret.as_bytes()).ok());
    match sealed {
        Some(sealed) => browser::set_cookie(
            state,
            COOKIE,
            &URL_SAFE_NO_PAD.encode(sealed),
            LIFETIME_SECS,
        ),
        None => forget(state),
    }
}

/// The secret kept for application `app_id` by this console session, if any.
pub fn shown(
    state: &AppState,
    headers: &HeaderMap,
    console: &Console,
    app_id: &str,
) -> Option<String> {
    let sealed = URL_SAFE_NO_PAD
        .decode(browser::cookie(state, headers, COOKIE)?)
        .ok()?;
    let plain = key(console)?.open(app_id, &sealed).ok()?;
    String::from_utf8(plain).ok()
}

/// The `Set-Cookie` that drops the kept secret.
pub fn forget(state: &AppState) -> HeaderValue {
    browser::set_cookie(state, COOKIE, "", 0)
}
