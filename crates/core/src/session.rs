//! Browser sessions and pending interactions: their records and lifetime rules.

/// A signed-in browser. The cookie holds a random id; the store holds only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id_hash: String,
    pub user_id: String,
    /// When the user last proved who they are, milliseconds (OIDC `auth_time`).
    pub auth_time: i64,
    /// What that proof was (`amr`).
    pub amr: crate::mfa::Amr,
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

/// A request waiting for the user: an authorization request (`client_id` set, `request` the
/// validated request, serialised) or a sign-in for the account pages (no client, `request`
/// the local page to return to). `csrf_hash` guards the forms that answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interaction {
    pub id: String,
    pub client_id: Option<String>,
    pub request: String,
    pub csrf_hash: String,
    /// The session that started or answered it: that session needs no new sign-in.
    pub session_id_hash: Option<String>,
    /// The user's answer on the consent page.
    pub answer: Option<Answer>,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Interaction {
    /// Whether `session` may finish this interaction: it signed in during it, or it is the
    /// session the interaction was started for.
    pub fn accepts(&self, session: &Session) -> bool {
        session.auth_time >= self.created_at
            || self.session_id_hash.as_deref() == Some(session.id_hash.as_str())
    }

    /// Whether `session` has seen a page naming the application during this interaction: it
    /// signed in during it, or it answered the consent or confirmation page.
    pub fn confirmed_by(&self, session: &Session) -> bool {
        session.auth_time >= self.created_at || self.answer_of(session) == Some(Answer::Granted)
    }

    /// The consent answer, if `session` gave it (a later sign-in as someone else voids it).
    pub fn answer_of(&self, session: &Session) -> Option<Answer> {
        self.answer
            .filter(|_| self.session_id_hash.as_deref() == Some(session.id_hash.as_str()))
    }
}

/// What the user answered on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Granted,
    Denied,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granted => "granted",
            Self::Denied => "denied",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "granted" => Some(Self::Granted),
            "denied" => Some(Self::Denied),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session {
            id_hash: "h".into(),
            user_id: "u".into(),
            auth_time: 1_000,
            amr: crate::mfa::Amr::password(),
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

    /// An interaction started at 2 000 for the session whose id hash is `for_session`.
    fn interaction(for_session: &str, answer: Option<Answer>) -> Interaction {
        Interaction {
            id: "i".into(),
            client_id: Some("c".into()),
            request: "{}".into(),
            csrf_hash: "x".into(),
            session_id_hash: Some(for_session.into()),
            answer,
            created_at: 2_000,
            expires_at: 9_000,
        }
    }

    #[test]
    fn an_answer_counts_only_for_the_session_that_gave_it() {
        let s = session();
        let mut i = interaction("other", Some(Answer::Granted));
        assert!(
            !i.accepts(&s),
            "older session, not the one it was started for"
        );
        assert_eq!(i.answer_of(&s), None);
        i.session_id_hash = Some("h".into());
        assert!(i.accepts(&s));
        assert_eq!(i.answer_of(&s), Some(Answer::Granted));
        i.session_id_hash = None;
        i.created_at = 500;
        assert!(i.accepts(&s), "signed in during the interaction");
        assert_eq!(i.answer_of(&s), None);
    }

    #[test]
    fn a_page_was_seen_when_the_session_signed_in_or_answered_during_the_interaction() {
        let s = session();
        let mut i = interaction("h", None);
        assert!(!i.confirmed_by(&s), "an older session, no answer");
        i.answer = Some(Answer::Denied);
        assert!(!i.confirmed_by(&s));
        i.answer = Some(Answer::Granted);
        assert!(i.confirmed_by(&s));
        i.answer = None;
        i.created_at = 1_000;
        assert!(i.confirmed_by(&s), "signed in during it");
    }
}
