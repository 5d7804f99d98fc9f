//! Redirect-URI registration and matching: any string is either refused at registration or
//! stored as given, and a request matches a registration only byte for byte (or, for a
//! native app, with another port on a loopback IP).
#![no_main]

use latchkey_core::client::{Application, ApplicationType};
use latchkey_core::redirect::find;
use latchkey_core::registration::check_redirect_uris;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (registered, requested) = text.split_once('\n').unwrap_or((text, text));
    let kinds = ApplicationType::ALL
        .into_iter()
        .flat_map(|t| [(t, false), (t, true)]);
    for (app_type, is_third_party) in kinds {
        let registration = [registered.to_owned()];
        let Ok(uris) = check_redirect_uris("redirectUris", &registration, app_type, is_third_party)
        else {
            continue;
        };
        // A partner's web app never registers plain http, loopback or not.
        let web = !matches!(app_type, ApplicationType::Native);
        assert!(
            !(is_third_party && web && registered.starts_with("http:")),
            "{registered:?}"
        );
        assert_eq!(uris, [registered.to_owned()], "stored as given");
        let app = Application {
            dynamic: None,
            id: "client".into(),
            name: "Fuzz".into(),
            description: None,
            app_type,
            is_third_party,
            redirect_uris: uris,
            post_logout_redirect_uris: vec![],
            cors_allowed_origins: vec![],
            settings: Default::default(),
            created_at: 0,
        };
        if let Some(found) = find(&app, requested) {
            let exact = found == registered && requested == registered;
            let native_loopback = app_type == ApplicationType::Native
                && requested.starts_with("http://127.0.0.1:")
                || requested.starts_with("http://[::1]:");
            assert!(
                exact || native_loopback,
                "{registered:?} matched {requested:?}"
            );
        }
    }
});
