//! Scope strings (RFC 6749 §3.3): space-delimited, each token of printable ASCII without
//! `"` or `\`, order-insensitive, no duplicates.

use crate::{ErrorCode, OAuthError};

/// At most this many scopes in one request: enough for any real client, and a bound on work.
pub const MAX_SCOPES: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

impl Scopes {
    pub fn parse(value: &str) -> Result<Self, OAuthError> {
        let mut scopes: Vec<String> = Vec::new();
        for token in value.split(' ').filter(|t| !t.is_empty()) {
            if !token.bytes().all(is_scope_char) {
                return Err(OAuthError::new(
                    ErrorCode::InvalidScope,
                    "scope contains a character RFC 6749 does not allow",
                ));
            }
            if !scopes.iter().any(|s| s == token) {
                scopes.push(token.to_owned());
            }
        }
        if scopes.len() > MAX_SCOPES {
            return Err(OAuthError::new(ErrorCode::InvalidScope, "too many scopes"));
        }
        Ok(Self(scopes))
    }

    pub fn from_names<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        let mut scopes = Self::default();
        for name in names {
            let name = name.into();
            if !scopes.contains(&name) {
                scopes.0.push(name);
            }
        }
        scopes
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|s| s == name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scopes of `self` that `allowed` also holds, in `self`'s order.
    pub fn intersect(&self, allowed: &Self) -> Self {
        Self(
            self.0
                .iter()
                .filter(|s| allowed.contains(s))
                .cloned()
                .collect(),
        )
    }
}

impl serde::Serialize for Scopes {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_string())
    }
}

impl<'de> serde::Deserialize<'de> for Scopes {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = String::deserialize(deserializer)?;
        Self::parse(&value).map_err(|e| serde::de::Error::custom(e.description))
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

fn is_scope_char(b: u8) -> bool {
    matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_deduplicates() {
        let s = Scopes::parse("read  write read").unwrap_or_default();
        assert_eq!(s.to_string(), "read write");
    }

    #[test]
    fn refuses_quotes_backslashes_and_non_ascii() {
        for bad in ["a\"b", "a\\b", "café", "a\tb"] {
            assert!(Scopes::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn intersection_keeps_requested_order() {
        let requested = Scopes::parse("c a b").unwrap_or_default();
        let allowed = Scopes::from_names(["a", "c"]);
        assert_eq!(requested.intersect(&allowed).to_string(), "c a");
    }
}
