//! RFC 9728 for an API registered here: the protected resource metadata its own server
//! should publish at `/.well-known/oauth-protected-resource`, so that clients (MCP clients
//! above all) find this authorization server from the API's `401`.

use serde::Serialize;

use super::Error;
use super::resources::find;
use crate::app::AppState;

/// RFC 9728 §2: the members a client needs to go from the API to its authorization server.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProtectedResourceMetadata {
    /// The API's indicator, as clients send it in `resource`.
    pub resource: String,
    /// This server's issuer.
    pub authorization_servers: Vec<String>,
    /// The permissions defined for the API.
    pub scopes_supported: Vec<String>,
    /// Latchkey's access tokens are sent in the `Authorization` header (RFC 6750 §2.1).
    pub bearer_methods_supported: Vec<&'static str>,
}

pub async fn metadata(state: &AppState, id: &str) -> Result<ProtectedResourceMetadata, Error> {
    let resource = find(state, id).await?;
    let scopes = state.db.list_scopes(&resource.id).await?;
    Ok(ProtectedResourceMetadata {
        resource: resource.indicator,
        authorization_servers: vec![state.config.issuer()],
        scopes_supported: scopes.into_iter().map(|s| s.name).collect(),
        bearer_methods_supported: vec!["header"],
    })
}
