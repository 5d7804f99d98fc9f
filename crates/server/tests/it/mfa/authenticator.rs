//! A software authenticator speaking WebAuthn as a browser and a platform authenticator do
//! together: a P-256 key, "none" attestation, user verification, a signature counter; each
//! part can be set wrong (origin, RP ID, counter) to see it refused.

use aws_lc_rs::digest::{SHA256, digest};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

pub struct Authenticator {
    pub rp_id: String,
    pub origin: String,
    pub counter: u32,
    key: EcdsaKeyPair,
    credential_id: Vec<u8>,
    user_handle: String,
}

/// A CBOR item head (RFC 8949 §3): major type and length or value.
fn head(out: &mut Vec<u8>, major: u8, value: u64) {
    match value {
        0..=23 => out.push(major << 5 | value as u8),
        24..=255 => out.extend([major << 5 | 24, value as u8]),
        _ => {
            out.push(major << 5 | 25);
            out.extend((value as u16).to_be_bytes());
        }
    }
}

fn int(out: &mut Vec<u8>, value: i64) {
    match value {
        0.. => head(out, 0, value as u64),
        _ => head(out, 1, (-1 - value) as u64),
    }
}

fn bytes(out: &mut Vec<u8>, value: &[u8]) {
    head(out, 2, value.len() as u64);
    out.extend(value);
}

fn text(out: &mut Vec<u8>, value: &str) {
    head(out, 3, value.len() as u64);
    out.extend(value.as_bytes());
}

fn b64(value: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(value)
}

impl Authenticator {
    /// An authenticator for the site at `origin` (its host the RP ID).
    pub fn new(origin: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng)
            .unwrap_or_else(|e| panic!("{e}"));
        let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref())
            .unwrap_or_else(|e| panic!("{e}"));
        let host = url::Url::parse(origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        Self {
            rp_id: host,
            origin: origin.to_owned(),
            counter: 0,
            key,
            credential_id: latchkey_core::random::secret().into_bytes(),
            user_handle: String::new(),
        }
    }

    fn client_data(&self, kind: &str, options: &Value) -> Vec<u8> {
        let challenge = options["challenge"].as_str().unwrap_or_default();
        json!({"type": kind, "challenge": challenge, "origin": self.origin, "crossOrigin": false})
            .to_string()
            .into_bytes()
    }

    fn authenticator_data(&mut self, flags: u8) -> Vec<u8> {
        self.counter += 1;
        let mut data = digest(&SHA256, self.rp_id.as_bytes()).as_ref().to_vec();
        data.push(flags);
        data.extend(self.counter.to_be_bytes());
        data
    }

    /// The answer to `navigator.credentials.create` with `options` (the `publicKey` member).
    pub fn register(&mut self, options: &Value) -> String {
        self.user_handle = options["user"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        // User present, user verified, attested credential data.
        let mut data = self.authenticator_data(0x45);
        data.extend([0u8; 16]);
        data.extend((self.credential_id.len() as u16).to_be_bytes());
        data.extend(&self.credential_id);
        let point = self.key.public_key().as_ref();
        let mut cose = Vec::new();
        head(&mut cose, 5, 5);
        for (label, value) in [(1, 2), (3, -7), (-1, 1)] {
            int(&mut cose, label);
            int(&mut cose, value);
        }
        int(&mut cose, -2);
        bytes(&mut cose, &point[1..33]);
        int(&mut cose, -3);
        bytes(&mut cose, &point[33..65]);
        data.extend(cose);
        let mut attestation = Vec::new();
        head(&mut attestation, 5, 3);
        text(&mut attestation, "fmt");
        text(&mut attestation, "none");
        text(&mut attestation, "attStmt");
        head(&mut attestation, 5, 0);
        text(&mut attestation, "authData");
        bytes(&mut attestation, &data);
        let id = b64(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": b64(&self.client_data("webauthn.create", options)),
                "attestationObject": b64(&attestation),
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }

    /// The answer to `navigator.credentials.get` with `options` (the `publicKey` member).
    pub fn assert(&mut self, options: &Value) -> String {
        let client_data = self.client_data("webauthn.get", options);
        let data = self.authenticator_data(0x05);
        let mut signed = data.clone();
        signed.extend(digest(&SHA256, &client_data).as_ref());
        let signature = self
            .key
            .sign(&SystemRandom::new(), &signed)
            .unwrap_or_else(|e| panic!("{e}"));
        let id = b64(&self.credential_id);
        json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": b64(&client_data),
                "authenticatorData": b64(&data),
                "signature": b64(signature.as_ref()),
                "userHandle": self.user_handle,
            },
            "clientExtensionResults": {},
        })
        .to_string()
    }
}
