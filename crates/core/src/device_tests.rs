use super::*;
use crate::client::{ApplicationType, TokenSettings};

fn authorization(status: Status) -> DeviceAuthorization {
    DeviceAuthorization {
        id: "d1".into(),
        device_code_hash: "dh".into(),
        user_code_hash: "uh".into(),
        client_id: "tv".into(),
        request: "{}".into(),
        created_at: 0,
        expires_at: 600_000,
        interval_secs: 5,
        last_polled_at: None,
        status,
    }
}

fn refused_with(poll: Poll) -> (ErrorCode, i64) {
    match poll {
        Poll::Refused {
            error,
            interval_secs,
        } => (error.code, interval_secs),
        Poll::Redeem { .. } => panic!("redeemed"),
    }
}

#[test]
fn user_codes_are_eight_letters_of_the_alphabet_and_read_in_any_form() {
    let code = new_user_code();
    assert_eq!(code.len(), 8);
    assert!(
        code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b)),
        "{code}"
    );
    assert_ne!(new_user_code(), code);
    let shown = display_user_code(&code);
    assert_eq!(shown.len(), 9);
    assert_eq!(normalize_user_code(&shown), Some(code.clone()));
    assert_eq!(
        normalize_user_code(&shown.to_lowercase()),
        Some(code.clone())
    );
    assert_eq!(normalize_user_code(&format!(" {} ", &shown[..4])), None);
    assert_eq!(
        normalize_user_code("BCDF-GHJA"),
        None,
        "a vowel is never in a code"
    );
    assert_eq!(normalize_user_code("BCDFGHJKL"), None);
    assert_eq!(normalize_user_code("bcdf ghjk"), Some("BCDFGHJK".into()));
}

#[test]
fn a_poll_is_pending_then_redeems_what_the_user_approved() {
    let pending = authorization(Status::Pending);
    assert_eq!(
        refused_with(poll(&pending, "tv", 1_000)),
        (ErrorCode::AuthorizationPending, 5)
    );
    let approved = authorization(Status::Approved {
        code_hash: "ch".into(),
    });
    assert_eq!(
        poll(&approved, "tv", 1_000),
        Poll::Redeem {
            code_hash: "ch".into()
        }
    );
    let denied = authorization(Status::Denied);
    assert_eq!(
        refused_with(poll(&denied, "tv", 1_000)),
        (ErrorCode::AccessDenied, 5)
    );
}

#[test]
fn polling_faster_than_the_interval_slows_the_device_down() {
    let mut polled = authorization(Status::Pending);
    polled.last_polled_at = Some(10_000);
    assert_eq!(
        refused_with(poll(&polled, "tv", 14_999)),
        (ErrorCode::SlowDown, 10)
    );
    assert_eq!(
        refused_with(poll(&polled, "tv", 15_000)),
        (ErrorCode::AuthorizationPending, 5)
    );
    // Approved but too soon: still slowed down, the code kept for the next poll.
    polled.status = Status::Approved {
        code_hash: "ch".into(),
    };
    assert_eq!(
        refused_with(poll(&polled, "tv", 11_000)).0,
        ErrorCode::SlowDown
    );
}

#[test]
fn an_expired_or_foreign_device_code_is_refused() {
    let pending = authorization(Status::Pending);
    assert_eq!(
        refused_with(poll(&pending, "tv", 600_000)).0,
        ErrorCode::ExpiredToken
    );
    assert_eq!(
        refused_with(poll(&pending, "other", 1_000)).0,
        ErrorCode::InvalidGrant
    );
}

#[test]
fn only_applications_with_the_device_flow_on_may_ask() {
    let mut tv = Application {
        id: "tv".into(),
        name: "TV".into(),
        description: None,
        app_type: ApplicationType::Native,
        is_third_party: false,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: TokenSettings::default(),
        created_at: 0,
        dynamic: None,
    };
    let params =
        Params::parse(b"scope=openid%20offline_access&resource=https%3A%2F%2Fapi.example.com")
            .unwrap_or_else(|e| panic!("{e:?}"));
    let refused = parse(&params, &tv, "d1").map_err(|e| e.code);
    assert_eq!(refused, Err(ErrorCode::UnauthorizedClient));
    tv.settings.device_flow = true;
    let request = parse(&params, &tv, "d1").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(request.device.as_deref(), Some("d1"));
    assert_eq!(request.redirect_uri, DEVICE_REDIRECT);
    assert_eq!(
        request.resources,
        vec!["https://api.example.com".to_owned()]
    );
    assert!(request.scope.contains("offline_access"));
    tv.app_type = ApplicationType::MachineToMachine;
    assert!(parse(&params, &tv, "d1").is_err());
}
