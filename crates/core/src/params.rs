//! Request parameters from an `application/x-www-form-urlencoded` body or query string.
//!
//! RFC 6749 §3.1: parameters without a value are treated as omitted, and no parameter may
//! appear more than once, except `resource`, which RFC 8707 allows to repeat.

use percent_encoding::percent_decode;

use crate::OAuthError;

/// Parameters that may legitimately appear several times.
const REPEATABLE: &[&str] = &["resource"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Decode a form body, refusing invalid UTF-8 and repeated parameters.
    pub fn parse(body: &[u8]) -> Result<Self, OAuthError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for field in body.split(|&b| b == b'&').filter(|f| !f.is_empty()) {
            let (name, value) = match field.iter().position(|&b| b == b'=') {
                Some(i) => (&field[..i], &field[i + 1..]),
                None => (field, &b""[..]),
            };
            let (name, value) = (decode(name)?, decode(value)?);
            if value.is_empty() {
                continue;
            }
            if !REPEATABLE.contains(&name.as_str()) && pairs.iter().any(|(n, _)| *n == name) {
                return Err(OAuthError::invalid_request(format!(
                    "parameter '{}' was given more than once",
                    printable(&name)
                )));
            }
            pairs.push((name, value));
        }
        Ok(Self { pairs })
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable parameter, in order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One form-encoded name or value, decoded (`+` is a space).
pub fn decode(raw: &[u8]) -> Result<String, OAuthError> {
    // Most names and values have nothing to decode: one copy rather than three.
    let bytes: Vec<u8> = if raw.iter().any(|&b| b == b'%' || b == b'+') {
        let plus_as_space: Vec<u8> = raw
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        percent_decode(&plus_as_space).collect()
    } else {
        raw.to_vec()
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| OAuthError::invalid_request("parameters must be valid UTF-8"))?;
    // RFC 6749 Appendix A: no OAuth parameter holds control characters; NUL and friends are
    // only ever a probe for a parser or a log line to break.
    if text.chars().any(char::is_control) {
        return Err(OAuthError::invalid_request(
            "parameters must not contain control characters",
        ));
    }
    Ok(text)
}

/// A parameter name safe to echo in an error description: short, and without control characters.
fn printable(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_invalid_utf8_are_refused() {
        for body in [
            &b"state=a%00b"[..],
            b"state=a%0Ab",
            b"scope=a%7Fb",
            b"state=%FF",
            b"x%01=1",
        ] {
            assert!(Params::parse(body).is_err(), "{body:?}");
        }
        assert!(
            Params::parse("state=caf%C3%A9".as_bytes()).is_ok(),
            "non-ASCII text is fine"
        );
    }

    #[test]
    fn decodes_percent_and_plus() {
        let p = Params::parse(b"scope=read+write&redirect_uri=https%3A%2F%2Fa.example%2Fcb")
            .unwrap_or_default();
        assert_eq!(p.get("scope"), Some("read write"));
        assert_eq!(p.get("redirect_uri"), Some("https://a.example/cb"));
    }

    #[test]
    fn empty_values_count_as_omitted() {
        let p = Params::parse(b"scope=&grant_type=client_credentials&scope=a").unwrap_or_default();
        assert_eq!(p.get("scope"), Some("a"));
    }

    #[test]
    fn repeated_parameters_are_invalid_requests() {
        let err = Params::parse(b"grant_type=a&grant_type=b").err();
        assert_eq!(err.map(|e| e.code), Some(crate::ErrorCode::InvalidRequest));
    }

    #[test]
    fn resource_may_repeat() {
        let p =
            Params::parse(b"resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb").unwrap_or_default();
        assert_eq!(
            p.get_all("resource").collect::<Vec<_>>(),
            ["https://a", "https://b"]
        );
    }

    #[test]
    fn invalid_utf8_is_refused() {
        assert!(Params::parse(b"scope=%FF").is_err());
    }
}
