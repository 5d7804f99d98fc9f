//! What a valid authorization request needs next: a sign-in, the user's consent, a page
//! naming the application, a code, or an error for the client. One decision, made the same
//! way when the request arrives, when a hosted page hands it back, and when the consent page
//! is drawn; its body is the list of checks below, in the order OIDC Core §3.1.2 applies
//! them. `prompt=none` turns every page into its error in one place ([`under_prompt_none`]).

use super::AuthorizationRequest;
use crate::consent::{Asked, Plan};
use crate::session::{Answer, Interaction, Session};
use crate::user::User;
use crate::{ErrorCode, OAuthError};

/// Everything the decision depends on, read by the caller.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub request: &'a AuthorizationRequest,
    /// The browser's live session and its user, if both exist.
    pub session: Option<(&'a Session, &'a User)>,
    /// The subject of the request's `id_token_hint`, verified.
    pub hinted_subject: Option<&'a str>,
    /// The interaction the request waited in, once a hosted page has handed it back.
    pub interaction: Option<&'a Interaction>,
    /// What the request would grant the session's user, and their consent so far; `None`
    /// without a session.
    pub plan: Option<&'a Plan>,
    /// The client's redirect proves nothing about who receives the code (RFC 8252 §8.6).
    pub unproven: bool,
    /// The request needs a sign-in that proved two factors ([`crate::mfa::required`]).
    pub second_factor: bool,
    pub now_ms: i64,
}

/// What the request needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// The user must sign in (again, or as someone else).
    SignIn,
    /// The user signed in with one factor and must prove a second, enrolling one first if
    /// they have none.
    SecondFactor,
    /// The user must agree to what is asked.
    Consent(Asked),
    /// Nothing to agree to, but the user must see a page naming the application.
    Confirm,
    /// Issue the code.
    Issue,
    /// Send this error to the client.
    Fail(OAuthError),
}

/// Decide what the request needs next.
pub fn next(facts: &Facts) -> Next {
    under_prompt_none(facts.request, decide(facts))
}

fn decide(f: &Facts) -> Next {
    let Some((session, user)) = f.session else {
        return Next::SignIn;
    };
    let fresh = signed_in_during(f.interaction, session);
    if suspended(user)
        || !accepted_by_interaction(f.interaction, session)
        || login_demanded(f.request, fresh)
        || too_old(f.request, session, fresh, f.now_ms)
    {
        return Next::SignIn;
    }
    if let Some(failed) = hint_mismatch(f.hinted_subject, user, fresh) {
        return failed;
    }
    if f.second_factor && !session.amr.is_multi_factor() {
        return Next::SecondFactor;
    }
    let answer = f.interaction.and_then(|i| i.answer_of(session));
    if answer == Some(Answer::Denied) {
        let why = "the user did not allow the application";
        return Next::Fail(OAuthError::new(ErrorCode::AccessDenied, why));
    }
    let Some(plan) = f.plan else {
        // The caller computes the plan for every session; without one nothing is granted.
        return Next::SignIn;
    };
    let asked = plan.asked(consent_again(f.request, answer));
    if !asked.is_empty() {
        return Next::Consent(asked);
    }
    let confirmed = f.interaction.is_some_and(|i| match f.request.device {
        // A device's request only on its own page, which carries RFC 8628 §5.4's warning:
        // a sign-in page says nothing of codes sent by someone else.
        Some(_) => i.answer_of(session) == Some(Answer::Granted),
        None => i.confirmed_by(session),
    });
    if f.unproven && !confirmed {
        return Next::Confirm;
    }
    Next::Issue
}

/// The user signed in after the request arrived (while its interaction waited).
fn signed_in_during(interaction: Option<&Interaction>, session: &Session) -> bool {
    interaction.is_some_and(|i| session.auth_time >= i.created_at)
}

/// A suspended user's sessions no longer sign them in anywhere.
fn suspended(user: &User) -> bool {
    !user.is_active()
}

/// Once waiting, the request is finished only by the session it was started for or by one
/// that signed in during it.
fn accepted_by_interaction(interaction: Option<&Interaction>, session: &Session) -> bool {
    interaction.is_none_or(|i| i.accepts(session))
}

/// `prompt=login`: an existing session does not count, only a sign-in for this request.
fn login_demanded(request: &AuthorizationRequest, fresh: bool) -> bool {
    request.prompt.login && !fresh
}

/// `max_age`: the last authentication is too long ago (a sign-in for this request is not).
fn too_old(request: &AuthorizationRequest, session: &Session, fresh: bool, now_ms: i64) -> bool {
    !fresh && !session.satisfies_max_age(request.max_age, now_ms)
}

/// `id_token_hint` names someone else: an older session is not used; a sign-in for this
/// request as another user is `login_required` (OIDC Core §3.1.2.1).
fn hint_mismatch(hinted: Option<&str>, user: &User, fresh: bool) -> Option<Next> {
    match hinted {
        Some(subject) if subject != user.id && fresh => {
            let why = "the user signed in is not the one id_token_hint names";
            Some(Next::Fail(OAuthError::new(ErrorCode::LoginRequired, why)))
        }
        Some(subject) if subject != user.id => Some(Next::SignIn),
        _ => None,
    }
}

/// `prompt=consent`: ask for everything again, until the user has answered this request.
fn consent_again(request: &AuthorizationRequest, answer: Option<Answer>) -> bool {
    request.prompt.consent && answer != Some(Answer::Granted)
}

/// `prompt=none`: no page may be shown; each becomes its error (OIDC Core §3.1.2.6).
fn under_prompt_none(request: &AuthorizationRequest, next: Next) -> Next {
    if !request.prompt.none {
        return next;
    }
    let (code, why) = match next {
        Next::SignIn => (ErrorCode::LoginRequired, "the user must sign in"),
        Next::SecondFactor => (
            ErrorCode::InteractionRequired,
            "the user must prove a second factor",
        ),
        Next::Consent(_) => (
            ErrorCode::ConsentRequired,
            "the user has not agreed to share this with the application",
        ),
        Next::Confirm => (
            ErrorCode::InteractionRequired,
            "the user must confirm this application on a page",
        ),
        other => return other,
    };
    Next::Fail(OAuthError::new(code, why))
}

#[cfg(test)]
#[path = "next_tests.rs"]
mod tests;
