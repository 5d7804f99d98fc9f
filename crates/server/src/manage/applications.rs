//! Applications: create, change, delete; their JSON shapes are in `application_json`.

use latchkey_core::client::{Application, ApplicationType, ClientSecret, GrantType, TokenSettings};
use latchkey_core::registration::{self as rules, Invalid};
use serde_json::json;

use super::Actor;
use super::Error;
pub use super::application_json::{
    ApplicationPatch, ApplicationView, CustomClientMetadata, CustomClientMetadataInput,
    NewApplication, OidcClientMetadata,
};
use crate::app::AppState;
use crate::audit;

/// The longest a rotated refresh token may be answered again: a retry, not a second life.
const MAX_REUSE_GRACE_SECS: i64 = 60;

pub fn parse_type(value: &str) -> Result<ApplicationType, Invalid> {
    ApplicationType::parse(value).ok_or_else(|| {
        Invalid::new(
            "type",
            "application.invalid_type",
            "type must be Traditional, SPA, Native or MachineToMachine",
        )
    })
}

/// Apply optional metadata on top of `app`, checking every rule.
fn apply_metadata(
    app: &mut Application,
    oidc: Option<OidcClientMetadata>,
    custom: Option<CustomClientMetadataInput>,
) -> Result<(), Invalid> {
    if let Some(oidc) = oidc {
        app.redirect_uris = rules::check_redirect_uris(
            "oidcClientMetadata.redirectUris",
            &oidc.redirect_uris,
            app.app_type,
            app.is_third_party,
        )?;
        app.post_logout_redirect_uris = rules::check_redirect_uris(
            "oidcClientMetadata.postLogoutRedirectUris",
            &oidc.post_logout_redirect_uris,
            app.app_type,
            app.is_third_party,
        )?;
        if let Some(alg) = oidc.id_token_signed_response_alg {
            app.settings.id_token_alg =
                latchkey_core::jwt::Algorithm::parse(&alg).ok_or_else(|| {
                    Invalid::new(
                        "oidcClientMetadata.idTokenSignedResponseAlg",
                        "application.invalid_id_token_alg",
                        "idTokenSignedResponseAlg must be RS256 or ES256",
                    )
                })?;
        }
    }
    if let Some(custom) = custom {
        if let Some(origins) = custom.cors_allowed_origins {
            app.cors_allowed_origins =
                rules::check_origins("customClientMetadata.corsAllowedOrigins", &origins)?;
        }
        let s = &mut app.settings;
        s.id_token_ttl = custom.id_token_ttl.unwrap_or(s.id_token_ttl);
        s.refresh_token_ttl_days = custom
            .refresh_token_ttl_in_days
            .unwrap_or(s.refresh_token_ttl_days);
        s.rotate_refresh_token = custom
            .rotate_refresh_token
            .unwrap_or(s.rotate_refresh_token);
        s.always_issue_refresh_token = custom
            .always_issue_refresh_token
            .unwrap_or(s.always_issue_refresh_token);
        if let Some(on) = custom.device_flow {
            if on && !app.app_type.allows(GrantType::DeviceCode) {
                let why = "machine-to-machine applications cannot use the device grant";
                let field = "customClientMetadata.deviceFlow";
                return Err(Invalid::new(
                    field,
                    "application.device_flow_not_allowed",
                    why,
                ));
            }
            app.settings.device_flow = on;
        }
        if let Some(on) = custom.token_exchange {
            let first_party_confidential =
                app.app_type.is_confidential() && !app.is_third_party && app.dynamic.is_none();
            if on && !first_party_confidential {
                let why = "only first-party Traditional and machine-to-machine applications may exchange tokens";
                let field = "customClientMetadata.tokenExchange";
                return Err(Invalid::new(
                    field,
                    "application.token_exchange_not_allowed",
                    why,
                ));
            }
            app.settings.token_exchange = on;
        }
        if let Some(secs) = custom.refresh_token_reuse_grace_seconds {
            if !(0..=MAX_REUSE_GRACE_SECS).contains(&secs) {
                let why = "refreshTokenReuseGraceSeconds must be between 0 and 60";
                let field = "customClientMetadata.refreshTokenReuseGraceSeconds";
                return Err(Invalid::new(field, "application.invalid_reuse_grace", why));
            }
            app.settings.refresh_reuse_grace_secs = secs;
        }
        if let Some(on) = custom.require_mfa {
            app.settings.require_mfa = on;
        }
        rules::check_token_settings(&app.settings)?;
    }
    Ok(())
}

/// Create an application; confidential ones get a first secret, `Default secret`, whose
/// value is returned this once.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: NewApplication,
) -> Result<ApplicationView, Error> {
    create_as(state, actor, input, latchkey_core::random::id()).await
}

/// Create the application under `id`, which the caller chose (the console derives it from
/// the form, so that a form submitted twice finds the first one's application).
pub async fn create_as(
    state: &AppState,
    actor: &Actor,
    input: NewApplication,
    id: String,
) -> Result<ApplicationView, Error> {
    let app_type = parse_type(&input.app_type)?;
    let is_third_party = input.is_third_party.unwrap_or(false);
    if is_third_party && !app_type.may_be_third_party() {
        return Err(Error::invalid(
            "application.invalid_third_party_application_type",
            "only Traditional, SPA and Native applications can be third-party",
        )
        .with_field("isThirdParty"));
    }
    let now = state.clock.now_ms();
    let mut app = Application {
        dynamic: None,
        id,
        name: rules::check_name("name", &input.name)?,
        description: rules::check_description("description", input.description.as_deref())?,
        app_type,
        is_third_party,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        // A native application is the one most likely to run where no browser can.
        settings: TokenSettings {
            device_flow: app_type == ApplicationType::Native,
            ..TokenSettings::default()
        },
        created_at: now,
    };
    apply_metadata(
        &mut app,
        input.oidc_client_metadata,
        input.custom_client_metadata,
    )?;
    let (secret_value, secrets) = match app_type.is_confidential() {
        true => {
            let (value, secret) = ClientSecret::generate("Default secret", now, None);
            (Some(value), vec![secret])
        }
        false => (None, vec![]),
    };
    state.db.insert_application(&app, &secrets, &[]).await?;
    audit::write_now(
        state,
        actor,
        "application.create",
        ("application", &app.id),
        json!({"name": app.name, "type": app_type.as_str(), "isThirdParty": is_third_party}),
    )
    .await;
    let mut view = ApplicationView::from(app);
    view.secret = secret_value;
    Ok(view)
}

pub async fn find(state: &AppState, id: &str) -> Result<Application, Error> {
    state
        .db
        .find_application(id)
        .await?
        .ok_or_else(|| Error::NotFound("application"))
}

/// The console's application is Latchkey's own: changing it could lock administrators out.
fn refuse_built_in(id: &str) -> Result<(), Error> {
    match id == latchkey_core::client::CONSOLE_APP_ID {
        true => Err(Error::invalid(
            "application.built_in",
            "the console's application is built in and cannot be changed or deleted",
        )),
        false => Ok(()),
    }
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    patch: ApplicationPatch,
) -> Result<ApplicationView, Error> {
    refuse_built_in(id)?;
    let mut app = find(state, id).await?;
    if patch
        .app_type
        .as_deref()
        .is_some_and(|t| t != app.app_type.as_str())
    {
        return Err(
            Error::invalid("application.immutable_field", "type cannot be changed")
                .with_field("type"),
        );
    }
    if patch
        .is_third_party
        .is_some_and(|t| t != app.is_third_party)
    {
        return Err(Error::invalid(
            "application.immutable_field",
            "isThirdParty cannot be changed",
        )
        .with_field("isThirdParty"));
    }
    if let Some(name) = &patch.name {
        app.name = rules::check_name("name", name)?;
    }
    if let Some(description) = &patch.description {
        app.description = rules::check_description("description", description.as_deref())?;
    }
    apply_metadata(
        &mut app,
        patch.oidc_client_metadata,
        patch.custom_client_metadata,
    )?;
    state.db.update_application(&app).await?;
    audit::write_now(
        state,
        actor,
        "application.update",
        ("application", id),
        json!({}),
    )
    .await;
    Ok(app.into())
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    refuse_built_in(id)?;
    state
        .db
        .delete_application(id)
        .await
        .map_err(|e| not_found_as(e, "application"))?;
    audit::write_now(
        state,
        actor,
        "application.delete",
        ("application", id),
        json!({}),
    )
    .await;
    Ok(())
}

/// Name the missing object in a "not found" coming from the store.
pub fn not_found_as(e: impl Into<Error>, what: &'static str) -> Error {
    e.into().named(what)
}
