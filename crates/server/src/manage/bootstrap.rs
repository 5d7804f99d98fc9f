//! `latchkey bootstrap`: a machine-to-machine application allowed `all` on the management
//! API, so that a script can reach `/api` before any console exists.

use latchkey_core::client::{Application, ApplicationType, ClientSecret};
use latchkey_core::resource::{MANAGEMENT_ROLE_ID, management_indicator};
use latchkey_store::Db;
use serde::Serialize;

use crate::config::Config;

/// What the caller needs to get a management token. The secret is shown this once.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    pub resource: String,
    pub issuer: String,
    pub token_endpoint: String,
}

/// Create a new management client. Every call creates another one.
pub async fn bootstrap(
    db: &Db,
    config: &Config,
    now_ms: i64,
) -> Result<Credentials, latchkey_store::Error> {
    let application = Application {
        dynamic: None,
        id: latchkey_core::random::id(),
        name: "Management API client".into(),
        description: Some("Created by latchkey bootstrap".into()),
        app_type: ApplicationType::MachineToMachine,
        is_third_party: false,
        redirect_uris: vec![],
        post_logout_redirect_uris: vec![],
        cors_allowed_origins: vec![],
        settings: Default::default(),
        created_at: now_ms,
    };
    let (client_secret, secret) = ClientSecret::generate("Default secret", now_ms, None);
    db.insert_application(&application, &[secret], &[MANAGEMENT_ROLE_ID])
        .await?;
    let issuer = config.issuer();
    Ok(Credentials {
        client_id: application.id,
        client_secret,
        resource: management_indicator(config.public_url()),
        token_endpoint: format!("{issuer}/token"),
        issuer,
    })
}
