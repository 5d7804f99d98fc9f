//! A user form checked field by field before it is sent to the management API (same core
//! rules): every problem at once, each beside its field, in the console's language.

use latchkey_core::user;

use crate::console::ConsoleText;
use crate::console::form::FieldError;
use crate::i18n::Text;

/// The problems of what was typed; `None` for a field the form does not have. Empty fields
/// are left to the API (a user needs a username or an email).
pub fn problems(
    words: &Text,
    text: &ConsoleText,
    (username, email, phone): (&str, &str, Option<&str>),
    password: Option<&str>,
) -> Vec<FieldError> {
    let mut found = Vec::new();
    let mut add = |field, message: &str| {
        found.push(FieldError {
            field,
            message: message.to_owned(),
        })
    };
    let username = user::normalize_identifier(username);
    if !username.is_empty() && user::check_username(&username).is_err() {
        add("username", words.invalid_username);
    }
    let email = user::normalize_identifier(email);
    if !email.is_empty() && user::check_email(&email).is_err() {
        add("email", words.invalid_email);
    }
    if let Some(phone) = phone.map(str::trim).filter(|p| !p.is_empty())
        && user::check_phone(phone).is_err()
    {
        add("phone", text.invalid_phone);
    }
    if let Some(password) = password.filter(|p| !p.is_empty())
        && let Err(invalid) = user::check_password(password)
    {
        add("password", words.password_problem(invalid.code));
    }
    found
}
