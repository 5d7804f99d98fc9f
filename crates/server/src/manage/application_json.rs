//! An application in Logto's JSON shapes: what the management API and the console take to
//! create and change one, and how they show it.

use latchkey_core::client::Application;
use serde::{Deserialize, Serialize};

use super::nullable;

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcClientMetadata {
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    pub post_logout_redirect_uris: Vec<String>,
    /// How ID tokens are signed: `RS256` (default) or `ES256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signed_response_alg: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomClientMetadataInput {
    pub cors_allowed_origins: Option<Vec<String>>,
    pub id_token_ttl: Option<i64>,
    pub refresh_token_ttl_in_days: Option<i64>,
    pub rotate_refresh_token: Option<bool>,
    pub always_issue_refresh_token: Option<bool>,
    /// Whether the application may use the device authorization grant (RFC 8628). On by
    /// default for new Native applications; never for machine-to-machine ones.
    pub device_flow: Option<bool>,
    /// Whether the application may exchange a user's access token for one to another API
    /// (RFC 8693). First-party Traditional and machine-to-machine applications only.
    pub token_exchange: Option<bool>,
    /// Seconds (0 to 60) during which a rotated refresh token presented again is answered
    /// with the same new pair instead of revoking its family.
    pub refresh_token_reuse_grace_seconds: Option<i64>,
    /// Whether signing in to the application needs a second factor (or a passkey).
    pub require_mfa: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApplication {
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub app_type: String,
    pub is_third_party: Option<bool>,
    pub oidc_client_metadata: Option<OidcClientMetadata>,
    pub custom_client_metadata: Option<CustomClientMetadataInput>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub description: Option<Option<String>>,
    pub oidc_client_metadata: Option<OidcClientMetadata>,
    pub custom_client_metadata: Option<CustomClientMetadataInput>,
    /// Accepted only when unchanged: an application's type is fixed at creation.
    #[serde(rename = "type")]
    pub app_type: Option<String>,
    /// Accepted only when unchanged.
    pub is_third_party: Option<bool>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CustomClientMetadata {
    pub cors_allowed_origins: Vec<String>,
    pub id_token_ttl: i64,
    pub refresh_token_ttl_in_days: i64,
    pub rotate_refresh_token: bool,
    pub always_issue_refresh_token: bool,
    pub device_flow: bool,
    pub token_exchange: bool,
    pub refresh_token_reuse_grace_seconds: i64,
    pub require_mfa: bool,
}

/// An application as the API shows it. `secret` only in the answer to its creation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub app_type: &'static str,
    pub is_third_party: bool,
    pub oidc_client_metadata: OidcClientMetadata,
    pub custom_client_metadata: CustomClientMetadata,
    pub created_at: i64,
    /// How a self-registered client registered itself (`cimd`, `dcr`); absent for
    /// applications an administrator registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub registration: Option<&'static str>,
    /// For a self-registered client: `approved`, `blocked`, or null while no administrator
    /// has decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub approval: Option<Option<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<Application> for ApplicationView {
    fn from(app: Application) -> Self {
        let dynamic = app.dynamic.as_ref();
        Self {
            registration: dynamic.map(|d| d.registration.as_str()),
            approval: dynamic.map(|d| d.approval.map(|a| a.as_str())),
            app_type: app.app_type.as_str(),
            oidc_client_metadata: OidcClientMetadata {
                redirect_uris: app.redirect_uris,
                post_logout_redirect_uris: app.post_logout_redirect_uris,
                id_token_signed_response_alg: Some(app.settings.id_token_alg.as_str().to_owned()),
            },
            custom_client_metadata: CustomClientMetadata {
                cors_allowed_origins: app.cors_allowed_origins,
                id_token_ttl: app.settings.id_token_ttl,
                refresh_token_ttl_in_days: app.settings.refresh_token_ttl_days,
                rotate_refresh_token: app.settings.rotate_refresh_token,
                always_issue_refresh_token: app.settings.always_issue_refresh_token,
                device_flow: app.settings.device_flow,
                token_exchange: app.settings.token_exchange,
                refresh_token_reuse_grace_seconds: app.settings.refresh_reuse_grace_secs,
                require_mfa: app.settings.require_mfa,
            },
            id: app.id,
            name: app.name,
            description: app.description,
            is_third_party: app.is_third_party,
            created_at: app.created_at,
            secret: None,
        }
    }
}
