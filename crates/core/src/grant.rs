//! Grants and what is issued under them: what a user allowed a client, and the codes,
//! refresh tokens and opaque access tokens that hang from it. Revoking a grant ends them all.

use aws_lc_rs::digest::{SHA256, digest};

/// The stored form of a bearer secret (session id, code, token): SHA-256, lowercase hex,
/// after the time prefix the secret carries if `random::ordered_secret` made it.
pub fn token_hash(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let prefix = crate::random::time_prefix(value).unwrap_or_default();
    let mut key = String::with_capacity(prefix.len() + 64);
    key.push_str(prefix);
    for b in digest(&SHA256, value.as_bytes()).as_ref() {
        key.push(HEX[usize::from(b >> 4)] as char);
        key.push(HEX[usize::from(b & 15)] as char);
    }
    key
}

/// Whether `value` hashes to `stored`, compared in constant time.
pub fn hash_matches(value: &str, stored: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(
        token_hash(value).as_bytes(),
        stored.as_bytes(),
    )
    .is_ok()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id_hash: Option<String>,
    /// Space-separated granted scopes.
    pub scope: String,
    pub resources: Vec<String>,
    /// When the user authenticated, milliseconds.
    pub auth_time: i64,
    /// How the user authenticated (`amr`), for the ID tokens issued under it.
    pub amr: crate::mfa::Amr,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationCode {
    pub code_hash: String,
    pub grant_id: String,
    pub redirect_uri: String,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: String,
    pub grant_id: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpaqueAccessToken {
    pub token_hash: String,
    pub grant_id: String,
    pub scope: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// The outcome of consuming a single-use artefact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken<T> {
    /// This caller consumed it; nobody else ever will.
    Taken(T),
    /// It was consumed before: a replay. The caller revokes the grant it belongs to.
    Reused { grant_id: String },
    /// Unknown, expired, or its grant was revoked.
    Missing,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hashes_are_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn an_ordered_secret_keeps_its_time_prefix_in_its_key() {
        let (early, late) = (
            crate::random::ordered_secret(1_796_000_000_000),
            crate::random::ordered_secret(1_796_000_000_001),
        );
        let key = token_hash(&early);
        assert_eq!(key.len(), crate::random::TIME_PREFIX_LEN + 64);
        assert!(key.starts_with(&early[..crate::random::TIME_PREFIX_LEN]));
        assert!(key < token_hash(&late));
        assert!(hash_matches(&early, &key));
        assert!(!hash_matches(&late, &key));
    }
}
