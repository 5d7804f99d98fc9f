//! Second factors, for their owner (the security page, the sign-in's second step) and for
//! administrators: enrolling an authenticator app with its recovery codes, checking a code
//! (throttled like passwords, each code once), listing and removing factors (audited, the
//! owner told by mail). Passkeys are enrolled by `crate::passkeys`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::keys::KeyEncryption;
use latchkey_core::mfa::{self, Amr, Kind, Method, Verification};
use latchkey_core::totp;
use latchkey_store::audit::AuditEntry;
use serde_json::json;

use super::{Actor, Error};
use crate::app::AppState;
use crate::i18n::Locale;
use crate::mail::{self, Kind as MailKind};
use crate::throttle::{Budget, ClientAddress};

const SEAL_PURPOSE: &[u8] = b"latchkey totp secret";

fn sealing_key(state: &AppState) -> Option<KeyEncryption> {
    let secret = state.config.secret_key.as_deref()?;
    KeyEncryption::for_purpose(secret, SEAL_PURPOSE).ok()
}

/// The stored form of a TOTP key: sealed (bound to its factor's id) when the operator set a
/// secret key, else base32, as private keys are.
fn seal(state: &AppState, id: &str, secret: &[u8]) -> String {
    match sealing_key(state).and_then(|k| k.seal(id, secret).ok()) {
        Some(sealed) => format!("sealed:{}", URL_SAFE_NO_PAD.encode(sealed)),
        None => format!("plain:{}", totp::base32(secret)),
    }
}

/// The TOTP key of `factor`; `None` if it cannot be opened (a changed operator key).
fn open(state: &AppState, factor: &Verification) -> Option<Vec<u8>> {
    match factor.secret.as_deref()?.split_once(':')? {
        ("plain", text) => totp::decode_base32(text),
        ("sealed", sealed) => {
            let sealed = URL_SAFE_NO_PAD.decode(sealed).ok()?;
            sealing_key(state)?.open(&factor.id, &sealed).ok()
        }
        _ => None,
    }
}

/// The user's factors, oldest first.
pub async fn list(state: &AppState, user_id: &str) -> Result<Vec<Verification>, Error> {
    Ok(state.db.list_verifications(user_id).await?)
}

/// Whether the user has a factor that proves a sign-in (an app or a passkey: recovery codes
/// only stand in for them).
pub fn enrolled(factors: &[Verification]) -> bool {
    factors
        .iter()
        .any(|f| matches!(f.kind, Kind::Totp | Kind::WebAuthn))
}

/// Enroll an authenticator app whose key (`secret`, base32, shown to the user) produced
/// `typed`. Returns the new recovery codes when the user had none (shown once).
/// `mfa.code_wrong` if the code does not match; `mfa.totp_exists` if they have an app.
pub async fn enroll_totp(
    state: &AppState,
    user_id: &str,
    secret: &str,
    typed: &str,
) -> Result<Option<Vec<String>>, Error> {
    let now = state.clock.now_ms();
    let key = totp::decode_base32(secret)
        .filter(|k| k.len() >= 16)
        .ok_or_else(|| Error::invalid("mfa.secret_invalid", "the key is not valid"))?;
    let Some(step) = totp::verify(&key, typed, now, None) else {
        return Err(Error::invalid("mfa.code_wrong", "the code is not right"));
    };
    let id = latchkey_core::random::id();
    let factor = Verification {
        secret: Some(seal(state, &id, &key)),
        // The confirming code is spent: it cannot sign in.
        last_step: Some(step),
        ..blank(id, user_id, Kind::Totp, now)
    };
    let entry = audit(&Actor::user(user_id), "user.mfa.enroll", user_id, &factor);
    match state
        .db
        .insert_verification(&factor, &[], &entry, now)
        .await
    {
        Err(latchkey_store::Error::Conflict) => {
            return Err(Error::conflict(
                "mfa.totp_exists",
                "an authenticator app is enrolled already",
            ));
        }
        other => other?,
    }
    let factors = list(state, user_id).await?;
    if factors.iter().any(|f| f.kind == Kind::BackupCode) {
        return Ok(None);
    }
    new_recovery_codes(state, &Actor::user(user_id), user_id)
        .await
        .map(Some)
}

/// A new set of recovery codes for the user, in place of the old; the codes, shown once.
pub async fn new_recovery_codes(
    state: &AppState,
    actor: &Actor,
    user_id: &str,
) -> Result<Vec<String>, Error> {
    let now = state.clock.now_ms();
    let codes = totp::new_recovery_codes();
    let set = Verification {
        remaining: codes.len(),
        ..blank(latchkey_core::random::id(), user_id, Kind::BackupCode, now)
    };
    let hashes: Vec<String> = codes.iter().map(|c| mfa::code_hash(&set.id, c)).collect();
    let entry = audit(actor, "user.mfa.recovery_codes", user_id, &set);
    (state.db)
        .replace_recovery_codes(&set, &hashes, &entry, now)
        .await?;
    Ok(codes)
}

/// What a typed second-factor code did.
#[derive(Debug)]
pub enum Checked {
    /// It proved the factor: what to add to the sign-in.
    Proved(Amr),
    /// Wrong, spent, or no such factor.
    Wrong,
    /// Too many wrong codes: try again in this many milliseconds.
    Wait(i64),
}

/// Check `typed`, an authenticator app's code or a recovery code of `user_id`: each acts
/// once, and wrong ones are throttled like passwords.
pub async fn check_code(
    state: &AppState,
    user_id: &str,
    typed: &str,
    address: ClientAddress,
) -> Result<Checked, Error> {
    let mut budget = Budget::second_factor(user_id, address);
    if let Some(wait) = budget.wait(state).await? {
        return Ok(Checked::Wait(wait));
    }
    let now = state.clock.now_ms();
    let factors = list(state, user_id).await?;
    let typed = typed.trim();
    let mut proved = false;
    if typed.len() <= 64 {
        for factor in &factors {
            proved = match factor.kind {
                Kind::Totp => match open(state, factor)
                    .and_then(|key| totp::verify(&key, typed, now, factor.last_step))
                {
                    Some(step) => state.db.use_totp_step(&factor.id, step, now).await?,
                    None => false,
                },
                Kind::BackupCode => {
                    let hash = mfa::code_hash(&factor.id, typed);
                    state.db.use_recovery_code(&factor.id, &hash, now).await?
                }
                Kind::WebAuthn => false,
            };
            if proved {
                break;
            }
        }
    }
    if !proved {
        budget.failed(state).await?;
        return Ok(Checked::Wrong);
    }
    budget.succeeded(state).await?;
    Ok(Checked::Proved(Amr::of(Method::Otp)))
}

/// Remove factor `id` of user `user_id` (a lost phone, a retired key), telling them by mail
/// when mail is on. Recovery codes go with the last factor they stood in for.
pub async fn remove(state: &AppState, actor: &Actor, user_id: &str, id: &str) -> Result<(), Error> {
    let user = super::users::find(state, user_id).await?;
    let factors = list(state, user_id).await?;
    let factor = factors
        .iter()
        .find(|f| f.id == id)
        .ok_or(Error::NotFound("factor"))?;
    let locale = user.profile["locale"].as_str().and_then(Locale::from_tag);
    let notice = (user.primary_email.as_deref())
        .filter(|_| super::email::enabled(state))
        .map(|to| {
            let locale = locale.unwrap_or(Locale::En);
            super::email::notice(state, MailKind::FactorRemoved, to, &user, locale)
        });
    let now = state.clock.now_ms();
    let entry = audit(actor, "user.mfa.remove", user_id, factor);
    let mails: Vec<_> = notice.into_iter().collect();
    let removed = state
        .db
        .delete_verification((user_id, id), &entry, &mails, now)
        .await?;
    if !removed {
        return Err(Error::NotFound("factor"));
    }
    mail::queued(state, mails.len());
    let rest: Vec<_> = factors.into_iter().filter(|f| f.id != id).collect();
    if let Some(codes) = rest.iter().find(|f| f.kind == Kind::BackupCode)
        && !enrolled(&rest)
    {
        let entry = audit(actor, "user.mfa.remove", user_id, codes);
        let ids = (user_id, codes.id.as_str());
        state.db.delete_verification(ids, &entry, &[], now).await?;
    }
    Ok(())
}

fn blank(id: String, user_id: &str, kind: Kind, now: i64) -> Verification {
    Verification {
        id,
        user_id: user_id.to_owned(),
        kind,
        name: None,
        secret: None,
        credential_id: None,
        last_step: None,
        remaining: 0,
        created_at: now,
        last_used_at: None,
    }
}

/// A new passkey's record, for `crate::passkeys`.
pub fn passkey(
    user_id: &str,
    name: &str,
    credential_id: String,
    material: String,
    now: i64,
) -> Verification {
    Verification {
        name: Some(name.to_owned()),
        credential_id: Some(credential_id),
        secret: Some(material),
        ..blank(latchkey_core::random::id(), user_id, Kind::WebAuthn, now)
    }
}

/// The audit entry of a change to one of `user_id`'s factors (never its secret).
pub fn audit(actor: &Actor, action: &str, user_id: &str, factor: &Verification) -> AuditEntry {
    let details = json!({"factorId": factor.id, "type": factor.kind.as_str()});
    crate::audit::entry(actor, action, ("user", user_id), details)
}

/// A factor as the management API shows it (Logto's shape): never its secret.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MfaView {
    pub id: String,
    /// `Totp`, `WebAuthn` or `BackupCode`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// ISO 8601.
    pub created_at: String,
    /// A passkey's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Recovery codes not yet used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remain_codes: Option<usize>,
    /// Milliseconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<i64>,
}

impl From<&Verification> for MfaView {
    fn from(factor: &Verification) -> Self {
        let ms = factor.created_at;
        let time = ms.rem_euclid(86_400_000);
        let created_at = format!(
            "{}T{:02}:{:02}:{:02}.{:03}Z",
            crate::html::date(ms),
            time / 3_600_000,
            time / 60_000 % 60,
            time / 1000 % 60,
            time % 1000
        );
        Self {
            id: factor.id.clone(),
            kind: factor.kind.as_str(),
            created_at,
            name: factor.name.clone(),
            remain_codes: (factor.kind == Kind::BackupCode).then_some(factor.remaining),
            last_used_at: factor.last_used_at,
        }
    }
}
