//! Users: identifiers, their rules, and password hashing (argon2id).

use crate::registration::Invalid;

#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub username: Option<String>,
    pub primary_email: Option<String>,
    /// Whether the owner of `primary_email` proved it (a code sent there was typed back), or
    /// an administrator said so.
    pub primary_email_verified: bool,
    pub primary_phone: Option<String>,
    pub name: Option<String>,
    /// PHC string of an argon2id hash; never leaves the server.
    pub password_hash: Option<String>,
    pub is_suspended: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_sign_in_at: Option<i64>,
    /// A JSON object, released with the `custom_data` scope.
    pub custom_data: serde_json::Value,
    /// Standard profile fields in Logto's camelCase shape (`givenName`, `familyName`,
    /// `nickname`, `locale`, `address`, ...), released with `profile` and `address`.
    pub profile: serde_json::Value,
    /// The picture's URL (`picture` claim).
    pub avatar: Option<String>,
}

impl User {
    /// Whether the account works at all. A suspended user can neither sign in nor use a
    /// session, a refresh token or an access token issued before the suspension; the
    /// management API and console still show and change the account.
    pub fn is_active(&self) -> bool {
        !self.is_suspended
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("is_suspended", &self.is_suspended)
            .finish_non_exhaustive()
    }
}

/// Longest password accepted: longer input is refused before any hashing work.
pub const MAX_PASSWORD_BYTES: usize = 1024;
pub const MIN_PASSWORD_CHARS: usize = 8;

/// An identifier (username, email) as typed, in the one form it is stored and compared in:
/// trimmed and NFKC-normalised, so that full-width or compatibility look-alikes
/// (`ａｌｉｃｅ`, `ﬁ`) become the plain letters they stand for. Case is folded where
/// identifiers are compared, and both kinds are ASCII once normalised, so every database folds
/// them the same way.
pub fn normalize_identifier(value: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // Spaces around it go; control characters stay, at either end too, so that the checks
    // refuse them and `alice\r\n` is never taken for `alice`.
    value
        .trim_matches(|c: char| c.is_whitespace() && !c.is_control())
        .nfkc()
        .collect()
}

/// A username: starts with a letter or `_`, then letters, digits or `_`; at most 128.
pub fn check_username(value: &str) -> Result<(), Invalid> {
    let mut chars = value.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || value.len() > 128 || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Invalid::new(
            "username",
            "user.invalid_username",
            "a username starts with a letter or _ and holds only letters, digits and _ (at most 128)",
        ));
    }
    Ok(())
}

pub fn check_email(value: &str) -> Result<(), Invalid> {
    // ASCII only (internationalised domains in their punycode form): no Unicode look-alikes,
    // and case folds identically in every database.
    let valid = value.len() <= 254
        && value.chars().all(|c| c.is_ascii_graphic())
        && value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !valid {
        return Err(Invalid::new(
            "primaryEmail",
            "user.invalid_email",
            "primaryEmail is not an email address (ASCII; internationalised domains as punycode)",
        ));
    }
    Ok(())
}

/// A phone number: digits, optionally after a `+`, 5 to 20 digits.
pub fn check_phone(value: &str) -> Result<(), Invalid> {
    let digits = value.strip_prefix('+').unwrap_or(value);
    if !(5..=20).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Invalid::new(
            "primaryPhone",
            "user.invalid_phone",
            "primaryPhone must be digits, optionally starting with +",
        ));
    }
    Ok(())
}

/// A new password: 8 characters or more, at most 1024 bytes, and not one of the most common
/// (NIST SP 800-63B).
pub fn check_password(value: &str) -> Result<(), Invalid> {
    if value.len() > MAX_PASSWORD_BYTES {
        return Err(Invalid::new(
            "password",
            "user.password_too_long",
            "password must be at most 1024 bytes",
        ));
    }
    if value.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Invalid::new(
            "password",
            "user.password_too_short",
            "password must be at least 8 characters",
        ));
    }
    if crate::common_passwords::contains(value) {
        return Err(Invalid::new(
            "password",
            "user.password_too_common",
            "password is one of the 10,000 most common passwords",
        ));
    }
    Ok(())
}

/// Hash a password with fresh working memory (slow on purpose: callers run it off the async
/// executor).
pub fn hash_password(password: &str) -> Option<String> {
    crate::password::hash(&mut crate::password::Memory::default(), password)
}

/// Check a password against a stored PHC hash, with fresh working memory.
pub fn verify_password(password: &str, hash: &str) -> bool {
    crate::password::verify(&mut crate::password::Memory::default(), password, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse").unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong horse", &hash));
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(check_username("alice_1").is_ok());
        assert!(check_username("1alice").is_err());
        assert!(check_email("a@example.com").is_ok());
        assert!(check_email("a@b").is_err());
        assert!(check_phone("+33612345678").is_ok());
        assert!(check_phone("06-12").is_err());
        assert!(check_password(&"x".repeat(1025)).is_err());
        assert!(check_password("short").is_err());
    }

    #[test]
    fn identifiers_are_normalised_so_that_look_alikes_meet() {
        assert_eq!(normalize_identifier(" ａｌｉｃｅ "), "alice");
        for controlled in ["alice\r\n", "\talice", "al\u{0}ice", "alice\u{85}"] {
            let kept = normalize_identifier(controlled);
            assert!(check_username(&kept).is_err(), "{controlled:?}");
            assert!(check_email(&format!("{kept}@example.com")).is_err());
        }
        assert_eq!(
            normalize_identifier("ﬁona@example.com"),
            "fiona@example.com"
        );
        assert!(check_username(&normalize_identifier("ａｌｉｃｅ")).is_ok());
        assert!(
            check_email("аlice@example.com").is_err(),
            "a Cyrillic а is not ASCII"
        );
        assert!(check_email("alice@xn--bcher-kva.example").is_ok());
    }
}
