//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) as authenticator apps use
//! them: HMAC-SHA-1, six digits, 30-second steps, a code accepted one step early or late and
//! only in a step later than the last one used (the caller keeps that step); the secret shown
//! as base32 and inside an `otpauth://` URI. Also the recovery codes that stand in for a lost
//! authenticator.

use aws_lc_rs::hmac;

/// Digits of a code, and the step each lasts.
pub const DIGITS: u32 = 6;
pub const STEP_SECS: i64 = 30;
/// Steps accepted on either side of the current one (a clock a little off, a code typed
/// just as it changed).
pub const SKEW_STEPS: i64 = 1;
/// How many recovery codes a user is given at a time.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A new 160-bit secret (RFC 4226 §4 asks for at least 128; 160 is SHA-1's block size).
pub fn new_secret() -> [u8; 20] {
    crate::random::bytes::<20>()
}

/// The secret as authenticator apps take it typed: RFC 4648 base32, without padding.
pub fn base32(secret: &[u8]) -> String {
    let mut out = String::with_capacity(secret.len().div_ceil(5) * 8);
    for chunk in secret.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            let index = (bits >> (35 - i * 5)) & 31;
            out.push(BASE32[index as usize] as char);
        }
    }
    out
}

/// The secret back from [`base32`] (any case, spaces and padding ignored); `None` if a
/// character is not base32 or bits are left over.
pub fn decode_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut bits, mut count) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !matches!(c, b' ' | b'=')) {
        let value = BASE32.iter().position(|b| *b == c.to_ascii_uppercase())?;
        bits = (bits << 5) | value as u32;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    (bits == 0).then_some(out)
}

/// HOTP (RFC 4226 §5.3): the `digits`-digit code for `counter`.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset],
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]) & 0x7fff_ffff;
    binary % 10u32.pow(digits)
}

/// The step `now_ms` falls in.
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000).div_euclid(STEP_SECS)
}

/// The code for the step `now_ms` falls in (what an authenticator app shows then).
pub fn code_at(secret: &[u8], now_ms: i64) -> String {
    let step = u64::try_from(step_at(now_ms)).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, step, DIGITS),
        width = DIGITS as usize
    )
}

/// The step whose code `typed` is, if it is one of the steps around `now_ms` and later than
/// `last_used` (a code works once, and never after a later one was used).
pub fn verify(secret: &[u8], typed: &str, now_ms: i64, last_used: Option<i64>) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u32 = typed.parse().ok()?;
    let now = step_at(now_ms);
    (now - SKEW_STEPS..=now + SKEW_STEPS)
        .filter(|step| last_used.is_none_or(|last| *step > last))
        .find(|step| {
            let counter = u64::try_from(*step).unwrap_or(0);
            let expected = hotp(secret, counter, DIGITS);
            aws_lc_rs::constant_time::verify_slices_are_equal(
                &expected.to_be_bytes(),
                &value.to_be_bytes(),
            )
            .is_ok()
        })
}

/// The `otpauth://` URI an authenticator app reads from a QR code (the format Google
/// Authenticator defined and every app follows): the issuer, the account, the secret.
pub fn uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let issuer = utf8_percent_encode(issuer, NON_ALPHANUMERIC).to_string();
    let account = utf8_percent_encode(account, NON_ALPHANUMERIC).to_string();
    format!(
        "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        base32(secret)
    )
}

/// Letters and digits that cannot be mistaken for one another when read aloud or copied by
/// hand (no 0/O, 1/I/L, U).
const RECOVERY_ALPHABET: &[u8; 30] = b"ABCDEFGHJKMNPQRSTVWXYZ23456789";

/// New recovery codes, `XXXXX-XXXXX` (10 characters of 30: about 49 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut code = String::with_capacity(11);
            while code.len() < 11 {
                for b in crate::random::bytes::<16>() {
                    // 240 is the largest multiple of 30 below 256: no letter is likelier.
                    if b < 240 && code.len() < 11 {
                        if code.len() == 5 {
                            code.push('-');
                        }
                        code.push(RECOVERY_ALPHABET[usize::from(b % 30)] as char);
                    }
                }
            }
            code
        })
        .collect()
}

/// A recovery code as typed, in the one form it is hashed in: upper case, without spaces or
/// dashes.
pub fn normalize_recovery_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 rows (eight digits).
    #[test]
    fn the_rfc_test_vectors_hold() {
        let secret = b"12345678901234567890";
        for (seconds, code) in [
            (59_u64, 94_287_082),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(hotp(secret, seconds / 30, 8), code, "T = {seconds}");
        }
        assert_eq!(code_at(secret, 59_000), "287082");
        assert_eq!(base32(secret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32(b"f"), "MY", "RFC 4648 §10, unpadded");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn a_code_is_accepted_a_step_either_side_and_once() {
        let secret = new_secret();
        let now = 1_700_000_015_000;
        let code = code_at(&secret, now);
        let step = step_at(now);
        assert_eq!(verify(&secret, &code, now, None), Some(step));
        assert_eq!(
            verify(&secret, &code, now + 30_000, None),
            Some(step),
            "a step late"
        );
        assert_eq!(
            verify(&secret, &code, now - 30_000, None),
            Some(step),
            "a step early"
        );
        assert_eq!(
            verify(&secret, &code, now + 60_000, None),
            None,
            "two steps late"
        );
        assert_eq!(
            verify(&secret, &code, now, Some(step)),
            None,
            "used already"
        );
        let later = code_at(&secret, now + 30_000);
        assert_eq!(
            verify(&secret, &code, now + 30_000, Some(step + 1)),
            None,
            "older than the last used"
        );
        assert_eq!(verify(&secret, &later, now, Some(step)), Some(step + 1));
        assert_eq!(verify(&secret, "12345", now, None), None);
        assert_eq!(verify(&secret, "abcdef", now, None), None);
    }

    #[test]
    fn uris_and_recovery_codes_have_their_shapes() {
        let uri = uri("Acme Corp", "alice@example.com", b"12345678901234567890");
        assert_eq!(
            uri,
            "otpauth://totp/Acme%20Corp:alice%40example%2Ecom?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Acme%20Corp&algorithm=SHA1&digits=6&period=30"
        );
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(code.as_bytes()[5], b'-');
            assert_eq!(normalize_recovery_code(&code.to_lowercase()).len(), 10);
        }
    }

    #[test]
    fn base32_reads_back_what_it_wrote() {
        for len in [10, 16, 20, 32] {
            let secret: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base32(&secret);
            assert_eq!(decode_base32(&text), Some(secret.clone()));
            assert_eq!(decode_base32(&text.to_lowercase()), Some(secret));
        }
        assert_eq!(decode_base32("MZXW6YTB!"), None);
    }
}
