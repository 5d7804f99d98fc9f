//! Grants and what is issued under them: what a user allowed a client, and the codes,
//! refresh tokens and opaque access tokens that hang from it. Revoking a grant ends them all.

use aws_lc_rs::digest::{SHA256, digest};

/// The stored form of a bearer secret (session id, code, token): SHA-256, lowercase hex.
pub fn token_hash(value: &str) -> String {
    digest(&SHA256, value.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
}
