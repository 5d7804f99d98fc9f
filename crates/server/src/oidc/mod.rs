//! The protocol endpoints under `/oidc`: thin shells that extract, load, call the core,
//! persist and respond.

mod authorize;
mod client;
mod discovery;
mod end_session;
mod introspection;
mod revocation;
mod token;
mod user_tokens;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};

use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/oidc/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/oidc/.well-known/oauth-authorization-server",
            get(discovery::oauth_authorization_server),
        )
        // RFC 8414 §3.1: the well-known segment goes before the issuer's path.
        .route(
            "/.well-known/oauth-authorization-server/oidc",
            get(discovery::oauth_authorization_server),
        )
        .route("/oidc/jwks", get(discovery::jwks))
        .route("/oidc/token", post(token::token))
        .route("/oidc/token/revocation", post(revocation::revoke))
        .route("/oidc/token/introspection", post(introspection::introspect))
        .route("/oidc/auth", get(authorize::get).post(authorize::post))
        .route("/oidc/auth/resume/{id}", get(authorize::resume))
        .route(
            "/oidc/session/end",
            get(end_session::get).post(end_session::post),
        )
        .route("/oidc/session/end/confirm", post(end_session::confirm))
        .route("/oidc/me", get(userinfo::userinfo).post(userinfo::userinfo))
}
