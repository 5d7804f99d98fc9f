use super::*;

const HOUR: i64 = 3_600_000;
const LEAD: i64 = 65_000;

fn key(kid: &str, state: KeyState, created_at: i64, retired_at: Option<i64>) -> SigningKey {
    SigningKey {
        kid: kid.into(),
        algorithm: Algorithm::ES256,
        state,
        private_key: Vec::new(),
        encrypted: false,
        created_at,
        retired_at,
    }
}

fn keys(previous_retired: Option<Option<i64>>, next_created: i64) -> Vec<SigningKey> {
    let mut keys = vec![
        key("c", KeyState::Current, -1, None),
        key("n", KeyState::Next, next_created, None),
    ];
    if let Some(retired) = previous_retired {
        keys.push(key("p", KeyState::Previous, 0, retired));
    }
    keys
}

#[test]
fn a_previous_key_stays_until_the_longest_token_it_signed_has_expired() {
    let retired = 100 * HOUR;
    let ks = keys(Some(Some(retired)), 0);
    let soon = retired + 23 * HOUR;
    assert_eq!(
        check(&ks, Algorithm::ES256, soon, Cutoffs::at(soon, LEAD)),
        Err(Refusal::PreviousStillVerifies {
            algorithm: Algorithm::ES256,
            kid: "p".into(),
            until_ms: retired + 24 * HOUR,
            wait_ms: HOUR,
        })
    );
    let later = retired + 24 * HOUR;
    assert_eq!(
        check(&ks, Algorithm::ES256, later, Cutoffs::at(later, LEAD)),
        Ok(())
    );
}

#[test]
fn a_next_key_signs_only_once_every_verifier_can_have_fetched_it() {
    let published = 10 * HOUR;
    let ks = keys(None, published);
    let now = published + 1_000;
    let refused = check(&ks, Algorithm::ES256, now, Cutoffs::at(now, LEAD));
    assert_eq!(refused.map_err(|r| r.until_ms()), Err(published + LEAD));
    let now = published + LEAD;
    assert_eq!(
        check(&ks, Algorithm::ES256, now, Cutoffs::at(now, LEAD)),
        Ok(())
    );
}

#[test]
fn a_previous_key_without_a_retirement_time_counts_as_just_retired() {
    let ks = keys(Some(None), 0);
    let now = 1000 * HOUR;
    let refused = check(&ks, Algorithm::ES256, now, Cutoffs::at(now, LEAD));
    assert_eq!(refused.map_err(|r| r.until_ms()), Err(now + 24 * HOUR));
}

#[test]
fn forcing_passes_both_rules_and_other_algorithms_are_not_looked_at() {
    let now = 5 * HOUR;
    let ks = keys(Some(Some(now)), now);
    assert_eq!(check(&ks, Algorithm::ES256, now, Cutoffs::forced()), Ok(()));
    assert_eq!(
        check(&ks, Algorithm::RS256, now, Cutoffs::at(now, LEAD)),
        Ok(())
    );
}

#[test]
fn the_refusal_says_which_key_and_when() {
    let refusal = Refusal::PreviousStillVerifies {
        algorithm: Algorithm::RS256,
        kid: "k1".into(),
        until_ms: 42,
        wait_ms: 23 * HOUR + 59 * 60_000 + 1,
    };
    let text = refusal.to_string();
    assert!(text.contains("RS256 key k1"), "{text}");
    assert!(text.contains("for another 23 h 59 min;"), "{text}");
    let next = Refusal::NextTooNew {
        algorithm: Algorithm::ES256,
        kid: "k2".into(),
        until_ms: 42,
        wait_ms: 64_001,
    };
    assert!(next.to_string().ends_with("in 1 min 5 s"), "{next}");
}

#[test]
fn keys_made_together_at_first_start_rotate_at_once() {
    let now = 7 * HOUR;
    let mut ks = keys(None, now);
    ks[0].created_at = now;
    assert_eq!(
        check(&ks, Algorithm::ES256, now, Cutoffs::at(now, LEAD)),
        Ok(())
    );
}

#[test]
fn of_two_rules_the_one_that_holds_longest_is_named() {
    let now = 9 * HOUR;
    let ks = keys(Some(Some(now)), now);
    let refused = check(&ks, Algorithm::ES256, now, Cutoffs::at(now, LEAD));
    assert!(
        matches!(refused, Err(Refusal::PreviousStillVerifies { .. })),
        "{refused:?}"
    );
}
