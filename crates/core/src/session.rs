//! Browser sessions and pending interactions: their records and lifetime rules.

/// A signed-in browser. The cookie holds a random id; the store holds only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    /// When the user last proved who they are, milliseconds (OIDC `auth_time`).
    pub auth_time: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// The absolute end of the session.
    pub expires_at: i64,
}

impl Session {
    /// Alive at `now_ms`: before its absolute end, and seen within `idle_ms`.
    pub fn is_live(&self, now_ms: i64, idle_ms: i64) -> bool {
        now_ms < self.expires_at && now_ms < self.last_seen_at.saturating_add(idle_ms)
    }

    /// Whether the authentication is recent enough for `max_age` (seconds).
    pub fn satisfies_max_age(&self, max_age: Option<i64>, now_ms: i64) -> bool {
        max_age.is_none_or(|secs| now_ms - self.auth_time <= secs.saturating_mul(1000))
    }
}

/// An authorization request waiting for the user. `request` is the validated request,
/// serialised; `csrf_hash` guards the forms that answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub id: String,
    pub client_id: String,
    pub request: String,
    pub csrf_hash: String,
    pub created_at: i64,
    pub expires_at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            id_hash: "h".into(),
            user_id: "u".into(),
            auth_time: 1_000,
            created_at: 1_000,
            last_seen_at: 5_000,
            expires_at: 100_000,
        }
    }

    #[test]
    fn a_session_ends_when_idle_or_at_its_absolute_end() {
        let s = session();
        assert!(s.is_live(6_000, 10_000));
        assert!(!s.is_live(15_000, 10_000), "idle too long");
        assert!(!s.is_live(100_000, 1_000_000), "past the absolute end");
    }

    #[test]
    fn max_age_is_measured_from_auth_time() {
        let s = session();
        assert!(s.satisfies_max_age(None, 1_000_000));
        assert!(s.satisfies_max_age(Some(10), 11_000));
        assert!(!s.satisfies_max_age(Some(10), 11_001));
        assert!(!s.satisfies_max_age(Some(0), 1_001));
    }
}
