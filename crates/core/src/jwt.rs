//! Compact JWS (RFC 7515) signing and verification for RS256 and ES256.
//!
//! The algorithm is bound to the key: a verifier only accepts the `alg` of the key the `kid`
//! names, never picks a key family from the header, and never accepts `none`. The `jku`,
//! `x5u` and `jwk` headers are ignored.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair,
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
    UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Algorithm {
    RS256,
    ES256,
}

impl Algorithm {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "RS256" => Some(Self::RS256),
            "ES256" => Some(Self::ES256),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JwtError {
    #[error("the private key could not be read")]
    BadKey,
    #[error("signing failed")]
    Signing,
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's key is unknown or its algorithm does not match the key")]
    UnknownKey,
    #[error("the token's type is not the one expected")]
    WrongType,
    #[error("the signature is invalid")]
    BadSignature,
}

enum PrivateKey {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

/// A private key ready to sign, with the `kid` it is published under.
pub struct Signer {
    kid: String,
    algorithm: Algorithm,
    key: PrivateKey,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// Build a signer from a PKCS#8 v1 private key.
    pub fn from_pkcs8(kid: String, algorithm: Algorithm, der: &[u8]) -> Result<Self, JwtError> {
        let key = match algorithm {
            Algorithm::RS256 => {
                PrivateKey::Rsa(RsaKeyPair::from_pkcs8(der).map_err(|_| JwtError::BadKey)?)
            }
            Algorithm::ES256 => PrivateKey::Ec(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map_err(|_| JwtError::BadKey)?,
            ),
        };
        Ok(Self {
            kid,
            algorithm,
            key,
        })
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The public half, for verification and for the JWKS.
    pub fn public_key(&self) -> PublicKey {
        match &self.key {
            PrivateKey::Rsa(k) => PublicKey::Rsa {
                n: k.public_key()
                    .modulus()
                    .big_endian_without_leading_zero()
                    .to_vec(),
                e: k.public_key()
                    .exponent()
                    .big_endian_without_leading_zero()
                    .to_vec(),
            },
            PrivateKey::Ec(k) => PublicKey::Ec {
                point: k.public_key().as_ref().to_vec(),
            },
        }
    }

    /// Sign `claims` as a compact JWS with header `{alg, typ, kid}`.
    pub fn sign<C: Serialize>(&self, typ: &str, claims: &C) -> Result<String, JwtError> {
        let header =
            serde_json::json!({"alg": self.algorithm.as_str(), "typ": typ, "kid": self.kid});
        let header = serde_json::to_vec(&header).map_err(|_| JwtError::Signing)?;
        let claims = serde_json::to_vec(claims).map_err(|_| JwtError::Signing)?;
        let mut token = URL_SAFE_NO_PAD.encode(header);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(claims, &mut token);
        let rng = SystemRandom::new();
        let signature = match &self.key {
            PrivateKey::Rsa(k) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&RSA_PKCS1_SHA256, &rng, token.as_bytes(), &mut sig)
                    .map_err(|_| JwtError::Signing)?;
                sig
            }
            PrivateKey::Ec(k) => k
                .sign(&rng, token.as_bytes())
                .map_err(|_| JwtError::Signing)?
                .as_ref()
                .to_vec(),
        };
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut token);
        Ok(token)
    }
}

/// A public key, by family. The family fixes the one algorithm it verifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// The uncompressed P-256 point: 0x04 || x || y.
    Ec {
        point: Vec<u8>,
    },
}

impl PublicKey {
    fn algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa { .. } => Algorithm::RS256,
            Self::Ec { .. } => Algorithm::ES256,
        }
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Self::Rsa { n, e } => RsaPublicKeyComponents { n, e }
                .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
            Self::Ec { point } => UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(message, signature)
                .is_ok(),
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    typ: Option<String>,
}

/// Verify a compact JWS against `keys` (by `kid`) and return its claims. `typ` is compared
/// case-insensitively, with or without the `application/` prefix (RFC 7515 §4.1.9).
pub fn verify<'k>(
    token: &str,
    typ: &str,
    keys: impl IntoIterator<Item = (&'k str, &'k PublicKey)>,
) -> Result<serde_json::Value, JwtError> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| JwtError::Malformed)
    };
    let header: Header = serde_json::from_slice(&decode(h)?).map_err(|_| JwtError::Malformed)?;
    let found_typ = header.typ.unwrap_or_default().to_ascii_lowercase();
    if found_typ.strip_prefix("application/").unwrap_or(&found_typ) != typ.to_ascii_lowercase() {
        return Err(JwtError::WrongType);
    }
    let kid = header.kid.ok_or(JwtError::UnknownKey)?;
    let key = keys
        .into_iter()
        .find(|(k, _)| *k == kid)
        .map(|(_, key)| key)
        .filter(|key| key.algorithm().as_str() == header.alg)
        .ok_or(JwtError::UnknownKey)?;
    let signed_len = h.len() + 1 + c.len();
    if !key.verify(&token.as_bytes()[..signed_len], &decode(s)?) {
        return Err(JwtError::BadSignature);
    }
    serde_json::from_slice(&decode(c)?).map_err(|_| JwtError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::generate_pkcs8;

    fn signer(alg: Algorithm) -> Signer {
        let der = generate_pkcs8(alg).unwrap_or_default();
        Signer::from_pkcs8(format!("k-{}", alg.as_str()), alg, &der)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn both_algorithms_round_trip() {
        for alg in [Algorithm::RS256, Algorithm::ES256] {
            let s = signer(alg);
            let token = s
                .sign("at+jwt", &serde_json::json!({"sub": "x"}))
                .unwrap_or_default();
            let public = s.public_key();
            let claims = verify(&token, "at+jwt", [(s.kid(), &public)]);
            assert_eq!(
                claims
                    .ok()
                    .and_then(|c| c["sub"].as_str().map(str::to_owned)),
                Some("x".into())
            );
        }
    }

    #[test]
    fn a_tampered_token_or_wrong_type_fails() {
        let s = signer(Algorithm::ES256);
        let public = s.public_key();
        let token = s
            .sign("at+jwt", &serde_json::json!({"sub": "x"}))
            .unwrap_or_default();
        assert_eq!(
            verify(&token, "JWT", [(s.kid(), &public)]).err(),
            Some(JwtError::WrongType)
        );
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"sub":"admin"}"#);
        parts[1] = &forged;
        let forged = parts.join(".");
        assert_eq!(
            verify(&forged, "at+jwt", [(s.kid(), &public)]).err(),
            Some(JwtError::BadSignature)
        );
    }

    #[test]
    fn the_header_alg_cannot_choose_another_key_family() {
        let s = signer(Algorithm::ES256);
        let public = s.public_key();
        let header = URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#,
            s.kid()
        ));
        let body = URL_SAFE_NO_PAD.encode(br#"{"sub":"x"}"#);
        let token = format!("{header}.{body}.");
        assert_eq!(
            verify(&token, "at+jwt", [(s.kid(), &public)]).err(),
            Some(JwtError::UnknownKey)
        );
    }
}
