use super::*;

#[test]
fn a_password_is_one_factor_and_a_code_after_it_makes_two() {
    let pwd = Amr::password();
    assert!(!pwd.is_multi_factor());
    assert_eq!(pwd.claim(), ["pwd"]);
    assert_eq!(pwd.acr(), ACR_SINGLE);
    let both = pwd.and(&Amr(vec![Method::Otp]));
    assert!(both.is_multi_factor());
    assert_eq!(both.claim(), ["pwd", "otp", "mfa"]);
    assert_eq!(both.acr(), ACR_MFA);
}

#[test]
fn a_verified_passkey_is_two_factors_on_its_own() {
    assert_eq!(Amr::passkey(true).claim(), ["hwk", "user", "mfa"]);
    assert_eq!(Amr::passkey(false).claim(), ["swk", "user", "mfa"]);
    assert_eq!(Amr::passkey(false).acr(), ACR_MFA);
}

#[test]
fn two_proofs_of_one_kind_stay_one_factor() {
    let keys = Amr(vec![Method::Otp]).and(&Amr(vec![Method::Hwk]));
    assert!(!keys.is_multi_factor());
    let twice = Amr::password().and(&Amr::password());
    assert_eq!(twice.claim(), ["pwd"]);
}

#[test]
fn the_stored_form_reads_back_and_ignores_unknown_words() {
    let amr = Amr::password().and(&Amr::passkey(true));
    assert_eq!(Amr::parse(&amr.stored()), amr);
    assert_eq!(Amr::parse("pwd face"), Amr::password());
    assert_eq!(Amr::parse(""), Amr::default());
}

fn request(acr_values: Option<&str>) -> AuthorizationRequest {
    AuthorizationRequest {
        client_id: "c".into(),
        redirect_uri: "https://app.example/cb".into(),
        response_mode: crate::authorize::ResponseMode::Query,
        scope: crate::scope::Scopes::from_names(["openid"]),
        state: None,
        nonce: None,
        prompt: Default::default(),
        max_age: None,
        login_hint: None,
        id_token_hint: None,
        ui_locales: None,
        acr_values: acr_values.map(str::to_owned),
        resources: vec![],
        code_challenge: None,
        device: None,
    }
}

#[test]
fn a_second_factor_is_required_by_policy_application_or_request() {
    let plain = TokenSettings::default();
    let strict = TokenSettings {
        require_mfa: true,
        ..plain
    };
    assert!(!required(Policy::Optional, &plain, &request(None)));
    assert!(required(Policy::Required, &plain, &request(None)));
    assert!(required(Policy::Optional, &strict, &request(None)));
    let asked = request(Some("urn:other urn:latchkey:acr:mfa"));
    assert!(required(Policy::Optional, &plain, &asked));
    let single = request(Some(ACR_SINGLE));
    assert!(!required(Policy::Optional, &plain, &single));
}

#[test]
fn kinds_and_policies_read_their_own_words() {
    for kind in [Kind::Totp, Kind::WebAuthn, Kind::BackupCode] {
        assert_eq!(Kind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(Policy::parse("required"), Some(Policy::Required));
    assert_eq!(Policy::parse("always"), None);
}

#[test]
fn a_required_policy_admits_only_two_factors_to_the_account_pages() {
    assert!(Policy::Optional.admits(&Amr::password()));
    assert!(!Policy::Required.admits(&Amr::password()));
    assert!(Policy::Required.admits(&Amr::passkey(false)));
}
