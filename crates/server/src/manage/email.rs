//! Addresses proven and passwords recovered by mail, the operations the hosted pages and the
//! management API share: a code sent with the challenge it opens (queued in one
//! transaction), recovery asked for by a person (revealing nothing) or by an administrator.

use latchkey_core::email::{Challenge, Purpose, code_hash, new_code};
use latchkey_core::lifetimes::{EMAIL_CODE_MS, RECOVERY_CODE_MS};
use latchkey_core::user::User;
use latchkey_core::user::normalize_identifier;
use latchkey_store::outbox::Mail;

use super::{Actor, Error};
use crate::app::AppState;
use crate::i18n::Locale;
use crate::mail::{self, Kind, Letter, Payload};

/// Whether mail can be sent at all.
pub fn enabled(state: &AppState) -> bool {
    state.config.mail.is_some()
}

pub fn require_mail(state: &AppState) -> Result<(), Error> {
    match enabled(state) {
        true => Ok(()),
        false => Err(Error::conflict(
            "mail.not_configured",
            "no SMTP server is configured (LATCHKEY_SMTP_URL), so no mail can be sent",
        )),
    }
}

/// Where a recovery mail's link leads: the page that sets a new password, its code filled.
pub fn recovery_link(state: &AppState, challenge_id: &str, code: &str) -> String {
    format!(
        "{}/recover/{challenge_id}?code={code}",
        state.config.public_url()
    )
}

/// Where "reset your password" leads from a mail that carries no code.
pub fn recovery_start(state: &AppState) -> String {
    format!("{}/recover", state.config.public_url())
}

/// A new challenge `id` for `purpose` sent to `email`, and the mail carrying its code (queued by
/// the caller, with whatever else its action writes).
pub fn challenge(
    state: &AppState,
    id: String,
    (purpose, email): (Purpose, &str),
    user_id: Option<&str>,
    locale: Locale,
    pending: Option<String>,
) -> (Challenge, Mail) {
    let now = state.clock.now_ms();
    let code = new_code();
    let (kind, lifetime, link) = match purpose {
        Purpose::SignUp => (Kind::SignUpCode, EMAIL_CODE_MS, None),
        Purpose::Verify | Purpose::Change => (Kind::VerifyCode, EMAIL_CODE_MS, None),
        Purpose::Recovery => (
            Kind::Recovery,
            RECOVERY_CODE_MS,
            Some(recovery_link(state, &id, &code)),
        ),
    };
    let letter = Letter {
        kind,
        to: email.to_owned(),
        user_id: user_id.map(str::to_owned),
        locale,
        payload: Payload {
            code: Some(code.clone()),
            link,
            organization: None,
        },
    };
    let challenge = Challenge {
        code_hash: code_hash(&id, &code),
        id,
        purpose,
        user_id: user_id.map(str::to_owned),
        email: email.to_owned(),
        attempts: 0,
        created_at: now,
        expires_at: now + lifetime,
        consumed_at: None,
        pending,
    };
    (challenge, letter.queue(state))
}

/// A mail with no code (a notice), to queue with the action it tells of.
pub fn notice(state: &AppState, kind: Kind, to: &str, user: &User, locale: Locale) -> Mail {
    let link =
        matches!(kind, Kind::PasswordChanged | Kind::SignUpExists).then(|| recovery_start(state));
    Letter {
        kind,
        to: to.to_owned(),
        user_id: Some(user.id.clone()),
        locale,
        payload: Payload {
            link,
            ..Payload::default()
        },
    }
    .queue(state)
}

/// Send `user` a recovery code; the challenge's id. Nothing is sent to an account without an
/// address (`user.email_missing`), nor when mail is off (`mail.not_configured`).
pub async fn send_recovery(state: &AppState, user: &User, locale: Locale) -> Result<String, Error> {
    require_mail(state)?;
    let Some(email) = &user.primary_email else {
        return Err(Error::invalid(
            "user.email_missing",
            "the user has no email address to send a recovery code to",
        ));
    };
    let id = latchkey_core::random::id();
    let (challenge, mail) = challenge(
        state,
        id,
        (Purpose::Recovery, email),
        Some(&user.id),
        locale,
        None,
    );
    state.db.insert_challenge(&challenge, &[mail]).await?;
    mail::queued(state, 1);
    Ok(challenge.id)
}

/// Send a code proving `email` for `user` (its current address, or a new one); the id of the
/// challenge to type it for. Past the mailbox's limit nothing is sent, and the newest live
/// challenge for that address is the answer (its code still works).
pub async fn send_verification(
    state: &AppState,
    user: &User,
    email: &str,
    locale: Locale,
) -> Result<String, Error> {
    require_mail(state)?;
    let purpose = match user.primary_email.as_deref() {
        Some(current) if current.eq_ignore_ascii_case(email) => Purpose::Verify,
        _ => Purpose::Change,
    };
    let id = latchkey_core::random::id();
    if !mail::recipient_allowed(state, email).await? {
        let live = state
            .db
            .find_live_challenge(&user.id, purpose, state.clock.now_ms());
        let live = live.await?.filter(|c| c.email.eq_ignore_ascii_case(email));
        return Ok(live.map_or(id, |c| c.id));
    }
    let (challenge, mail) = challenge(state, id, (purpose, email), Some(&user.id), locale, None);
    state.db.insert_challenge(&challenge, &[mail]).await?;
    mail::queued(state, 1);
    Ok(challenge.id)
}

/// The recovery code for the account `identifier` names, if it has an address and mail to
/// it is within its limit; otherwise a challenge nothing opens. Both take the same steps (a
/// look-up, the recipient's limit, one write), so that neither answers sooner.
pub async fn recover(
    state: &AppState,
    id: String,
    identifier: &str,
    locale: Locale,
) -> Result<(), latchkey_store::Error> {
    let plausible = identifier.len() <= 256 && !identifier.chars().any(char::is_control);
    let user = match plausible {
        true => {
            state
                .db
                .find_user_by_identifier(&normalize_identifier(identifier))
                .await?
        }
        false => None,
    };
    let target = user.filter(|u| u.is_active()).and_then(|u| {
        let email = u.primary_email.clone()?;
        Some((u, email))
    });
    let recipient = target
        .as_ref()
        .map_or(identifier, |(_, email)| email.as_str());
    let allowed = mail::recipient_allowed(state, recipient).await?;
    if let Some((user, email)) = target.filter(|_| allowed) {
        let purpose = (Purpose::Recovery, email.as_str());
        let (challenge, mail) = challenge(state, id, purpose, Some(&user.id), locale, None);
        state.db.insert_challenge(&challenge, &[mail]).await?;
        mail::queued(state, 1);
        return Ok(());
    }
    // The same challenge and sealed mail as for an account, but only the challenge is kept:
    // its code goes nowhere, so nothing opens it.
    let (decoy, _) = challenge(state, id, (Purpose::Recovery, ""), None, locale, None);
    state.db.insert_challenge(&decoy, &[]).await
}

/// Send user `id` a password recovery mail (an administrator's doing, audited).
pub async fn send_password_reset(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    let user = super::users::find(state, id).await?;
    let locale = user.profile["locale"]
        .as_str()
        .and_then(crate::i18n::Locale::from_tag);
    let locale = locale.unwrap_or(crate::i18n::Locale::En);
    send_recovery(state, &user, locale).await?;
    crate::audit::write_now(
        state,
        actor,
        "user.password_reset_email",
        ("user", id),
        serde_json::json!({}),
    )
    .await;
    Ok(())
}
