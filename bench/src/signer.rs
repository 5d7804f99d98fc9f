//! The least a JWT token endpoint does, for the bare servers of `floor.rs`: sign the header
//! and claims of an access token's size, with ES256 (P-256) or RS256 (RSA-2048), through
//! aws-lc-rs as Latchkey does.

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Es256,
    Rs256,
}

enum Key {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
}

pub struct Signer {
    key: Key,
    rng: SystemRandom,
    signing_input: String,
}

impl Signer {
    pub fn new(algorithm: Algorithm) -> anyhow::Result<Self> {
        let rng = SystemRandom::new();
        let (key, name) = match algorithm {
            Algorithm::Es256 => {
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
                    .context("P-256 key")?;
                let key =
                    EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref())
                        .context("P-256 key")?;
                (Key::Es256(key), "ES256")
            }
            Algorithm::Rs256 => {
                let key = RsaKeyPair::generate(KeySize::Rsa2048).context("RSA key")?;
                (Key::Rs256(key), "RS256")
            }
        };
        let header = format!(r#"{{"alg":"{name}","typ":"at+jwt","kid":"bench"}}"#);
        let claims = r#"{"iss":"http://127.0.0.1/oidc","sub":"bench-machine-client","aud":"https://api.bench.example","client_id":"bench-machine-client","scope":"read","iat":1700000000,"exp":1700003600,"jti":"0123456789abcdefghijkl"}"#;
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(claims)
        );
        Ok(Self {
            key,
            rng,
            signing_input,
        })
    }

    fn signature(&self) -> Option<Vec<u8>> {
        let input = self.signing_input.as_bytes();
        match &self.key {
            Key::Es256(key) => key.sign(&self.rng, input).ok().map(|s| s.as_ref().to_vec()),
            Key::Rs256(key) => {
                let mut signature = vec![0; key.public_modulus_len()];
                key.sign(&RSA_PKCS1_SHA256, &self.rng, input, &mut signature)
                    .ok()?;
                Some(signature)
            }
        }
    }

    pub fn token_response(&self) -> String {
        self.token_response_with("")
    }

    /// A token response that also hands out `refresh`, as a redemption or rotation does.
    pub fn token_response_with_refresh(&self, refresh: &str) -> String {
        self.token_response_with(&format!(r#","refresh_token":"{refresh}""#))
    }

    fn token_response_with(&self, more: &str) -> String {
        let signature = self
            .signature()
            .map(|s| URL_SAFE_NO_PAD.encode(s))
            .unwrap_or_default();
        format!(
            r#"{{"access_token":"{}.{signature}","token_type":"Bearer","expires_in":3600,"scope":"read"{more}}}"#,
            self.signing_input
        )
    }
}
