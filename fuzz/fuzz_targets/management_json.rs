//! JSON bodies of the management API: any bytes, deserialized into each input type the API
//! accepts, never panic, and applications that deserialize are validated by the same rules.
#![no_main]

use latchkey::manage::applications::{ApplicationPatch, NewApplication};
use latchkey::manage::resources::{NewResource, NewScope};
use latchkey::manage::roles::NewRole;
use latchkey::manage::third_party::{ConsentScopesInput, SignInExperienceView};
use latchkey::manage::users::{NewUser, UserPatch};
use latchkey_core::registration;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(app) = serde_json::from_slice::<NewApplication>(data) {
        let _ = registration::check_name("name", &app.name);
        let _ = registration::check_description("description", app.description.as_deref());
        if let Some(meta) = app.oidc_client_metadata {
            for app_type in latchkey_core::client::ApplicationType::ALL {
                let third_party = app.is_third_party.unwrap_or(false);
                let uris = &meta.redirect_uris;
                let _ =
                    registration::check_redirect_uris("redirectUris", uris, app_type, third_party);
            }
        }
    }
    let _ = serde_json::from_slice::<ApplicationPatch>(data);
    let _ = serde_json::from_slice::<NewUser>(data);
    let _ = serde_json::from_slice::<UserPatch>(data);
    let _ = serde_json::from_slice::<NewRole>(data);
    if let Ok(resource) = serde_json::from_slice::<NewResource>(data) {
        let _ = registration::check_indicator(&resource.indicator);
    }
    if let Ok(scope) = serde_json::from_slice::<NewScope>(data) {
        let _ = registration::check_scope_name(&scope.name);
    }
    let _ = serde_json::from_slice::<ConsentScopesInput>(data);
    let _ = serde_json::from_slice::<SignInExperienceView>(data);
});
