//! Proving an address and recovering a password by mail: six-digit codes (stored only as
//! hashes, salted by their challenge's id), how many tries a code allows, what a typed code
//! means, and when a mail that could not be delivered is tried again.

use crate::grant::{hash_matches, token_hash};
use crate::lifetimes::MAIL_RETRY_MS;

/// Wrong codes a challenge takes before it is spent.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

/// What a challenge proves once its code is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new account waiting for its address's code before it exists.
    SignUp,
    /// The account's current address.
    Verify,
    /// A new address, which replaces the current one once proven.
    Change,
    /// A forgotten password: the code lets the owner of the address set a new one.
    Recovery,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignUp => "sign_up",
            Self::Verify => "verify",
            Self::Change => "change",
            Self::Recovery => "recovery",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::SignUp, Self::Verify, Self::Change, Self::Recovery]
            .into_iter()
            .find(|p| p.as_str() == value)
    }
}

/// A code sent to an address, waiting to be typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: String,
    pub purpose: Purpose,
    /// The account concerned; none for a sign-up (the account does not exist yet).
    pub user_id: Option<String>,
    /// The address the code was sent to.
    pub email: String,
    pub code_hash: String,
    pub attempts: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub consumed_at: Option<i64>,
    /// For a sign-up: the account to create, as JSON (its password only as a hash).
    pub pending: Option<String>,
}

/// What a typed code does to its challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// The code is right: consume the challenge (once, atomically) and act.
    Valid,
    /// A wrong code: count it.
    Wrong,
    /// Too late, used already, or out of tries: a new code is needed.
    Spent,
}

/// A new six-digit code, every value equally likely.
pub fn new_code() -> String {
    loop {
        let [a, b, c, d] = crate::random::bytes::<4>();
        let value = u32::from_be_bytes([a, b, c, d]);
        // Below the largest multiple of a million that fits, so no code is likelier.
        if value < 4_294_000_000 {
            return format!("{:06}", value % 1_000_000);
        }
    }
}

/// The code as typed, without the spaces or dashes people put in it.
pub fn normalize_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// What is stored of `code` for challenge `id`.
pub fn code_hash(id: &str, code: &str) -> String {
    token_hash(&salted(id, code))
}

fn salted(id: &str, code: &str) -> String {
    format!("{id}:{code}")
}

impl Challenge {
    /// Whether `typed` opens this challenge at `now_ms`.
    pub fn check(&self, typed: &str, now_ms: i64) -> Check {
        if self.consumed_at.is_some()
            || self.expires_at <= now_ms
            || self.attempts >= MAX_CODE_ATTEMPTS
        {
            return Check::Spent;
        }
        let typed = normalize_code(typed);
        let well_formed = typed.len() == 6 && typed.bytes().all(|b| b.is_ascii_digit());
        match well_formed && hash_matches(&salted(&self.id, &typed), &self.code_hash) {
            true => Check::Valid,
            false => Check::Wrong,
        }
    }
}

/// When a mail whose `attempts`-th delivery just failed is tried again: 30 seconds after the
/// first failure, doubling up to half an hour; `None` once a day has passed since it was
/// queued (it is then marked failed).
pub fn retry_at(attempts: i64, queued_at: i64, now_ms: i64) -> Option<i64> {
    let doublings = u32::try_from((attempts - 1).clamp(0, 10)).unwrap_or(0);
    let wait = (30_000_i64 << doublings).min(30 * 60_000);
    let at = now_ms + wait;
    (at < queued_at + MAIL_RETRY_MS).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(code: &str) -> Challenge {
        Challenge {
            id: "c1".into(),
            purpose: Purpose::Verify,
            user_id: Some("u1".into()),
            email: "a@example.com".into(),
            code_hash: code_hash("c1", code),
            attempts: 0,
            created_at: 0,
            expires_at: 1_000,
            consumed_at: None,
            pending: None,
        }
    }

    #[test]
    fn a_code_opens_only_its_live_challenge() {
        let c = challenge("123456");
        assert_eq!(c.check("123456", 10), Check::Valid);
        assert_eq!(c.check(" 123-456 ", 10), Check::Valid, "as people type it");
        assert_eq!(c.check("123457", 10), Check::Wrong);
        assert_eq!(c.check("12345", 10), Check::Wrong);
        assert_eq!(c.check("123456", 1_000), Check::Spent, "expired");
        let used = Challenge {
            consumed_at: Some(5),
            ..c.clone()
        };
        assert_eq!(used.check("123456", 10), Check::Spent);
        let tried = Challenge {
            attempts: MAX_CODE_ATTEMPTS,
            ..c.clone()
        };
        assert_eq!(tried.check("123456", 10), Check::Spent, "out of tries");
        let other = Challenge {
            id: "c2".into(),
            ..c
        };
        assert_eq!(other.check("123456", 10), Check::Wrong, "salted by id");
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..200 {
            let code = new_code();
            assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn mail_is_retried_with_backoff_for_a_day() {
        assert_eq!(retry_at(1, 0, 0), Some(30_000));
        assert_eq!(retry_at(2, 0, 100_000), Some(160_000));
        assert_eq!(retry_at(20, 0, 0), Some(30 * 60_000), "capped");
        assert_eq!(retry_at(3, 0, MAIL_RETRY_MS - 1_000), None, "given up");
        for purpose in [
            Purpose::SignUp,
            Purpose::Verify,
            Purpose::Change,
            Purpose::Recovery,
        ] {
            assert_eq!(Purpose::parse(purpose.as_str()), Some(purpose));
        }
    }
}
