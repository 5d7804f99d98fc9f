//! Creating passkeys: for a signed-in user (the security page) and for a new account whose
//! only way in is its passkey (sign-up). Keys are discoverable, with user verification.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::mfa::{Amr, Verification};
use latchkey_core::user::User;
use serde_json::Value;
use webauthn_rs::prelude::{PasskeyRegistration, RegisterPublicKeyCredential};

use super::{MAX_NAME, handle, json, keep, refused, relying_party, take, unavailable};
use crate::app::AppState;
use crate::manage::{self, Actor, Error};

/// The options for creating a passkey for `user` (the `publicKey` member for
/// `navigator.credentials.create`) and the library's state: a discoverable credential with
/// user verification, never one of the keys the user has.
async fn creation(state: &AppState, user: &User) -> Result<(Value, PasskeyRegistration), Error> {
    let rp = relying_party(state).ok_or_else(unavailable)?;
    let existing = manage::mfa::list(state, &user.id).await?;
    let exclude = existing
        .iter()
        .filter_map(|f| f.credential_id.as_deref())
        .filter_map(|id| URL_SAFE_NO_PAD.decode(id).ok())
        .collect();
    let name = user.username.as_deref().or(user.primary_email.as_deref());
    let name = name.unwrap_or(&user.id);
    let display = user.name.as_deref().unwrap_or(name);
    let (options, registration) = rp
        .start_passkey_registration(handle(&user.id), name, display, Some(exclude))
        .map_err(|e| Error::Internal(e.to_string()))?;
    let mut options = serde_json::to_value(options).map_err(|e| Error::Internal(e.to_string()))?;
    // A passkey is found by the browser without a username: the key must be discoverable.
    let selection = &mut options["publicKey"]["authenticatorSelection"];
    selection["residentKey"] = "required".into();
    selection["requireResidentKey"] = true.into();
    Ok((options["publicKey"].take(), registration))
}

/// The new passkey from the browser's answer (`PublicKeyCredential.toJSON()`) to a creation,
/// as a factor of `user_id` named `name`.
fn created(
    state: &AppState,
    (registration, answer): (&PasskeyRegistration, &str),
    user_id: &str,
    name: &str,
) -> Result<(Verification, Amr), Error> {
    let rp = relying_party(state).ok_or_else(unavailable)?;
    let credential: RegisterPublicKeyCredential =
        serde_json::from_str(answer).map_err(|_| refused("the browser's answer is not valid"))?;
    // The browser says (credProps) when the key cannot be found without a username: such a
    // key could never sign in here on its own.
    let said = serde_json::from_str::<Value>(answer).unwrap_or_default();
    if said["clientExtensionResults"]["credProps"]["rk"] == Value::Bool(false) {
        return Err(refused("this key cannot sign in without a username"));
    }
    let passkey = rp
        .finish_passkey_registration(&credential, registration)
        .map_err(|e| {
            tracing::info!(error = %e, "passkey registration refused");
            refused("the passkey could not be verified")
        })?;
    let credential_id = URL_SAFE_NO_PAD.encode(passkey.cred_id());
    let name = name.trim();
    let name = match name.chars().count() {
        0 => "Passkey",
        n if n > MAX_NAME => return Err(Error::invalid("passkey.name", "the name is too long")),
        _ => name,
    };
    let material = json(&passkey)?;
    // A key that may be synced to other devices is a software key (`swk`).
    let synced = serde_json::from_str::<Value>(&material).ok();
    let synced = synced.and_then(|v| v["cred"]["backup_eligible"].as_bool());
    let now = state.clock.now_ms();
    let factor = manage::mfa::passkey(user_id, name, credential_id, material, now);
    Ok((factor, Amr::passkey(!synced.unwrap_or(false))))
}

/// The options for registering a new passkey for `user` (its ceremony's id, and the
/// `publicKey` member for `navigator.credentials.create`).
pub async fn start_registration(state: &AppState, user: &User) -> Result<(String, Value), Error> {
    let (options, registration) = creation(state, user).await?;
    let id = keep(state, Some(&user.id), "register", json(&registration)?).await?;
    Ok((id, options))
}

/// Finish registering: the browser's answer to ceremony `id` of `user_id`. The new factor,
/// named `name`, audited, and what creating it proved.
pub async fn finish_registration(
    state: &AppState,
    user_id: &str,
    (id, answer): (&str, &str),
    name: &str,
) -> Result<(Verification, Amr), Error> {
    let ceremony = take(state, id, "register").await?;
    if ceremony.user_id.as_deref() != Some(user_id) {
        return Err(refused("this passkey request was made for someone else"));
    }
    let registration: PasskeyRegistration =
        serde_json::from_str(&ceremony.state).map_err(|e| Error::Internal(e.to_string()))?;
    let (factor, amr) = created(state, (&registration, answer), user_id, name)?;
    let now = state.clock.now_ms();
    let entry = manage::mfa::audit(&Actor::user(user_id), "user.mfa.enroll", user_id, &factor);
    match state
        .db
        .insert_verification(&factor, &[], &entry, now)
        .await
    {
        Err(latchkey_store::Error::Conflict) => Err(Error::conflict(
            "passkey.exists",
            "this passkey is registered already",
        )),
        other => other.map(|()| (factor, amr)).map_err(Into::into),
    }
}

/// What a sign-up with a passkey carries between its two requests.
#[derive(serde::Serialize, serde::Deserialize)]
struct SignUp {
    username: String,
    registration: PasskeyRegistration,
}

/// The options for a new account, `user` (not yet written), whose only way in is a passkey.
pub async fn start_sign_up(state: &AppState, user: &User) -> Result<(String, Value), Error> {
    let (options, registration) = creation(state, user).await?;
    let username = user.username.clone().unwrap_or_default();
    let carried = json(&SignUp {
        username,
        registration,
    })?;
    let id = keep(state, Some(&user.id), "sign_up", carried).await?;
    Ok((id, options))
}

/// The browser's answer to sign-up ceremony `id`: the new account's id and username, its
/// passkey, and what the passkey proved.
pub async fn finish_sign_up(
    state: &AppState,
    (id, answer): (&str, &str),
) -> Result<(String, String, Verification, Amr), Error> {
    let ceremony = take(state, id, "sign_up").await?;
    let user_id = ceremony.user_id.unwrap_or_default();
    let carried: SignUp =
        serde_json::from_str(&ceremony.state).map_err(|e| Error::Internal(e.to_string()))?;
    let (factor, amr) = created(state, (&carried.registration, answer), &user_id, "")?;
    Ok((user_id, carried.username, factor, amr))
}
