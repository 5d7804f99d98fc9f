//! The authorization request parser: any query string, against a public and a confidential
//! client, never panics, and an accepted redirect URI is always one the client registered.
#![no_main]

use latchkey_core::authorize::{check_client, parse};
use latchkey_core::client::{Application, ApplicationType};
use latchkey_core::params::Params;
use libfuzzer_sys::fuzz_target;

fn app(app_type: ApplicationType) -> Application {
    Application {
        dynamic: None,
        id: "client".into(),
        name: "Fuzz".into(),
        description: None,
        app_type,
        is_third_party: false,
        redirect_uris: vec![
            "https://app.example.com/cb".into(),
            "http://127.0.0.1/cb".into(),
        ],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(params) = Params::parse(data) else {
        return;
    };
    for app_type in [ApplicationType::Traditional, ApplicationType::Native] {
        let app = app(app_type);
        if let Ok(redirect) = check_client(&params, Some(&app)) {
            let loopback = redirect.starts_with("http://127.0.0.1:");
            assert!(
                app.redirect_uris.contains(&redirect) || loopback,
                "{redirect}"
            );
            let _ = parse(&params, &app, redirect);
        }
    }
});
