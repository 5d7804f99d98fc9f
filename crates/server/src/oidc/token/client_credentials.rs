//! `grant_type=client_credentials` (RFC 6749 §4.4): a machine-to-machine application's JWT
//! access token for one API, with the scopes its roles allow. Served from the node's cache of
//! the client and the API's permissions; `core::token::client_credentials` decides.

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
    let api = state
        .cache
        .api(&state.db, &application.id, &request.resource)
        .await?
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known"))?;
    let (resource, defined, allowed) = (&api.resource, &api.defined, &api.allowed);
    let issuer = state.config.issuer();
    let now_ms = state.clock.now_ms();
    let claims = client_credentials::grant(
        application,
        &request,
        resource,
        defined,
        allowed,
        &issuer,
        now_ms,
    )?;
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
