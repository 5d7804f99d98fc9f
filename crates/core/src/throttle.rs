//! Brute-force protection: how many failed proofs (passwords, client secrets) a key may make
//! before it must wait, and how long. Back-off, never a permanent lockout: the wait doubles
//! with each failure past the free ones, up to a cap, and everything is forgotten some time
//! after the last wait ends.
//!
//! The keys: an account or client *from one address* ([`PER_ACCOUNT`]) and an address
//! ([`PER_ADDRESS`]) refuse; an account or client from every address together
//! ([`PER_IDENTIFIER`]) only slows the answers, so that nobody who knows an identifier can
//! lock its owner out from elsewhere.

/// A failure budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Failures allowed before the first wait.
    pub free: i64,
    /// The first wait; each further failure doubles it.
    pub first_wait_ms: i64,
    pub max_wait_ms: i64,
    /// Failures are forgotten this long after the last one's wait has ended.
    pub forget_after_ms: i64,
}

const MINUTE_MS: i64 = 60_000;

/// An account or a client from one address: 5 failures, then 1 minute, doubling, capped at
/// 15 minutes.
pub const PER_ACCOUNT: Policy = Policy {
    free: 5,
    first_wait_ms: MINUTE_MS,
    max_wait_ms: 15 * MINUTE_MS,
    forget_after_ms: 15 * MINUTE_MS,
};

/// A client address, which many people may share (an office, a carrier's NAT): the same
/// back-off after more failures.
pub const PER_ADDRESS: Policy = Policy {
    free: 30,
    ..PER_ACCOUNT
};

/// An account or a client from every address together: guessing spread over many addresses
/// is slowed after 100 failures (half a second per answer, doubling up to 4 seconds),
/// never refused.
pub const PER_IDENTIFIER: Policy = Policy {
    free: 100,
    first_wait_ms: 500,
    max_wait_ms: 4_000,
    forget_after_ms: 15 * MINUTE_MS,
};

/// Second-factor codes for one account from every address together: unlike a password's,
/// refused after 10 failures (1 minute, doubling up to 15). Whoever reaches this step knows
/// the password already, and six digits spread over many addresses would otherwise fall in
/// hours; the owner, who holds the factor, is only ever kept out by someone who has their
/// password.
pub const SECOND_FACTOR_EVERYWHERE: Policy = Policy {
    free: 10,
    ..PER_ACCOUNT
};

/// Passkey ceremonies started from one address (each counts: every sign-in page starts one
/// for the autofill): 600, then 1 minute's wait, doubling up to 15. A bound on the rows one
/// address can make the store keep, far above what an office behind one address uses.
pub const PASSKEY_CEREMONIES_PER_ADDRESS: Policy = Policy {
    free: 600,
    ..PER_ACCOUNT
};

/// New dynamic registrations from one address (each counts, not only failures): 20 an hour,
/// then 10 minutes' wait, doubling up to an hour. Agents register once per connection, and
/// the same registration repeated is answered without counting.
pub const REGISTRATIONS_PER_ADDRESS: Policy = Policy {
    free: 20,
    first_wait_ms: 10 * MINUTE_MS,
    max_wait_ms: 60 * MINUTE_MS,
    forget_after_ms: 60 * MINUTE_MS,
};

/// Wrong device user codes from one address (RFC 8628 §5.1): 10, then a minute's wait,
/// doubling up to 15 minutes, forgotten 15 minutes after the last wait ends. With 20^8 codes
/// and a few live at once, guessing one is hopeless at that rate.
pub const USER_CODES_PER_ADDRESS: Policy = Policy {
    free: 10,
    ..PER_ACCOUNT
};

/// Device authorizations asked from one address (each counts): 30 in ten minutes, then a
/// minute's wait, doubling up to 15 minutes. A device asks once per sign-in; a flood of
/// requests would only fill the table with codes nobody types.
pub const DEVICE_AUTHORIZATIONS_PER_ADDRESS: Policy = Policy {
    free: 30,
    first_wait_ms: MINUTE_MS,
    max_wait_ms: 15 * MINUTE_MS,
    forget_after_ms: 10 * MINUTE_MS,
};

/// Mails one address may cause to be sent (sign-up codes, recovery, address changes), each
/// counted: 10 in an hour, then ten minutes' wait, doubling up to an hour. Nobody can use
/// the sign-up or recovery forms to flood a mailbox from one place...
pub const MAILS_PER_ADDRESS: Policy = Policy {
    free: 10,
    first_wait_ms: 10 * MINUTE_MS,
    max_wait_ms: 60 * MINUTE_MS,
    forget_after_ms: 60 * MINUTE_MS,
};

/// ...nor from many: 5 mails an hour to one mailbox (or account), then the same waits. A
/// refused request still answers as if it had been sent, so the limit reveals nothing.
pub const MAILS_PER_RECIPIENT: Policy = Policy {
    free: 5,
    ..MAILS_PER_ADDRESS
};

/// Wrong email codes from one address, whichever challenges they were typed for: 20, then a
/// minute's wait, doubling up to 15 minutes. Each challenge also takes 5 at most.
pub const EMAIL_CODES_PER_ADDRESS: Policy = Policy {
    free: 20,
    ..PER_ACCOUNT
};

/// The failures recorded for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub last_failure_at: i64,
}

impl Policy {
    /// Until when the key must wait (`None` while failures are within the free ones).
    pub fn blocked_until(&self, counter: &Counter) -> Option<i64> {
        let over = counter.failures - self.free;
        if over < 0 {
            return None;
        }
        let doublings = u32::try_from(over.min(30)).unwrap_or(30);
        let wait = self
            .first_wait_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.max_wait_ms);
        Some(counter.last_failure_at.saturating_add(wait))
    }

    /// How long each answer for the key is held back, if at all: the wait its failures have
    /// earned, whenever the request comes (a slowing key refuses nothing).
    pub fn delay_ms(&self, counter: &Counter) -> Option<i64> {
        let until = self.blocked_until(counter)?;
        Some(until - counter.last_failure_at)
    }

    /// How long the key must still wait at `now_ms`, if at all.
    pub fn retry_after_ms(&self, counter: Option<&Counter>, now_ms: i64) -> Option<i64> {
        let until = self.blocked_until(counter?)?;
        (until > now_ms).then(|| until - now_ms)
    }

    /// When the counter, as it stands after a failure, may be forgotten.
    pub fn forget_at(&self, counter: &Counter) -> i64 {
        let end = self
            .blocked_until(counter)
            .unwrap_or(counter.last_failure_at);
        end.saturating_add(self.forget_after_ms)
    }
}

/// Whole minutes to tell a person, rounded up.
pub fn minutes(ms: i64) -> i64 {
    (ms + MINUTE_MS - 1) / MINUTE_MS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(failures: i64) -> Counter {
        Counter {
            failures,
            last_failure_at: 1_000_000,
        }
    }

    #[test]
    fn five_failures_then_a_minute_doubling_up_to_fifteen() {
        let p = PER_ACCOUNT;
        assert_eq!(p.blocked_until(&after(4)), None);
        let waits: Vec<i64> = (5..=10)
            .map(|n| p.blocked_until(&after(n)).unwrap_or(0) - 1_000_000)
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 15, 15].map(|m| m * MINUTE_MS).to_vec());
        assert_eq!(
            p.blocked_until(&after(i64::MAX)),
            Some(1_000_000 + 15 * MINUTE_MS)
        );
    }

    #[test]
    fn the_wait_ends_and_the_counter_is_forgotten_later() {
        let p = PER_ACCOUNT;
        let c = after(5);
        assert_eq!(p.retry_after_ms(Some(&c), 1_000_000 + 1_000), Some(59_000));
        assert_eq!(p.retry_after_ms(Some(&c), 1_000_000 + MINUTE_MS), None);
        assert_eq!(p.retry_after_ms(None, 0), None);
        assert_eq!(p.forget_at(&c), 1_000_000 + 16 * MINUTE_MS);
        assert_eq!(p.forget_at(&after(1)), 1_000_000 + 15 * MINUTE_MS);
        assert_eq!(minutes(59_000), 1);
        assert_eq!(minutes(61_000), 2);
    }

    #[test]
    fn an_identifier_under_distributed_guessing_is_slowed_not_refused() {
        let p = PER_IDENTIFIER;
        assert_eq!(p.delay_ms(&after(99)), None);
        let delays: Vec<Option<i64>> = (100..=104).map(|n| p.delay_ms(&after(n))).collect();
        assert_eq!(delays, [500, 1_000, 2_000, 4_000, 4_000].map(Some).to_vec());
        assert_eq!(p.delay_ms(&after(i64::MAX)), Some(4_000));
    }

    #[test]
    fn an_address_gets_more_room_than_an_account() {
        assert_eq!(PER_ADDRESS.blocked_until(&after(29)), None);
        assert!(PER_ADDRESS.blocked_until(&after(30)).is_some());
    }
}
