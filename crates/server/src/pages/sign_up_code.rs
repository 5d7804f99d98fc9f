//! Sign-up with an address, when mail is on. By default (`LATCHKEY_SIGN_UP_VERIFY_EMAIL`)
//! the account exists only once the code sent to the address is typed back, and the page
//! answers the same whether or not the address already has an account: its owner gets a
//! mail saying someone tried, instead of a code. Otherwise the account is created at once
//! and its address proven later, from the account page.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use latchkey_core::email::{Challenge, Purpose};
use latchkey_core::grant::hash_matches;
use latchkey_core::mfa::Amr;
use latchkey_core::user::User;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::code::{self, Typed, Verdict};
use super::sign_up::{actor, render};
use super::{Pending, expired, pending, start_session};
use crate::app::AppState;
use crate::audit;
use crate::error::{OrPage, PageError};
use crate::i18n::Locale;
use crate::mail::{self, Kind};
use crate::manage::{email, users};
use crate::throttle::ClientAddress;

/// The account a sign-up creates once its address is proven, kept with its challenge.
#[derive(Debug, Serialize, Deserialize)]
struct Account {
    interaction: String,
    username: Option<String>,
    email: String,
    password_hash: Option<String>,
}

fn action(interaction: &str) -> String {
    format!("/sign-up/{interaction}/code")
}

/// A sign-up whose address needs proving: the account now and a code to prove it later, or
/// (by default) a code first.
pub(super) async fn begin(
    state: &AppState,
    headers: &HeaderMap,
    address: ClientAddress,
    pending: &Pending,
    user: User,
) -> Result<Response, PageError> {
    let locale = pending.locale(headers);
    let email = user.primary_email.clone().unwrap_or_default();
    let username = user.username.clone().unwrap_or_default();
    let entered = (username.as_str(), email.as_str());
    let later = state
        .config
        .mail
        .as_ref()
        .is_some_and(|m| !m.verify_sign_up);
    if later {
        let refusal = mail::address_refusal(state, address, locale).await;
        if let Some((message, _)) = refusal.or_page(state, headers)? {
            return render(state, headers, pending, entered, Some((&message, ""))).await;
        }
        let id = latchkey_core::random::id();
        let code = email::challenge(
            state,
            id,
            (Purpose::Verify, &email),
            Some(&user.id),
            locale,
            None,
        );
        return match users::add(state, &actor(pending), user, Some(code)).await {
            Ok(user) => {
                start_session(
                    state,
                    headers,
                    (&user.id, Amr::password()),
                    &pending.interaction.id,
                    None,
                )
                .await
            }
            Err(problem) => {
                let error = super::sign_up::reason(locale.text(), &problem);
                render(state, headers, pending, entered, Some(error)).await
            }
        };
    }
    // Usernames are not secret (they are what people sign in with): a taken one is said.
    if let Some(username) = &user.username {
        let taken = state.db.find_user_by_identifier(username).await;
        if taken.or_page(state, headers)?.is_some() {
            let error = (locale.text().account_exists, "username");
            return render(state, headers, pending, entered, Some(error)).await;
        }
    }
    let refusal = mail::address_refusal(state, address, locale).await;
    if let Some((message, _)) = refusal.or_page(state, headers)? {
        return render(state, headers, pending, entered, Some((&message, ""))).await;
    }
    let account = Account {
        interaction: pending.interaction.id.clone(),
        username: user.username,
        email,
        password_hash: user.password_hash,
    };
    let challenge = send(state, locale, account).await.or_page(state, headers)?;
    Ok(form(pending, &challenge, locale).render(state, None, None, None))
}

/// Record a challenge for `account` and queue its mail: the code, or, when the address has
/// an account, a mail telling its owner (and a challenge nothing opens, so that the page
/// behaves the same).
async fn send(
    state: &AppState,
    locale: Locale,
    account: Account,
) -> Result<Challenge, latchkey_store::Error> {
    let owner = state.db.find_user_by_identifier(&account.email).await?;
    let to = account.email.clone();
    let pending = serde_json::to_string(&account).ok();
    let id = latchkey_core::random::id();
    let (challenge, code_mail) =
        email::challenge(state, id, (Purpose::SignUp, &to), None, locale, pending);
    let mail = match &owner {
        Some(owner) => email::notice(state, Kind::SignUpExists, &to, owner, locale),
        None => code_mail,
    };
    let mails = match mail::recipient_allowed(state, &to).await? {
        true => vec![mail],
        false => Vec::new(),
    };
    state.db.insert_challenge(&challenge, &mails).await?;
    mail::queued(state, mails.len());
    Ok(challenge)
}

fn form<'a>(pending: &'a Pending, challenge: &Challenge, locale: Locale) -> code::Form<'a> {
    code::Form {
        locale,
        action: action(&pending.interaction.id),
        csrf: pending.csrf.as_str().into(),
        challenge: challenge.id.clone(),
        email: Some(challenge.email.clone()),
        code: String::new(),
        new_password: false,
        resend: true,
        redirect_uri: pending.redirect_uri(),
    }
}

/// A typed code (or "send a new code") for this interaction's sign-up.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    address: ClientAddress,
    Path(id): Path<String>,
    Form(typed): Form<Typed>,
) -> Result<Response, PageError> {
    if !state.config.sign_up || !email::enabled(&state) {
        return Ok(expired(&state, &headers));
    }
    let pending = pending(&state, &headers, &id).await?;
    if !hash_matches(&typed.csrf, &pending.interaction.csrf_hash) {
        return Ok(expired(&state, &headers));
    }
    let locale = pending.locale(&headers);
    let found = state.db.find_challenge(&typed.challenge).await;
    let found = found.or_page(&state, &headers)?;
    let Some((challenge, account)) = found.and_then(|c| {
        let account: Account = serde_json::from_str(c.pending.as_deref()?).ok()?;
        (c.purpose == Purpose::SignUp && account.interaction == id).then_some((c, account))
    }) else {
        return Ok(expired(&state, &headers));
    };
    let form = form(&pending, &challenge, locale);
    if typed.resend.is_some() {
        let refusal = mail::address_refusal(&state, address, locale).await;
        if let Some((message, wait)) = refusal.or_page(&state, &headers)? {
            return Ok(form.too_many(&state, &message, wait));
        }
        let renewed = send(&state, locale, account)
            .await
            .or_page(&state, &headers)?;
        let form = self::form(&pending, &renewed, locale);
        return Ok(form.render(&state, Some(locale.text().email.resent), None, None));
    }
    let verdict = code::check(&state, address, &form, Some(challenge), &typed.code).await;
    let challenge = match verdict.or_page(&state, &headers)? {
        Verdict::Valid(challenge) => challenge,
        Verdict::Refused(page) => return Ok(page),
    };
    let now = state.clock.now_ms();
    let user = User {
        id: latchkey_core::random::id(),
        username: account.username.clone(),
        primary_email: Some(account.email.clone()),
        primary_email_verified: true,
        primary_phone: None,
        name: None,
        password_hash: account.password_hash,
        is_suspended: false,
        created_at: now,
        updated_at: now,
        last_sign_in_at: None,
        custom_data: json!({}),
        profile: json!({}),
        avatar: None,
    };
    let finished = state
        .db
        .finish_sign_up(&challenge.id, &challenge.code_hash, now, &user);
    match finished.await {
        Ok(true) => {
            let details = json!({"primaryEmailVerified": true});
            let target = ("user", user.id.as_str());
            audit::write_now(&state, &actor(&pending), "user.create", target, details).await;
            start_session(&state, &headers, (&user.id, Amr::password()), &id, None).await
        }
        Ok(false) => Ok(form.render(&state, None, Some(locale.text().email.code_spent), None)),
        // Taken meanwhile (another sign-up with the same username finished first).
        Err(latchkey_store::Error::Conflict) => {
            let error = (locale.text().account_exists, "username");
            let entered = (
                account.username.as_deref().unwrap_or_default(),
                account.email.as_str(),
            );
            render(&state, &headers, &pending, entered, Some(error)).await
        }
        Err(e) => Err(PageError::new(&state, &headers, e)),
    }
}
