//! Mail: what Latchkey sends (`Kind`), how a message is queued in the outbox with the
//! action that causes it (`Letter::queue`, its code or link sealed under the operator's key
//! when one is set), the limits that keep anyone from flooding a mailbox through it, and the
//! worker that delivers the outbox (`worker`), rendering each message at send time
//! (`message`).

pub mod message;
pub mod worker;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::keys::KeyEncryption;
use latchkey_core::throttle::{MAILS_PER_ADDRESS, MAILS_PER_RECIPIENT};
use latchkey_store::outbox::Mail;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::i18n::Locale;
use crate::throttle::{self, ClientAddress};

/// Which message; each has its words in `i18n::email` and is rendered from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The code that finishes a sign-up.
    SignUpCode,
    /// The code that proves an address (the account's, or a new one).
    VerifyCode,
    /// The code and link that set a new password.
    Recovery,
    /// The password was changed.
    PasswordChanged,
    /// Someone tried to sign up with an address that has an account.
    SignUpExists,
    /// The account's address was changed (to the old one).
    EmailChanged,
    /// A second factor was removed from the account.
    FactorRemoved,
    /// An invitation to join an organization, with its link.
    Invitation,
}

const KINDS: [Kind; 8] = [
    Kind::SignUpCode,
    Kind::VerifyCode,
    Kind::Recovery,
    Kind::PasswordChanged,
    Kind::SignUpExists,
    Kind::EmailChanged,
    Kind::FactorRemoved,
    Kind::Invitation,
];

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUpCode => "sign_up_code",
            Self::VerifyCode => "verify_code",
            Self::Recovery => "recovery",
            Self::PasswordChanged => "password_changed",
            Self::SignUpExists => "sign_up_exists",
            Self::EmailChanged => "email_changed",
            Self::FactorRemoved => "factor_removed",
            Self::Invitation => "invitation",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        KINDS.into_iter().find(|k| k.as_str() == value)
    }
}

/// What a message says beyond its template: never more than its one action needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The organization an invitation is to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
}

/// A message about to be queued.
#[derive(Debug, Clone)]
pub struct Letter {
    pub kind: Kind,
    pub to: String,
    pub user_id: Option<String>,
    pub locale: Locale,
    pub payload: Payload,
}

const SEAL_PURPOSE: &[u8] = b"latchkey outbox payload";

fn sealing_key(state: &AppState) -> Option<KeyEncryption> {
    let secret = state.config.secret_key.as_deref()?;
    KeyEncryption::for_purpose(secret, SEAL_PURPOSE).ok()
}

impl Letter {
    /// The outbox row: its payload sealed (bound to the row's id) when the operator set a
    /// secret key, else stored as JSON, as private keys are.
    pub fn queue(self, state: &AppState) -> Mail {
        let id = latchkey_core::random::id();
        let json = serde_json::to_string(&self.payload).unwrap_or_default();
        let payload = match sealing_key(state).and_then(|k| k.seal(&id, json.as_bytes()).ok()) {
            Some(sealed) => format!("sealed:{}", URL_SAFE_NO_PAD.encode(sealed)),
            None => format!("plain:{json}"),
        };
        Mail {
            id,
            kind: self.kind.as_str().to_owned(),
            recipient: self.to,
            user_id: self.user_id,
            locale: self.locale.tag().to_owned(),
            payload,
            created_at: state.clock.now_ms(),
        }
    }
}

/// A queued message's payload, opened; `None` if it cannot be (a changed operator key).
pub fn open(state: &AppState, mail: &Mail) -> Option<Payload> {
    let json = match mail.payload.split_once(':')? {
        ("plain", json) => json.as_bytes().to_vec(),
        ("sealed", sealed) => {
            let sealed = URL_SAFE_NO_PAD.decode(sealed).ok()?;
            sealing_key(state)?.open(&mail.id, &sealed).ok()?
        }
        _ => return None,
    };
    serde_json::from_slice(&json).ok()
}

/// Why `address` may not cause another mail now, in `locale`'s words, with the wait in
/// milliseconds; `None` when it may, and then the mail it is about to cause is counted.
pub async fn address_refusal(
    state: &AppState,
    address: ClientAddress,
    locale: Locale,
) -> Result<Option<(String, i64)>, latchkey_store::Error> {
    let (key, wait) = throttle::per_address(state, "mail", address, &MAILS_PER_ADDRESS).await?;
    let Some(wait) = wait else {
        throttle::count(state, &key, &MAILS_PER_ADDRESS, state.clock.now_ms()).await?;
        return Ok(None);
    };
    let minutes = latchkey_core::throttle::minutes(wait).to_string();
    let message = locale
        .text()
        .email
        .too_many_mails
        .replace("{minutes}", &minutes);
    Ok(Some((message, wait)))
}

/// Whether `recipient` may be sent another mail now (then it is counted). When not, the
/// caller answers as if it had sent it, so that the limit reveals nothing.
pub async fn recipient_allowed(
    state: &AppState,
    recipient: &str,
) -> Result<bool, latchkey_store::Error> {
    let now = state.clock.now_ms();
    let key = format!("mail|to:{}", recipient.to_lowercase());
    let found = state.db.find_throttles(&[key.as_str()], now).await?;
    let counter = found.first().map(|(_, counter)| counter);
    if MAILS_PER_RECIPIENT.retry_after_ms(counter, now).is_some() {
        tracing::warn!("mail to one recipient held back: too many asked for");
        return Ok(false);
    }
    throttle::count(state, &key, &MAILS_PER_RECIPIENT, now).await?;
    Ok(true)
}

/// Tell this node's worker that mail was queued (other nodes find it when they next look).
pub fn queued(state: &AppState, count: usize) {
    state.metrics.mail_queued(count);
    state.outbox.wake();
}
