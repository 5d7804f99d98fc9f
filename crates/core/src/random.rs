//! Unguessable identifiers and secrets, from the operating system's CSPRNG.

use aws_lc_rs::rand::{SecureRandom, SystemRandom};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

const ID_ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Base-36 digits in the order they sort as text.
const TIME_DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Width of a time prefix: nine base-36 digits of milliseconds last until the year 5188.
pub const TIME_PREFIX_LEN: usize = 9;

/// Length of an ordered secret: the time prefix and 43 characters of randomness.
const ORDERED_SECRET_LEN: usize = TIME_PREFIX_LEN + 43;

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
    let mut id = String::with_capacity(21);
    fill_id(&mut id);
    id
}

/// Random id characters appended to `id` until it is 21 characters long.
fn fill_id(id: &mut String) {
    // 252 is the largest multiple of 36 below 256: rejecting bytes above it keeps the
    // distribution uniform.
    while id.len() < 21 {
        for b in bytes::<32>() {
            if b < 252 && id.len() < 21 {
                id.push(ID_ALPHABET[usize::from(b % 36)] as char);
            }
        }
    }
}

/// A 256-bit secret, base64url without padding (43 characters).
pub fn secret() -> String {
    URL_SAFE_NO_PAD.encode(bytes::<32>())
}

/// A 256-bit secret after a prefix that sorts by `now_ms` (52 characters). Its stored key
/// (`grant::token_hash`) keeps that prefix, so an index of keys grows at its end instead of
/// at a random page per insert (decision 0013).
pub fn ordered_secret(now_ms: i64) -> String {
    let mut value = String::with_capacity(ORDERED_SECRET_LEN);
    push_time(&mut value, now_ms);
    URL_SAFE_NO_PAD.encode_string(bytes::<32>(), &mut value);
    value
}

/// A 21-character lowercase alphanumeric id like `id`, whose first nine characters sort by
/// `now_ms` and whose last twelve (about 62 bits) are random: for records inserted often,
/// whose indexes then grow at their end.
pub fn ordered_id(now_ms: i64) -> String {
    let mut id = String::with_capacity(21);
    push_time(&mut id, now_ms);
    fill_id(&mut id);
    id
}

/// The time prefix of a value `ordered_secret` made, if it is one.
pub fn time_prefix(value: &str) -> Option<&str> {
    let prefix = value.get(..TIME_PREFIX_LEN)?;
    let ordered =
        value.len() == ORDERED_SECRET_LEN && prefix.bytes().all(|b| TIME_DIGITS.contains(&b));
    ordered.then_some(prefix)
}

fn push_time(out: &mut String, now_ms: i64) {
    let mut t = u64::try_from(now_ms).unwrap_or(0);
    let mut digits = [b'0'; TIME_PREFIX_LEN];
    for d in digits.iter_mut().rev() {
        *d = TIME_DIGITS[(t % 36) as usize];
        t /= 36;
    }
    out.extend(digits.iter().map(|&d| d as char));
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
    fn ordered_values_sort_by_time_and_keep_their_randomness() {
        let (early, late) = (1_796_000_000_000, 1_796_000_000_001);
        assert!(ordered_id(early) < ordered_id(late));
        assert!(ordered_secret(early) < ordered_secret(late));
        assert_ne!(ordered_id(early), ordered_id(early));
        let id = ordered_id(early);
        assert_eq!(id.len(), 21);
        assert!(id.bytes().all(|b| ID_ALPHABET.contains(&b)));
        let value = ordered_secret(early);
        assert_eq!(time_prefix(&value), Some(&value[..TIME_PREFIX_LEN]));
        assert_eq!(
            URL_SAFE_NO_PAD
                .decode(&value[TIME_PREFIX_LEN..])
                .map(|b| b.len()),
            Ok(32)
        );
        // Secrets of the earlier shape, and anything else, carry no prefix.
        assert_eq!(time_prefix(&secret()), None);
        assert_eq!(time_prefix(&"Z".repeat(52)), None);
    }

    #[test]
    fn secrets_carry_256_bits() {
        let s = secret();
        assert_eq!(URL_SAFE_NO_PAD.decode(&s).map(|b| b.len()), Ok(32));
    }
}
