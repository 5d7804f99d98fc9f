//! Signing-key operations: list and rotate.

use latchkey_core::jwt::Algorithm;
use latchkey_core::keys::{self, KeyEncryption, SigningKey};
use latchkey_store::Db;

use crate::keyring::{KeyringError, ensure};

/// Key families as Logto names them (`RSA`, `EC`), or by algorithm.
pub fn parse_family(value: &str) -> Option<Algorithm> {
    match value.to_ascii_uppercase().as_str() {
        "RSA" | "RS256" => Some(Algorithm::RS256),
        "EC" | "ES256" => Some(Algorithm::ES256),
        _ => None,
    }
}

/// One rotation step for each algorithm in `algorithms`: next becomes current (it has been
/// published since the previous rotation), current becomes previous (still published for
/// tokens it signed), the old previous is dropped, and a fresh next is published.
pub async fn rotate(
    db: &Db,
    encryption: Option<&KeyEncryption>,
    algorithms: &[Algorithm],
    now_ms: i64,
) -> Result<Vec<SigningKey>, KeyringError> {
    ensure(db, encryption, now_ms).await?;
    for &algorithm in algorithms {
        let next = keys::generate(algorithm, keys::KeyState::Next, encryption, now_ms)?;
        db.rotate_signing_keys(algorithm, &next).await?;
        tracing::info!(algorithm = algorithm.as_str(), new_next = %next.kid, "signing keys rotated");
    }
    Ok(db.find_signing_keys().await?)
}

/// A signing key as the API shows it: never private material.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub id: String,
    /// `RSA` or `EC`, as Logto names the families.
    pub signing_key_algorithm: &'static str,
    pub algorithm: &'static str,
    pub state: &'static str,
    pub created_at: i64,
}

impl From<&SigningKey> for KeyView {
    fn from(k: &SigningKey) -> Self {
        Self {
            id: k.kid.clone(),
            signing_key_algorithm: match k.algorithm {
                Algorithm::RS256 => "RSA",
                Algorithm::ES256 => "EC",
            },
            algorithm: k.algorithm.as_str(),
            state: k.state.as_str(),
            created_at: k.created_at,
        }
    }
}
