//! Unguessable identifiers and secrets, from the operating system's CSPRNG.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const ID_ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Random bytes. The system generator failing is not recoverable, so it aborts loudly.
pub fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    #[allow(clippy::expect_used)]
    SystemRandom::new()
        .fill(&mut out)
        .expect("the operating system's random generator failed");
    out
}

/// A 21-character lowercase alphanumeric id (about 108 bits), the shape of Logto's ids.
pub fn id() -> String {
    // 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps the
    // distribution uniform.
    let mut id = String::with_capacity(21);
    while id.len() < 21 {
        for b in bytes::<32>() {
            if b < 252 && id.len() < 21 {
                id.push(ID_ALPHABET[usize::from(b % 36)] as char);
            }
        }
    }
    id
}

/// A 256-bit secret, base64url without padding (43 characters).
pub fn secret() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<32>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_21_lowercase_alphanumerics_and_differ() {
        let a = id();
        assert_eq!(a.len(), 21);
        assert!(a.bytes().all(|b| ID_ALPHABET.contains(&b)));
        assert_ne!(a, id());
    }

    #[test]
    fn secrets_carry_256_bits() {
        let s = secret();
        assert_eq!(URL_SAFE_NO_PAD.decode(&s).map(|b| b.len()), Ok(32));
    }
}
