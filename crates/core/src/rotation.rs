//! When a signing key may be rotated. A rotation promotes the `next` key, which every node and
//! relying party must already have fetched, and drops the `previous` key, which must have
//! nothing live left that it signed (decision 0015: publish the next key before any node signs
//! with it; keep the previous key until every token it signed has expired). An administrator
//! answering a leaked key may force a rotation past both rules.

use crate::jwt::Algorithm;
use crate::keys::{KeyState, SigningKey};
use crate::registration::MAX_TOKEN_TTL_SECS;

/// The longest any token a key signs stays valid: ID tokens and JWT access tokens are capped
/// at a day (`registration`). Lifetimes configured now may be shorter than those of tokens
/// signed before, so the cap, not the current settings, decides.
pub const LONGEST_SIGNED_MS: i64 = MAX_TOKEN_TTL_SECS * 1000;

/// Why a rotation may not run yet, and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The `previous` key would be dropped while tokens it signed may still be live.
    PreviousStillVerifies {
        algorithm: Algorithm,
        kid: String,
        until_ms: i64,
        wait_ms: i64,
    },
    /// The `next` key was published too recently for every verifier to have fetched it.
    NextTooNew {
        algorithm: Algorithm,
        kid: String,
        until_ms: i64,
        wait_ms: i64,
    },
}

/// `ms` as hours, minutes and seconds, rounded up to the second.
fn wait(ms: i64) -> String {
    let secs = (ms.max(0) + 999) / 1000;
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PreviousStillVerifies {
                algorithm,
                kid,
                wait_ms,
                ..
            } => write!(
                f,
                "the previous {} key {kid} may still verify tokens it signed for another {}; \
                 a rotation now would drop it and those tokens would stop verifying",
                algorithm.as_str(),
                wait(*wait_ms)
            ),
            Self::NextTooNew {
                algorithm,
                kid,
                wait_ms,
                ..
            } => write!(
                f,
                "the next {} key {kid} was published too recently for every node and relying \
                 party to know it; it may start signing in {}",
                algorithm.as_str(),
                wait(*wait_ms)
            ),
        }
    }
}

impl Refusal {
    /// When the rotation becomes possible.
    pub fn until_ms(&self) -> i64 {
        match self {
            Self::PreviousStillVerifies { until_ms, .. } | Self::NextTooNew { until_ms, .. } => {
                *until_ms
            }
        }
    }
}

/// What the store checks again inside the rotation's transaction, so that two rotations at
/// once cannot both pass: the `previous` key is dropped only if it retired at or before
/// `retired_by_ms`, the `next` key promoted only if published at or before `published_by_ms`
/// or no later than the current key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub retired_by_ms: i64,
    pub published_by_ms: i64,
}

impl Cutoffs {
    /// The rules at `now_ms`, for keys published `publish_lead_ms` ahead of signing.
    pub fn at(now_ms: i64, publish_lead_ms: i64) -> Self {
        Self {
            retired_by_ms: now_ms.saturating_sub(LONGEST_SIGNED_MS),
            published_by_ms: now_ms.saturating_sub(publish_lead_ms),
        }
    }

    /// A forced rotation: any key goes.
    pub fn forced() -> Self {
        Self {
            retired_by_ms: i64::MAX,
            published_by_ms: i64::MAX,
        }
    }
}

/// Whether a rotation of `algorithm` among `keys` may run at `now_ms`; if not, the rule that
/// holds it back longest. A `previous` key with no retirement time counts as retired at
/// `now_ms`.
pub fn check(
    keys: &[SigningKey],
    algorithm: Algorithm,
    now_ms: i64,
    cutoffs: Cutoffs,
) -> Result<(), Refusal> {
    let of = |state| {
        keys.iter()
            .find(|k| k.algorithm == algorithm && k.state == state)
    };
    let previous = of(KeyState::Previous).and_then(|previous| {
        let retired = previous.retired_at.unwrap_or(now_ms);
        (retired > cutoffs.retired_by_ms).then(|| Refusal::PreviousStillVerifies {
            algorithm,
            kid: previous.kid.clone(),
            until_ms: retired.saturating_add(now_ms - cutoffs.retired_by_ms),
            wait_ms: retired - cutoffs.retired_by_ms,
        })
    });
    // A next key published no later than the current one (both made at first start) is known
    // to every verifier that knows the current key.
    let current_published = of(KeyState::Current).map_or(i64::MIN, |k| k.created_at);
    let next = of(KeyState::Next).and_then(|next| {
        let early =
            next.created_at > cutoffs.published_by_ms && next.created_at > current_published;
        early.then(|| Refusal::NextTooNew {
            algorithm,
            kid: next.kid.clone(),
            until_ms: next
                .created_at
                .saturating_add(now_ms - cutoffs.published_by_ms),
            wait_ms: next.created_at - cutoffs.published_by_ms,
        })
    });
    match previous
        .into_iter()
        .chain(next)
        .max_by_key(Refusal::until_ms)
    {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}

#[cfg(test)]
#[path = "rotation_tests.rs"]
mod tests;
