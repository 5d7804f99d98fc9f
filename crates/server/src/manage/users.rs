//! Users: create, change, set password, suspend, delete. Password hashes never leave here.

use latchkey_core::email::Challenge;
use latchkey_core::user::{self, User};
use latchkey_store::outbox::Mail;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Error;
use super::applications::not_found_as;
use super::user_fields::{
    check_avatar, check_custom_data, check_identifiers, check_profile, checked,
};
use super::{Actor, nullable};
use crate::app::AppState;
use crate::audit;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: String,
    pub username: Option<String>,
    pub primary_email: Option<String>,
    /// Whether the owner of `primaryEmail` proved it (a code sent there typed back), or an
    /// administrator said so: `email_verified` in ID tokens and userinfo.
    pub primary_email_verified: bool,
    pub primary_phone: Option<String>,
    pub name: Option<String>,
    pub has_password: bool,
    pub is_suspended: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// Free-form JSON object, released to applications with the `custom_data` scope.
    pub custom_data: serde_json::Value,
    /// Standard profile fields: givenName, familyName, middleName, nickname, profile, website,
    /// gender, birthdate, zoneinfo, locale, address {formatted, streetAddress, locality,
    /// region, postalCode, country}.
    pub profile: serde_json::Value,
    pub avatar: Option<String>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        Self {
            has_password: u.password_hash.is_some(),
            id: u.id,
            username: u.username,
            primary_email: u.primary_email,
            primary_email_verified: u.primary_email_verified,
            primary_phone: u.primary_phone,
            name: u.name,
            is_suspended: u.is_suspended,
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_sign_in_at: u.last_sign_in_at,
            custom_data: u.custom_data,
            profile: u.profile,
            avatar: u.avatar,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    pub username: Option<String>,
    pub primary_email: Option<String>,
    /// Vouch for the address without a code (audited); false by default.
    pub primary_email_verified: Option<bool>,
    pub primary_phone: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
    pub custom_data: Option<serde_json::Value>,
    pub profile: Option<serde_json::Value>,
    pub avatar: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "nullable")]
    pub username: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub primary_email: Option<Option<String>>,
    /// Vouch for the address without a code, or withdraw that (audited). A changed
    /// `primaryEmail` is unverified unless this says otherwise.
    pub primary_email_verified: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    pub primary_phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    pub name: Option<Option<String>>,
    /// Replaces the whole object.
    pub custom_data: Option<serde_json::Value>,
    /// Replaces the whole object.
    pub profile: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "nullable")]
    pub avatar: Option<Option<String>>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PasswordInput {
    pub password: String,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SuspensionInput {
    pub is_suspended: bool,
}

fn identifier_conflict(e: latchkey_store::Error) -> Error {
    match e {
        latchkey_store::Error::Conflict => Error::conflict(
            "user.identifier_exists",
            "the username, email or phone number is already in use",
        ),
        other => other.into(),
    }
}

async fn hash(password: String) -> Result<String, Error> {
    user::check_password(&password)?;
    crate::password::hash(password)
        .await
        .ok_or_else(|| Error::Internal("password hashing failed".into()))
}

pub async fn find(state: &AppState, id: &str) -> Result<User, Error> {
    state
        .db
        .find_user(id)
        .await?
        .ok_or_else(|| Error::NotFound("user"))
}

/// The account `input` describes, checked, its password hashed; not yet stored.
pub async fn new_user(state: &AppState, input: NewUser) -> Result<User, Error> {
    let now = state.clock.now_ms();
    let primary_email = checked(input.primary_email, user::check_email)?;
    let mut user = User {
        id: latchkey_core::random::id(),
        username: checked(input.username, user::check_username)?,
        primary_email_verified: input.primary_email_verified.unwrap_or(false)
            && primary_email.is_some(),
        primary_email,
        primary_phone: checked(input.primary_phone, user::check_phone)?,
        name: input
            .name
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        password_hash: None,
        is_suspended: false,
        created_at: now,
        updated_at: now,
        last_sign_in_at: None,
        custom_data: check_custom_data(input.custom_data)?,
        profile: check_profile(input.profile)?,
        avatar: check_avatar(input.avatar)?,
    };
    check_identifiers(&user)?;
    if let Some(password) = input.password {
        user.password_hash = Some(hash(password).await?);
    }
    Ok(user)
}

pub async fn create(state: &AppState, actor: &Actor, input: NewUser) -> Result<UserView, Error> {
    let user = new_user(state, input).await?;
    add(state, actor, user, None).await
}

/// Store `user` (from [`new_user`]), with the code that will prove its address and the
/// mail carrying it when given, in one transaction.
pub async fn add(
    state: &AppState,
    actor: &Actor,
    user: User,
    code: Option<(Challenge, Mail)>,
) -> Result<UserView, Error> {
    let added = match &code {
        Some((challenge, mail)) => {
            state
                .db
                .insert_user_with_challenge(&user, challenge, mail)
                .await
        }
        None => state.db.insert_user(&user).await,
    };
    added.map_err(identifier_conflict)?;
    if code.is_some() {
        crate::mail::queued(state, 1);
    }
    let details = match user.primary_email_verified {
        true => json!({"primaryEmailVerified": true}),
        false => json!({}),
    };
    audit::write_now(state, actor, "user.create", ("user", &user.id), details).await;
    Ok(user.into())
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: UserPatch,
) -> Result<UserView, Error> {
    let mut user = find(state, id).await?;
    if let Some(v) = patch.username {
        user.username = checked(v, user::check_username)?;
    }
    if let Some(v) = patch.primary_email {
        let before = user.primary_email.take().map(|e| e.to_lowercase());
        user.primary_email = checked(v, user::check_email)?;
        // Another address is not proven by the old one's code.
        if user.primary_email.as_ref().map(|e| e.to_lowercase()) != before {
            user.primary_email_verified = false;
        }
    }
    let vouched = patch.primary_email_verified;
    if let Some(verified) = vouched {
        user.primary_email_verified = verified && user.primary_email.is_some();
    }
    if let Some(v) = patch.primary_phone {
        user.primary_phone = checked(v, user::check_phone)?;
    }
    if let Some(profile) = patch.profile {
        user.profile = check_profile(Some(profile))?;
    }
    if let Some(avatar) = patch.avatar {
        user.avatar = check_avatar(avatar)?;
    }
    if let Some(data) = patch.custom_data {
        user.custom_data = check_custom_data(Some(data))?;
    }
    if let Some(v) = patch.name {
        user.name = v.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
    }
    check_identifiers(&user)?;
    user.updated_at = state.clock.now_ms();
    state
        .db
        .update_user(&user)
        .await
        .map_err(identifier_conflict)?;
    let details = match vouched {
        Some(_) => json!({"primaryEmailVerified": user.primary_email_verified}),
        None => json!({}),
    };
    audit::write_now(state, actor, "user.update", ("user", id), details).await;
    Ok(user.into())
}

pub async fn set_password(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: PasswordInput,
) -> Result<UserView, Error> {
    let mut user = find(state, id).await?;
    let password_hash = hash(input.password).await?;
    user.updated_at = state.clock.now_ms();
    // What the old password opened ends with it (sessions, refresh and opaque tokens).
    state
        .db
        .set_password(id, &password_hash, user.updated_at)
        .await
        .map_err(|e| not_found_as(e, "user"))?;
    user.password_hash = Some(password_hash);
    let details = json!({"sessionsEnded": true, "tokensRevoked": true});
    audit::write_now(state, actor, "user.password.update", ("user", id), details).await;
    Ok(user.into())
}

pub async fn set_suspended(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: SuspensionInput,
) -> Result<UserView, Error> {
    let mut user = find(state, id).await?;
    user.is_suspended = input.is_suspended;
    user.updated_at = state.clock.now_ms();
    state.db.update_user(&user).await?;
    audit::write_now(
        state,
        actor,
        "user.suspension.update",
        ("user", id),
        json!({"isSuspended": input.is_suspended}),
    )
    .await;
    Ok(user.into())
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    state
        .db
        .delete_user(id)
        .await
        .map_err(|e| not_found_as(e, "user"))?;
    audit::write_now(state, actor, "user.delete", ("user", id), json!({})).await;
    Ok(())
}
