//! `grant_type=client_credentials` (RFC 6749 §4.4): a machine-to-machine application's JWT
//! access token for one API, with the scopes its roles allow. Served from the node's cache of
//! the client and the API's permissions; `core::token::client_credentials` decides. Within an
//! organization (`organization_id`), the member application's organization roles decide
//! (`organization`).

use latchkey_core::client::Application;
use latchkey_core::token::TokenResponse;
use latchkey_core::token::client_credentials::{self, Request};
use latchkey_core::{ErrorCode, OAuthError};

use crate::app::AppState;
use crate::error::Error;
use crate::keyring::RsaOn;

pub async fn grant(
    state: &AppState,
    application: &Application,
    request: Request,
) -> Result<TokenResponse, Error> {
    let claims = match (&request.organization_id, &request.resource) {
        (Some(organization_id), _) => {
            super::organization::for_application(state, application, &request, organization_id)
                .await?
        }
        (None, Some(indicator)) => {
            let api = state
                .cache
                .api(&state.db, &application.id, indicator)
                .await?
                .ok_or_else(|| {
                    OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known")
                })?;
            let (resource, defined, allowed) = (&api.resource, &api.defined, &api.allowed);
            let issuer = state.config.issuer();
            let now_ms = state.clock.now_ms();
            client_credentials::grant(
                application,
                &request,
                resource,
                defined,
                allowed,
                &issuer,
                now_ms,
            )?
        }
        (None, None) => {
            let why = "resource is required for client_credentials";
            return Err(OAuthError::new(ErrorCode::InvalidTarget, why).into());
        }
    };
    let (expires_in, scope) = (claims.exp - claims.iat, claims.scope.clone());
    let keys = state.keys.get();
    let alg = state.config.access_token_alg;
    let access_token = keys.sign(alg, "at+jwt", claims, RsaOn::InPlace).await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope,
        id_token: None,
        refresh_token: None,
        issued_token_type: None,
    })
}
