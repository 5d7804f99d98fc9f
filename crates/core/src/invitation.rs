//! Invitations to join an organization, as Logto shapes them: who is invited (an email
//! address), with which organization roles, until when; their status, and which changes of
//! status are allowed. `Expired` is never stored: it is what a pending invitation past its
//! expiry is.

use crate::registration::Invalid;

/// How long an invitation lives when its creator says nothing.
pub const DEFAULT_MS: i64 = 7 * crate::lifetimes::DAY_MS;

/// The longest an invitation may live: a link in a mailbox should not work for ever.
pub const LONGEST_MS: i64 = 90 * crate::lifetimes::DAY_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Pending,
    Accepted,
    Expired,
    Revoked,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Accepted => "Accepted",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }

    /// A stored status (`Expired` is never stored, but read as itself).
    pub fn parse(value: &str) -> Option<Self> {
        [Self::Pending, Self::Accepted, Self::Expired, Self::Revoked]
            .into_iter()
            .find(|s| s.as_str() == value)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub inviter_id: Option<String>,
    /// An email address, lowercased.
    pub invitee: String,
    pub accepted_user_id: Option<String>,
    pub organization_id: String,
    /// As stored: `Pending`, `Accepted` or `Revoked`.
    pub status: Status,
    pub created_at: i64,
    pub updated_at: i64,
    pub expires_at: i64,
}

impl Invitation {
    /// The status as it stands at `now_ms`.
    pub fn status_at(&self, now_ms: i64) -> Status {
        match self.status {
            Status::Pending if now_ms >= self.expires_at => Status::Expired,
            other => other,
        }
    }
}

/// Why an invitation cannot change as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Only `Accepted` and `Revoked` can be asked for.
    NotATarget,
    /// It is no longer pending (accepted, revoked or expired).
    NotPending(Status),
}

/// Whether `invitation` may become `to` at `now_ms`.
pub fn change(invitation: &Invitation, to: Status, now_ms: i64) -> Result<(), Refusal> {
    if !matches!(to, Status::Accepted | Status::Revoked) {
        return Err(Refusal::NotATarget);
    }
    match invitation.status_at(now_ms) {
        Status::Pending => Ok(()),
        other => Err(Refusal::NotPending(other)),
    }
}

/// The invitee as stored (lowercased), if it is an email address.
pub fn check_invitee(value: &str) -> Result<String, Invalid> {
    let email = value.trim().to_lowercase();
    crate::user::check_email(&email).map_err(|_| {
        Invalid::new(
            "invitee",
            "organization.invalid_invitee",
            "invitee is not an email address",
        )
    })?;
    Ok(email)
}

/// When a new invitation expires: `asked` (milliseconds since the epoch) if it is in the
/// future and not too far, else `DEFAULT_MS` from now.
pub fn expiry(asked: Option<i64>, now_ms: i64) -> Result<i64, Invalid> {
    match asked {
        None => Ok(now_ms + DEFAULT_MS),
        Some(at) if at > now_ms && at <= now_ms + LONGEST_MS => Ok(at),
        Some(_) => Err(Invalid::new(
            "expiresAt",
            "organization.invalid_expiry",
            "expiresAt must be in the future, and at most 90 days away (milliseconds since the epoch)",
        )),
    }
}

/// Whether the user whose primary address is `email` is the one invited: the link was sent to
/// that address, so only its owner may accept.
pub fn is_invitee(invitation: &Invitation, email: Option<&str>) -> bool {
    email.is_some_and(|e| e.trim().to_lowercase() == invitation.invitee)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Invitation {
        Invitation {
            id: "i".into(),
            inviter_id: None,
            invitee: "ann@example.com".into(),
            accepted_user_id: None,
            organization_id: "o".into(),
            status: Status::Pending,
            created_at: 0,
            updated_at: 0,
            expires_at: 1000,
        }
    }

    #[test]
    fn a_pending_invitation_expires_at_its_time_and_then_cannot_change() {
        let inv = pending();
        assert_eq!(inv.status_at(999), Status::Pending);
        assert_eq!(inv.status_at(1000), Status::Expired);
        assert_eq!(change(&inv, Status::Accepted, 999), Ok(()));
        assert_eq!(
            change(&inv, Status::Revoked, 1000),
            Err(Refusal::NotPending(Status::Expired))
        );
        assert_eq!(change(&inv, Status::Pending, 1), Err(Refusal::NotATarget));
        assert_eq!(change(&inv, Status::Expired, 1), Err(Refusal::NotATarget));
        let accepted = Invitation {
            status: Status::Accepted,
            ..pending()
        };
        assert_eq!(accepted.status_at(5000), Status::Accepted);
        assert_eq!(
            change(&accepted, Status::Revoked, 1),
            Err(Refusal::NotPending(Status::Accepted))
        );
    }

    #[test]
    fn invitees_are_lowercased_addresses_and_matched_so() {
        assert_eq!(
            check_invitee(" Ann@Example.COM ").ok().as_deref(),
            Some("ann@example.com")
        );
        assert!(check_invitee("ann").is_err());
        let inv = pending();
        assert!(is_invitee(&inv, Some("ANN@example.com")));
        assert!(!is_invitee(&inv, Some("bob@example.com")));
        assert!(!is_invitee(&inv, None));
    }

    #[test]
    fn expiry_is_in_the_future_and_not_too_far() {
        assert_eq!(expiry(None, 10), Ok(10 + DEFAULT_MS));
        assert_eq!(expiry(Some(11), 10), Ok(11));
        assert!(expiry(Some(10), 10).is_err());
        assert!(expiry(Some(11 + LONGEST_MS), 10).is_err());
    }
}
