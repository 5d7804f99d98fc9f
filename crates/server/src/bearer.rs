//! The bearer token of a request (RFC 6750 §2.1): the `Authorization` header with the
//! `Bearer` scheme, in any case. Tokens in a form body or the query are not accepted.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

/// A handler's bearer token, `None` without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerToken(pub Option<String>);

impl BearerToken {
    /// The token in `headers`, if any.
    pub fn of(headers: &HeaderMap) -> Option<&str> {
        let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
        let (scheme, token) = value.trim().split_once(' ')?;
        let token = token.trim();
        (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for BearerToken {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Self(Self::of(&parts.headers).map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn token(value: &str) -> Option<String> {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).ok()?);
        BearerToken::of(&headers).map(str::to_owned)
    }

    #[test]
    fn only_the_bearer_scheme_with_a_token_counts() {
        assert_eq!(token("Bearer abc"), Some("abc".into()));
        assert_eq!(token("bearer  abc "), Some("abc".into()));
        assert_eq!(token("Basic abc"), None);
        assert_eq!(token("Bearer "), None);
        assert_eq!(token("Bearerabc"), None);
        assert_eq!(BearerToken::of(&HeaderMap::new()), None);
    }
}
