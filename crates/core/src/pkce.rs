//! Proof Key for Code Exchange (RFC 7636), `S256` only: `plain` would let anyone who sees
//! the authorization request redeem the code.

use aws_lc_rs::constant_time::verify_slices_are_equal;
use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::OAuthError;

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// A `code_challenge` as sent to the authorization endpoint: `S256` of a 32-byte verifier
/// or longer, so exactly 43 base64url characters.
pub fn check_challenge(challenge: &str, method: Option<&str>) -> Result<(), OAuthError> {
    if method != Some("S256") {
        return Err(OAuthError::invalid_request(
            "code_challenge_method must be S256",
        ));
    }
    if challenge.len() != 43 || !challenge.bytes().all(is_unreserved) {
        return Err(OAuthError::invalid_request(
            "code_challenge must be the base64url SHA-256 of the verifier",
        ));
    }
    Ok(())
}

/// A `code_verifier`: 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
pub fn check_verifier(verifier: &str) -> Result<(), OAuthError> {
    if !(43..=128).contains(&verifier.len()) || !verifier.bytes().all(is_unreserved) {
        return Err(OAuthError::invalid_request(
            "code_verifier must be 43 to 128 unreserved characters",
        ));
    }
    Ok(())
}

/// `BASE64URL(SHA256(verifier))`.
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(digest(&SHA256, verifier.as_bytes()))
}

/// Whether `verifier` answers `challenge`, compared in constant time.
pub fn verifies(verifier: &str, challenge: &str) -> bool {
    check_verifier(verifier).is_ok()
        && verify_slices_are_equal(challenge_of(verifier).as_bytes(), challenge.as_bytes()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7636 Appendix B.
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    #[test]
    fn rfc7636_appendix_b() {
        assert_eq!(challenge_of(VERIFIER), CHALLENGE);
        assert!(verifies(VERIFIER, CHALLENGE));
        assert!(!verifies(
            "dBjftJeZ4CVP-mJ0z3Z4ZnkAnQUs6iZ_FG8I6YscAgLB",
            CHALLENGE
        ));
    }

    #[test]
    fn only_s256_challenges_are_accepted() {
        assert!(check_challenge(CHALLENGE, Some("S256")).is_ok());
        assert!(check_challenge(CHALLENGE, Some("plain")).is_err());
        assert!(check_challenge(CHALLENGE, None).is_err());
        assert!(check_challenge("short", Some("S256")).is_err());
    }

    #[test]
    fn verifiers_are_43_to_128_unreserved_characters() {
        assert!(check_verifier(&"a".repeat(43)).is_ok());
        assert!(check_verifier(&"a".repeat(128)).is_ok());
        assert!(check_verifier(&"a".repeat(42)).is_err());
        assert!(check_verifier(&"a".repeat(129)).is_err());
        assert!(check_verifier(&format!("{}+", "a".repeat(43))).is_err());
    }
}
