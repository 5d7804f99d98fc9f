//! The token request parser: any form body and Authorization header never panics.
#![no_main]

use latchkey_core::client::{Application, ApplicationType};
use latchkey_core::client_auth;
use latchkey_core::params::Params;
use latchkey_core::scope::Scopes;
use latchkey_core::token::{
    TokenRequest, authorization_code, client_credentials, grant_type, refresh_token,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (header, body) = match data.iter().position(|b| *b == b'\n') {
        Some(i) => (std::str::from_utf8(&data[..i]).ok(), &data[i + 1..]),
        None => (None, data),
    };
    let Ok(params) = Params::parse(body) else {
        return;
    };
    let _ = client_auth::parse(header, &params);
    let _ = grant_type(&params);
    let _ = authorization_code::parse(&params);
    let _ = client_credentials::parse(&params);
    for app_type in ApplicationType::ALL {
        let app = Application {
            dynamic: None,
            id: "c".into(),
            name: "App".into(),
            description: None,
            app_type,
            is_third_party: false,
            redirect_uris: vec![],
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        };
        if let Ok(request) = TokenRequest::parse(&params, &app) {
            assert!(
                app_type.allows(request.grant_type()),
                "only allowed grants parse"
            );
        }
    }
    if let Ok(request) = refresh_token::parse(&params) {
        let granted = Scopes::parse("openid profile offline_access").unwrap_or_default();
        if let Ok(narrowed) = refresh_token::narrow(request.scope.as_ref(), &granted) {
            assert!(
                narrowed.iter().all(|s| granted.contains(s)),
                "never widened"
            );
        }
    }
});
