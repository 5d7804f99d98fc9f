//! The reuse grace of rotated refresh tokens: a rotation's answer is kept with the consumed
//! token, sealed (AES-256-GCM) under a key derived from the token's own value, which the
//! database never holds; a retry presenting that value within the grace opens it and gets
//! the same tokens, on whichever node it lands. Without the value the answer is unreadable.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::keys::KeyEncryption;
use latchkey_core::token::TokenResponse;
use latchkey_core::token::refresh_token::ReuseAnswer;

const PURPOSE: &[u8] = b"latchkey refresh token reuse v1";

/// `response` to the request `target`, sealed for whoever presents `refresh_token` (whose
/// hash is `hash`) again.
pub fn seal(
    (refresh_token, target): (&str, String),
    hash: &str,
    response: &TokenResponse,
) -> Option<String> {
    let key = KeyEncryption::for_purpose(refresh_token.as_bytes(), PURPOSE).ok()?;
    let plain = serde_json::to_vec(&ReuseAnswer::of(target, response)).ok()?;
    let sealed = key.seal(hash, &plain).ok()?;
    Some(URL_SAFE_NO_PAD.encode(sealed))
}

/// The answer `sealed` keeps, for the `refresh_token` presented again in the same request
/// `target`; another request gets nothing from it.
pub fn open(
    (refresh_token, target): (&str, &str),
    hash: &str,
    sealed: &str,
) -> Option<TokenResponse> {
    let key = KeyEncryption::for_purpose(refresh_token.as_bytes(), PURPOSE).ok()?;
    let plain = key.open(hash, &URL_SAFE_NO_PAD.decode(sealed).ok()?).ok()?;
    let answer: ReuseAnswer = serde_json::from_slice(&plain).ok()?;
    (answer.target == target).then(|| answer.response())
}
