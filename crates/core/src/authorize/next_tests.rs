use super::*;
use crate::authorize::{Prompt, ResponseMode};
use crate::consent::Consent;
use crate::scope::Scopes;

const NOW: i64 = 100_000;

fn request(prompt: Prompt, max_age: Option<i64>) -> AuthorizationRequest {
    AuthorizationRequest {
        client_id: "app".into(),
        redirect_uri: "https://app.example.com/cb".into(),
        response_mode: ResponseMode::Query,
        scope: Scopes::from_names(["openid", "profile"]),
        state: None,
        nonce: None,
        prompt,
        max_age,
        login_hint: None,
        id_token_hint: None,
        ui_locales: None,
        acr_values: None,
        resources: vec![],
        code_challenge: None,
        device: None,
    }
}

fn session(auth_time: i64) -> Session {
    Session {
        id_hash: "s".into(),
        user_id: "u1".into(),
        auth_time,
        amr: crate::mfa::Amr::password(),
        created_at: auth_time,
        last_seen_at: NOW,
        expires_at: NOW * 10,
    }
}

fn user() -> User {
    User {
        id: "u1".into(),
        username: Some("alice".into()),
        primary_email: None,
        primary_email_verified: false,
        primary_phone: None,
        name: None,
        password_hash: None,
        is_suspended: false,
        created_at: 0,
        updated_at: 0,
        last_sign_in_at: None,
        custom_data: serde_json::json!({}),
        profile: serde_json::json!({}),
        avatar: None,
    }
}

/// A plan for `user_scopes`; a third-party one with consent to `consented` if given.
fn plan(third_party: bool, consented: Option<&str>) -> Plan {
    Plan {
        third_party,
        user_scopes: Scopes::from_names(["openid", "profile"]),
        resource_scopes: vec![],
        organization_scopes: vec![],
        organizations: vec![],
        consent: consented.map(|scopes| Consent {
            id: "c".into(),
            user_id: "u1".into(),
            application_id: "app".into(),
            user_scopes: Scopes::parse(scopes).unwrap_or_default(),
            resource_scopes: vec![],
            organization_scopes: vec![],
            organizations: vec![],
            created_at: 0,
            last_used_at: 0,
        }),
    }
}

/// An interaction created at `created_at` for session `s`, answered `answer`.
fn interaction(created_at: i64, answer: Option<Answer>) -> Interaction {
    Interaction {
        id: "i".into(),
        client_id: Some("app".into()),
        request: "{}".into(),
        csrf_hash: "x".into(),
        session_id_hash: Some("s".into()),
        answer,
        created_at,
        expires_at: NOW * 2,
    }
}

/// What differs from a plain request with a live session.
#[derive(Default, Clone, Copy)]
struct Extra<'a> {
    no_session: bool,
    hinted: Option<&'a str>,
    interaction: Option<&'a Interaction>,
    unproven: bool,
    second_factor: bool,
    /// The session proved two factors.
    multi_factor: bool,
}

/// The decision for `request` with a session authenticated at `auth_time` and `plan`.
fn decide_with(request: &AuthorizationRequest, auth_time: i64, plan: &Plan, e: Extra) -> Next {
    let (mut s, u) = (session(auth_time), user());
    if e.multi_factor {
        s.amr = crate::mfa::Amr::passkey(true);
    }
    next(&Facts {
        request,
        session: (!e.no_session).then_some((&s, &u)),
        hinted_subject: e.hinted,
        interaction: e.interaction,
        plan: Some(plan),
        unproven: e.unproven,
        second_factor: e.second_factor,
        now_ms: NOW,
    })
}

fn within(interaction: &Interaction) -> Extra<'_> {
    Extra {
        interaction: Some(interaction),
        ..Extra::default()
    }
}

fn code(next: Next) -> Option<ErrorCode> {
    match next {
        Next::Fail(error) => Some(error.code),
        _ => None,
    }
}

const NONE: Prompt = Prompt {
    none: true,
    login: false,
    consent: false,
};
const LOGIN: Prompt = Prompt {
    none: false,
    login: true,
    consent: false,
};
const CONSENT: Prompt = Prompt {
    none: false,
    login: false,
    consent: true,
};

#[test]
fn a_first_party_request_with_a_live_session_gets_its_code() {
    let r = request(Prompt::default(), None);
    assert_eq!(
        decide_with(&r, 1_000, &plan(false, None), Extra::default()),
        Next::Issue
    );
}

#[test]
fn no_session_means_sign_in_and_login_required_under_prompt_none() {
    let (r, p) = (request(Prompt::default(), None), plan(false, None));
    let without = Extra {
        no_session: true,
        ..Extra::default()
    };
    assert_eq!(decide_with(&r, 1_000, &p, without), Next::SignIn);
    let r = request(NONE, None);
    let found = code(decide_with(&r, 1_000, &p, without));
    assert_eq!(found, Some(ErrorCode::LoginRequired));
}

#[test]
fn a_suspended_user_signs_in_again() {
    let (r, p, s) = (
        request(Prompt::default(), None),
        plan(false, None),
        session(1_000),
    );
    let mut u = user();
    u.is_suspended = true;
    let facts = Facts {
        request: &r,
        session: Some((&s, &u)),
        hinted_subject: None,
        interaction: None,
        plan: Some(&p),
        unproven: false,
        second_factor: false,
        now_ms: NOW,
    };
    assert_eq!(next(&facts), Next::SignIn);
}

#[test]
fn a_waiting_request_is_finished_only_by_its_session_or_a_new_sign_in() {
    let (r, p) = (request(Prompt::default(), None), plan(false, None));
    let mut other = interaction(50_000, None);
    other.session_id_hash = Some("someone else's".into());
    let found = decide_with(&r, 1_000, &p, within(&other));
    assert_eq!(found, Next::SignIn);
    let found = decide_with(&r, 60_000, &p, within(&other));
    assert_eq!(found, Next::Issue, "signed in during the interaction");
}

#[test]
fn prompt_login_wants_a_sign_in_for_this_request() {
    let (r, p) = (request(LOGIN, None), plan(false, None));
    assert_eq!(decide_with(&r, 1_000, &p, Extra::default()), Next::SignIn);
    let i = interaction(50_000, None);
    let found = decide_with(&r, 60_000, &p, within(&i));
    assert_eq!(found, Next::Issue);
    let found = decide_with(&r, 1_000, &p, within(&i));
    assert_eq!(found, Next::SignIn, "the older session it was started for");
}

#[test]
fn max_age_counts_from_the_last_sign_in_unless_it_was_for_this_request() {
    let p = plan(false, None);
    let r = request(Prompt::default(), Some(10));
    assert_eq!(
        decide_with(&r, NOW - 10_000, &p, Extra::default()),
        Next::Issue
    );
    assert_eq!(
        decide_with(&r, NOW - 10_001, &p, Extra::default()),
        Next::SignIn
    );
    let r = request(Prompt::default(), Some(0));
    let i = interaction(50_000, None);
    let found = decide_with(&r, 60_000, &p, within(&i));
    assert_eq!(found, Next::Issue, "max_age=0 is met by signing in now");
}

#[test]
fn id_token_hint_for_someone_else_means_sign_in_then_login_required() {
    let (r, p) = (request(Prompt::default(), None), plan(false, None));
    let hinted = Extra {
        hinted: Some("u2"),
        ..Extra::default()
    };
    assert_eq!(decide_with(&r, 1_000, &p, hinted), Next::SignIn);
    let i = interaction(50_000, None);
    let found = decide_with(
        &r,
        60_000,
        &p,
        Extra {
            hinted: Some("u2"),
            interaction: Some(&i),
            ..Extra::default()
        },
    );
    assert_eq!(code(found), Some(ErrorCode::LoginRequired));
    let same = decide_with(
        &r,
        1_000,
        &p,
        Extra {
            hinted: Some("u1"),
            ..Extra::default()
        },
    );
    assert_eq!(same, Next::Issue);
}

#[test]
fn a_denied_request_is_access_denied() {
    let (r, p) = (request(Prompt::default(), None), plan(true, None));
    let i = interaction(50_000, Some(Answer::Denied));
    let found = decide_with(&r, 1_000, &p, within(&i));
    assert_eq!(code(found), Some(ErrorCode::AccessDenied));
}

#[test]
fn a_third_party_asks_for_what_consent_does_not_cover() {
    let r = request(Prompt::default(), None);
    let found = decide_with(&r, 1_000, &plan(true, None), Extra::default());
    assert!(matches!(found, Next::Consent(asked) if asked.identity));
    let found = decide_with(&r, 1_000, &plan(true, Some("profile")), Extra::default());
    assert_eq!(found, Next::Issue);
    let r = request(NONE, None);
    let found = code(decide_with(&r, 1_000, &plan(true, None), Extra::default()));
    assert_eq!(found, Some(ErrorCode::ConsentRequired));
}

#[test]
fn prompt_consent_asks_again_until_answered() {
    let (r, p) = (request(CONSENT, None), plan(true, Some("profile")));
    let found = decide_with(&r, 1_000, &p, Extra::default());
    assert!(matches!(found, Next::Consent(asked) if asked.user_scopes.contains("profile")));
    let answered = interaction(50_000, Some(Answer::Granted));
    let found = decide_with(&r, 1_000, &p, within(&answered));
    assert_eq!(found, Next::Issue);
    let first_party = decide_with(&r, 1_000, &plan(false, None), Extra::default());
    assert_eq!(first_party, Next::Issue, "a first party has nothing to ask");
}

#[test]
fn an_unproven_redirect_needs_a_page_naming_the_application() {
    let (r, p) = (request(Prompt::default(), None), plan(false, None));
    let found = decide_with(
        &r,
        1_000,
        &p,
        Extra {
            unproven: true,
            ..Extra::default()
        },
    );
    assert_eq!(found, Next::Confirm);
    let answered = interaction(50_000, Some(Answer::Granted));
    let found = decide_with(
        &r,
        1_000,
        &p,
        Extra {
            unproven: true,
            interaction: Some(&answered),
            ..Extra::default()
        },
    );
    assert_eq!(found, Next::Issue);
    let r = request(NONE, None);
    let found = code(decide_with(
        &r,
        1_000,
        &p,
        Extra {
            unproven: true,
            ..Extra::default()
        },
    ));
    assert_eq!(found, Some(ErrorCode::InteractionRequired));
}

#[test]
fn a_second_factor_is_asked_of_a_password_session_only_when_required() {
    let (r, p) = (
        request(Prompt::default(), None),
        plan(false, Some("openid profile")),
    );
    let required = Extra {
        second_factor: true,
        ..Extra::default()
    };
    assert_eq!(decide_with(&r, NOW - 10, &p, required), Next::SecondFactor);
    assert_eq!(decide_with(&r, NOW - 10, &p, Extra::default()), Next::Issue);
    let proved = Extra {
        multi_factor: true,
        ..required
    };
    assert_eq!(decide_with(&r, NOW - 10, &p, proved), Next::Issue);
    let silent = request(
        Prompt {
            none: true,
            ..Prompt::default()
        },
        None,
    );
    let Next::Fail(error) = decide_with(&silent, NOW - 10, &p, required) else {
        panic!("prompt=none shows no page");
    };
    assert_eq!(error.code, ErrorCode::InteractionRequired);
}
