//! Signing keys: generation, rotation states, the public JWK, and encryption at rest.
//!
//! Each algorithm has one `current` key (signs), one `next` key (published ahead so that
//! every verifier knows it before it signs anything) and at most one `previous` key
//! (published until what it signed has expired). `kid` is the RFC 7638 thumbprint.

use aws_lc_rs::aead::{AES_256_GCM, Aad, Nonce, RandomizedNonceKey};
use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::jwt::{Algorithm, JwtError, PublicKey, Signer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    Next,
    Current,
    Previous,
}

impl KeyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Next => "next",
            Self::Current => "current",
            Self::Previous => "previous",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Next, Self::Current, Self::Previous]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

/// A signing key as stored: `private_key` is PKCS#8 DER, sealed when `encrypted`.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey {
    pub kid: String,
    pub algorithm: Algorithm,
    pub state: KeyState,
    pub private_key: Vec<u8>,
    pub encrypted: bool,
    /// When it was published (generated).
    pub created_at: i64,
    /// When it stopped signing (became `previous`).
    pub retired_at: Option<i64>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .field("state", &self.state)
            .field("encrypted", &self.encrypted)
            .finish_non_exhaustive()
    }
}

/// A new PKCS#8 v1 private key for `algorithm` (RSA-2048 or P-256).
pub fn generate_pkcs8(algorithm: Algorithm) -> Result<Vec<u8>, JwtError> {
    match algorithm {
        Algorithm::RS256 => {
            let key = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| JwtError::BadKey)?;
            let der: aws_lc_rs::encoding::Pkcs8V1Der<'_> =
                key.as_der().map_err(|_| JwtError::BadKey)?;
            Ok(der.as_ref().to_vec())
        }
        Algorithm::ES256 => {
            let key = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                .map_err(|_| JwtError::BadKey)?;
            Ok(key
                .to_pkcs8v1()
                .map_err(|_| JwtError::BadKey)?
                .as_ref()
                .to_vec())
        }
    }
}

/// Generate a key in `state`, sealed with `encryption` when one is configured.
pub fn generate(
    algorithm: Algorithm,
    state: KeyState,
    encryption: Option<&KeyEncryption>,
    now_ms: i64,
) -> Result<SigningKey, JwtError> {
    let der = generate_pkcs8(algorithm)?;
    let kid = thumbprint(&Signer::from_pkcs8(String::new(), algorithm, &der)?.public_key());
    let (private_key, encrypted) = match encryption {
        Some(enc) => (enc.seal(&kid, &der)?, true),
        None => (der, false),
    };
    Ok(SigningKey {
        kid,
        algorithm,
        state,
        private_key,
        encrypted,
        created_at: now_ms,
        retired_at: None,
    })
}

/// The public JWK (RFC 7517) of a key, with `kid`, `alg` and `use`.
pub fn public_jwk(kid: &str, public: &PublicKey) -> Value {
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    match public {
        PublicKey::Rsa { n, e } => {
            json!({"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": b64(n), "e": b64(e)})
        }
        PublicKey::Ec { point } => {
            let (x, y) = point
                .get(1..)
                .unwrap_or_default()
                .split_at(point.len().saturating_sub(1) / 2);
            json!({"kty": "EC", "use": "sig", "alg": "ES256", "kid": kid, "crv": "P-256", "x": b64(x), "y": b64(y)})
        }
    }
}

/// RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order.
pub fn thumbprint(public: &PublicKey) -> String {
    let b64 = |bytes: &[u8]| URL_SAFE_NO_PAD.encode(bytes);
    let canonical = match public {
        PublicKey::Rsa { n, e } => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n)),
        PublicKey::Ec { point } => {
            let (x, y) = point
                .get(1..)
                .unwrap_or_default()
                .split_at(point.len().saturating_sub(1) / 2);
            format!(
                r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
                b64(x),
                b64(y)
            )
        }
    };
    b64(digest(&SHA256, canonical.as_bytes()).as_ref())
}

/// AES-256-GCM under a key derived (HKDF-SHA256) from the operator's secret. The `kid` is
/// authenticated data, so a sealed key cannot be moved to another row.
pub struct KeyEncryption {
    key: RandomizedNonceKey,
}

impl std::fmt::Debug for KeyEncryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyEncryption(..)")
    }
}

const NONCE_LEN: usize = 12;

impl KeyEncryption {
    pub fn from_secret(secret: &[u8]) -> Result<Self, JwtError> {
        Self::for_purpose(secret, b"latchkey signing-key encryption v1")
    }

    /// A key from `secret` for one `purpose` only: keys derived for two purposes from the
    /// same secret open nothing of each other's.
    pub fn for_purpose(secret: &[u8], purpose: &[u8]) -> Result<Self, JwtError> {
        let prk = Salt::new(HKDF_SHA256, purpose).extract(secret);
        let mut key_bytes = [0u8; 32];
        prk.expand(&[b"aes-256-gcm"], &AES_256_GCM)
            .and_then(|okm| okm.fill(&mut key_bytes))
            .map_err(|_| JwtError::BadKey)?;
        let key =
            RandomizedNonceKey::new(&AES_256_GCM, &key_bytes).map_err(|_| JwtError::BadKey)?;
        Ok(Self { key })
    }

    /// nonce || ciphertext || tag
    pub fn seal(&self, kid: &str, plaintext: &[u8]) -> Result<Vec<u8>, JwtError> {
        let mut data = plaintext.to_vec();
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(kid.as_bytes()), &mut data)
            .map_err(|_| JwtError::BadKey)?;
        let mut sealed = nonce.as_ref().to_vec();
        sealed.extend_from_slice(&data);
        Ok(sealed)
    }

    pub fn open(&self, kid: &str, sealed: &[u8]) -> Result<Vec<u8>, JwtError> {
        if sealed.len() < NONCE_LEN {
            return Err(JwtError::BadKey);
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| JwtError::BadKey)?;
        let mut data = ciphertext.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut data)
            .map_err(|_| JwtError::BadKey)?;
        Ok(plain.to_vec())
    }
}

/// The signer for a stored key, opening it with `encryption` when it is sealed.
pub fn signer(key: &SigningKey, encryption: Option<&KeyEncryption>) -> Result<Signer, KeyError> {
    let der = match (key.encrypted, encryption) {
        (false, _) => key.private_key.clone(),
        (true, Some(enc)) => enc
            .open(&key.kid, &key.private_key)
            .map_err(|_| KeyError::WrongSecret)?,
        (true, None) => return Err(KeyError::SecretMissing),
    };
    Signer::from_pkcs8(key.kid.clone(), key.algorithm, &der).map_err(|_| KeyError::Corrupt)
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "the signing keys are encrypted at rest; set LATCHKEY_SECRET_KEY or LATCHKEY_SECRET_KEY_FILE"
    )]
    SecretMissing,
    #[error("LATCHKEY_SECRET_KEY does not decrypt the stored signing keys")]
    WrongSecret,
    #[error("a stored signing key could not be read")]
    Corrupt,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_thumbprint_kids_and_public_jwks() {
        for alg in [Algorithm::RS256, Algorithm::ES256] {
            let key = generate(alg, KeyState::Current, None, 0).unwrap_or_else(|e| panic!("{e}"));
            let signer = signer(&key, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(key.kid, thumbprint(&signer.public_key()));
            let jwk = public_jwk(&key.kid, &signer.public_key());
            assert_eq!(jwk["alg"], alg.as_str());
            assert!(jwk.get("d").is_none());
        }
    }

    #[test]
    fn ec_jwk_has_32_byte_coordinates() {
        let key =
            generate(Algorithm::ES256, KeyState::Next, None, 0).unwrap_or_else(|e| panic!("{e}"));
        let jwk = public_jwk(
            &key.kid,
            &signer(&key, None)
                .unwrap_or_else(|e| panic!("{e}"))
                .public_key(),
        );
        for c in ["x", "y"] {
            let bytes = URL_SAFE_NO_PAD
                .decode(jwk[c].as_str().unwrap_or_default())
                .unwrap_or_default();
            assert_eq!(bytes.len(), 32);
        }
    }

    #[test]
    fn a_key_for_one_purpose_opens_nothing_sealed_for_another() {
        let secret = b"one secret, two purposes";
        let seal = |purpose: &[u8]| {
            KeyEncryption::for_purpose(secret, purpose).unwrap_or_else(|e| panic!("{e}"))
        };
        let sealed = seal(b"a")
            .seal("app", b"value")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            seal(b"a").open("app", &sealed).ok(),
            Some(b"value".to_vec())
        );
        assert!(seal(b"b").open("app", &sealed).is_err());
        assert!(seal(b"a").open("other app", &sealed).is_err());
    }

    #[test]
    fn sealed_keys_open_only_with_the_same_secret_and_kid() {
        let enc = KeyEncryption::from_secret(b"an operator secret of enough length!")
            .unwrap_or_else(|e| panic!("{e}"));
        let key = generate(Algorithm::ES256, KeyState::Current, Some(&enc), 0)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(key.encrypted);
        assert!(signer(&key, Some(&enc)).is_ok());
        assert_eq!(signer(&key, None).err(), Some(KeyError::SecretMissing));
        let other = KeyEncryption::from_secret(b"another operator secret, also long")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            signer(&key, Some(&other)).err(),
            Some(KeyError::WrongSecret)
        );
        let moved = SigningKey {
            kid: "other".into(),
            ..key
        };
        assert_eq!(
            signer(&moved, Some(&enc)).err(),
            Some(KeyError::WrongSecret)
        );
    }

    #[test]
    fn rfc7638_thumbprint_example() {
        // RFC 7638 §3.1.
        let n = URL_SAFE_NO_PAD.decode("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw").unwrap_or_default();
        let public = PublicKey::Rsa {
            n,
            e: vec![1, 0, 1],
        };
        assert_eq!(
            thumbprint(&public),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }
}
