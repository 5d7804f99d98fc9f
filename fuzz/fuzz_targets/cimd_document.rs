//! Client ID Metadata Documents, fetched from anywhere: any URL and body is either refused
//! with `invalid_client` or describes a public client at that very URL whose redirect URIs
//! each pass registration's checks, using the authorization code grant.
#![no_main]

use latchkey_core::ErrorCode;
use latchkey_core::cimd::{check_url, parse};
use latchkey_core::client::ApplicationType;
use latchkey_core::registration::check_redirect_uri;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == b'\n').unwrap_or(data.len());
    let Ok(url) = std::str::from_utf8(&data[..split]) else {
        return;
    };
    let body = data.get(split + 1..).unwrap_or_default();
    if let Err(error) = check_url(url, false) {
        assert_eq!(error.code, ErrorCode::InvalidClient);
    }
    match parse(url, body) {
        Err(error) => assert_eq!(error.code, ErrorCode::InvalidClient),
        Ok(document) => {
            assert_eq!(document.client_id, url);
            assert!(!document.client_name.trim().is_empty());
            assert!(document.grant_types.iter().any(|g| g == "authorization_code"));
            for uri in &document.redirect_uris {
                let checked = check_redirect_uri("r", uri, ApplicationType::Native, true);
                assert!(checked.is_ok(), "{uri:?}");
            }
        }
    }
});
