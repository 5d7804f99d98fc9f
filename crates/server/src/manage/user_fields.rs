//! The checks a user's fields pass before they are stored: identifiers normalised, custom
//! data and profile bounded, the avatar an https URL.

use latchkey_core::registration::Invalid;
use latchkey_core::user::User;

use super::Error;

pub(super) fn checked(
    value: Option<String>,
    check: fn(&str) -> Result<(), Invalid>,
) -> Result<Option<String>, Invalid> {
    let normalized = value.map(|v| latchkey_core::user::normalize_identifier(&v));
    match normalized.filter(|v| !v.is_empty()) {
        Some(v) => check(&v).map(|()| Some(v)),
        None => Ok(None),
    }
}

/// `customData` is a JSON object of at most 16 KiB.
pub(super) fn check_custom_data(
    value: Option<serde_json::Value>,
) -> Result<serde_json::Value, Error> {
    let value = value.unwrap_or_else(|| serde_json::json!({}));
    if !value.is_object() || value.to_string().len() > 16 * 1024 {
        return Err(Error::invalid(
            "user.invalid_custom_data",
            "customData must be a JSON object of at most 16 KiB",
        )
        .with_field("customData"));
    }
    Ok(value)
}

/// Known profile fields only, each a string (`address`: an object of strings).
pub(super) fn check_profile(value: Option<serde_json::Value>) -> Result<serde_json::Value, Error> {
    let value = value.unwrap_or_else(|| serde_json::json!({}));
    let invalid =
        |why: &str| Error::invalid("user.invalid_profile", why.to_owned()).with_field("profile");
    let object = value
        .as_object()
        .ok_or_else(|| invalid("profile must be a JSON object"))?;
    for (key, field) in object {
        let ok = match key.as_str() {
            "address" => field.as_object().is_some_and(|a| {
                a.iter().all(|(k, v)| {
                    ADDRESS_FIELDS.contains(&k.as_str())
                        && v.as_str().is_some_and(|s| s.len() <= 512)
                })
            }),
            k if PROFILE_FIELDS.contains(&k) => field.as_str().is_some_and(|s| s.len() <= 512),
            _ => false,
        };
        if !ok {
            return Err(invalid(&format!(
                "profile.{key} is not a known field with a short string value"
            )));
        }
    }
    Ok(value)
}

const PROFILE_FIELDS: [&str; 10] = [
    "givenName",
    "familyName",
    "middleName",
    "nickname",
    "profile",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
];
const ADDRESS_FIELDS: [&str; 6] = [
    "formatted",
    "streetAddress",
    "locality",
    "region",
    "postalCode",
    "country",
];

pub(super) fn check_avatar(value: Option<String>) -> Result<Option<String>, Error> {
    match value {
        None => Ok(None),
        Some(url)
            if url.len() <= 2048 && url::Url::parse(&url).is_ok_and(|u| u.scheme() == "https") =>
        {
            Ok(Some(url))
        }
        Some(_) => Err(
            Error::invalid("user.invalid_avatar", "avatar must be an https URL")
                .with_field("avatar"),
        ),
    }
}

pub(super) fn check_identifiers(user: &User) -> Result<(), Error> {
    if user.username.is_none() && user.primary_email.is_none() && user.primary_phone.is_none() {
        return Err(Error::invalid(
            "user.identifier_required",
            "a user needs a username, an email or a phone number",
        )
        .with_field("username"));
    }
    if let Some(name) = &user.name {
        latchkey_core::registration::check_name("name", name)?;
    }
    Ok(())
}
