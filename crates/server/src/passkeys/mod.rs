//! Passkeys (WebAuthn Level 3): the relying party is the public URL (its host the RP ID, its
//! origin the only one accepted); registration and sign-in ceremonies wait in the store
//! between their options and the browser's answer, each taken once; a sign-in moves the
//! key's counter with a guarded write, so that a cloned key shows.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::mfa::{Amr, Kind, Verification};
use latchkey_store::mfa::Ceremony;
use serde_json::Value;
use url::Url;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PublicKeyCredential, Uuid,
    Webauthn, WebauthnBuilder,
};

use crate::app::AppState;
use crate::manage::{self, Error};

mod create;

pub use create::{finish_registration, finish_sign_up, start_registration, start_sign_up};

/// How long the browser has to answer a ceremony.
const CEREMONY_MS: i64 = 5 * 60 * 1000;
/// The longest name a passkey may be given.
pub const MAX_NAME: usize = 64;

/// The relying party; `None` when the public URL's host cannot be one (an IP address:
/// browsers refuse them as RP IDs).
fn relying_party(state: &AppState) -> Option<Webauthn> {
    let origin = Url::parse(state.config.public_url()).ok()?;
    let host = origin.domain()?.to_owned();
    let builder = WebauthnBuilder::new(&host, &origin).ok()?;
    builder.rp_name(&state.config.company_name).build().ok()
}

/// Whether passkeys can be used at this public URL.
pub fn available(state: &AppState) -> bool {
    relying_party(state).is_some()
}

/// The user handle of `user_id`: stable, and naming nothing (RFC 9562 version-8 bytes).
fn handle(user_id: &str) -> Uuid {
    let hash = latchkey_core::grant::token_hash(&format!("latchkey user handle:{user_id}"));
    let mut bytes = [0u8; 16];
    for (i, byte) in bytes.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hash.get(i * 2..i * 2 + 2).unwrap_or("00"), 16).unwrap_or(0);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x80;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

fn refused(why: &str) -> Error {
    Error::invalid("passkey.refused", why.to_owned())
}

fn unavailable() -> Error {
    Error::refused(
        "passkey.unavailable",
        "passkeys need a public URL whose host is a domain name",
    )
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

async fn keep(
    state: &AppState,
    user_id: Option<&str>,
    purpose: &str,
    ceremony_state: String,
) -> Result<String, Error> {
    let now = state.clock.now_ms();
    let ceremony = Ceremony {
        id: latchkey_core::random::id(),
        user_id: user_id.map(str::to_owned),
        purpose: purpose.to_owned(),
        state: ceremony_state,
        expires_at: now + CEREMONY_MS,
    };
    state.db.insert_ceremony(&ceremony).await?;
    Ok(ceremony.id)
}

async fn take(state: &AppState, id: &str, purpose: &str) -> Result<Ceremony, Error> {
    let now = state.clock.now_ms();
    let taken = state.db.take_ceremony(id, purpose, now).await?;
    taken.ok_or_else(|| refused("this passkey request has expired; try again"))
}

/// The options for signing in with a passkey (the ceremony's id and the `publicKey` member
/// for `navigator.credentials.get`): any of the user's keys for a second factor (`user`
/// set), any discoverable key on the device otherwise.
pub async fn start_sign_in(state: &AppState, user: Option<&str>) -> Result<(String, Value), Error> {
    let rp = relying_party(state).ok_or_else(unavailable)?;
    let (options, id) = match user {
        Some(user_id) => {
            let keys = passkeys_of(&manage::mfa::list(state, user_id).await?)?;
            if keys.is_empty() {
                return Err(refused("there is no passkey on this account"));
            }
            let (options, auth) = rp
                .start_passkey_authentication(&keys)
                .map_err(|e| Error::Internal(e.to_string()))?;
            let id = keep(state, Some(user_id), "second_factor", json(&auth)?).await?;
            (serde_json::to_value(options), id)
        }
        None => {
            let (options, auth) = rp
                .start_discoverable_authentication()
                .map_err(|e| Error::Internal(e.to_string()))?;
            let id = keep(state, None, "sign_in", json(&auth)?).await?;
            (serde_json::to_value(options), id)
        }
    };
    let mut options = options.map_err(|e| Error::Internal(e.to_string()))?;
    Ok((id, options["publicKey"].take()))
}

/// Check the browser's answer to sign-in ceremony `id`: whose key it was and what it proved.
/// For a second factor, only a key of `user` counts.
pub async fn finish_sign_in(
    state: &AppState,
    (id, answer): (&str, &str),
    user: Option<&str>,
) -> Result<(String, Amr), Error> {
    let rp = relying_party(state).ok_or_else(unavailable)?;
    let purpose = if user.is_some() {
        "second_factor"
    } else {
        "sign_in"
    };
    let ceremony = take(state, id, purpose).await?;
    if ceremony.user_id.as_deref() != user {
        return Err(refused("this passkey request was made for someone else"));
    }
    let credential: PublicKeyCredential =
        serde_json::from_str(answer).map_err(|_| refused("the browser's answer is not valid"))?;
    let credential_id = URL_SAFE_NO_PAD.encode(credential.raw_id.as_ref() as &[u8]);
    let factor = state.db.find_passkey(&credential_id).await?;
    let factor = factor.ok_or_else(|| refused("this passkey is not registered here"))?;
    if user.is_some_and(|u| u != factor.user_id) {
        return Err(refused("this passkey belongs to another account"));
    }
    let before = factor.secret.clone().unwrap_or_default();
    let mut passkey: Passkey =
        serde_json::from_str(&before).map_err(|e| Error::Internal(e.to_string()))?;
    let verdict = if user.is_some() {
        let auth: PasskeyAuthentication =
            serde_json::from_str(&ceremony.state).map_err(|e| Error::Internal(e.to_string()))?;
        rp.finish_passkey_authentication(&credential, &auth)
    } else {
        let auth: DiscoverableAuthentication =
            serde_json::from_str(&ceremony.state).map_err(|e| Error::Internal(e.to_string()))?;
        let (handle_of, _) = rp
            .identify_discoverable_authentication(&credential)
            .map_err(|_| refused("the passkey did not say whose it is"))?;
        if handle_of != handle(&factor.user_id) {
            return Err(refused("this passkey belongs to another account"));
        }
        rp.finish_discoverable_authentication_v2(&credential, auth, &passkey)
    };
    let result = verdict.map_err(|e| {
        tracing::info!(error = %e, "passkey sign-in refused");
        refused("the passkey could not be verified")
    })?;
    passkey.update_credential(&result);
    let now = state.clock.now_ms();
    let after = json(&passkey)?;
    // Written even when nothing changed (`last_used_at`); refused if another sign-in moved
    // the counter meanwhile: one of the two used a copy.
    if !state
        .db
        .update_passkey(&factor.id, &before, &after, now)
        .await?
    {
        return Err(refused("the passkey was used twice at once"));
    }
    Ok((factor.user_id, Amr::passkey(!result.backup_eligible())))
}

fn passkeys_of(factors: &[Verification]) -> Result<Vec<Passkey>, Error> {
    factors
        .iter()
        .filter(|f| f.kind == Kind::WebAuthn)
        .filter_map(|f| f.secret.as_deref())
        .map(|s| serde_json::from_str(s).map_err(|e| Error::Internal(e.to_string())))
        .collect()
}
