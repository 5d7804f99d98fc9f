//! Dynamic registration requests, sent by anyone: any body is either refused with
//! `invalid_client_metadata` or `invalid_redirect_uri`, or makes a third-party client whose
//! redirect URIs each pass the self-registration checks, with a secret exactly when it is not
//! public, and whose digest does not depend on the order of its redirect URIs.
#![no_main]

use latchkey_core::ErrorCode;
use latchkey_core::client::ApplicationType;
use latchkey_core::dynamic_registration::parse;
use latchkey_core::registration::check_self_registered_redirect_uri;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match parse(data) {
        Err(error) => assert!(
            matches!(
                error.code,
                ErrorCode::InvalidClientMetadata | ErrorCode::InvalidRedirectUri
            ),
            "{error:?}"
        ),
        Ok(request) => {
            assert!(!request.redirect_uris.is_empty());
            assert!(request.grant_types.iter().any(|g| g == "authorization_code"));
            for uri in &request.redirect_uris {
                let checked = check_self_registered_redirect_uri("r", uri, request.is_public());
                assert!(checked.is_ok(), "{uri:?}");
            }
            let app = request.application("id".into(), 0);
            assert!(app.is_third_party);
            assert_eq!(app.app_type.is_confidential(), !request.is_public());
            assert_eq!(app.app_type == ApplicationType::Native, request.is_public());
            let mut reversed = request.clone();
            reversed.redirect_uris.reverse();
            assert_eq!(request.digest("a"), reversed.digest("a"));
        }
    }
});
