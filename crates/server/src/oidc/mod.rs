//! The protocol endpoints under `/oidc`: thin shells that extract, load, call the core,
//! persist and respond.

mod authorize;
mod client;
mod cors;
mod device;
mod discovery;
mod end_session;
mod introspection;
mod registration;
mod revocation;
mod token;
mod userinfo;

use axum::Router;
use axum::routing::{get, post};

pub use authorize::hinted_subject;
pub use discovery::Metadata;
pub use end_session::confirm as end_session_confirm;

use crate::app::AppState;

pub fn routes(state: &AppState) -> Router<AppState> {
    // What browsers call from an application's own pages: CORS for registered origins.
    let cross_origin = Router::new()
        .route("/oidc/token", post(token::token))
        .route("/oidc/device/auth", post(device::authorize))
        .route("/oidc/token/revocation", post(revocation::revoke))
        .route("/oidc/me", get(userinfo::userinfo).post(userinfo::userinfo))
        .layer(cors::CorsLayer(state.clone()));
    let metadata = discovery::METADATA_PATHS
        .into_iter()
        .fold(Router::new(), |router, path| {
            router.route(path, get(discovery::metadata))
        });
    Router::new()
        .merge(cross_origin)
        .merge(metadata)
        .route("/oidc/jwks", get(discovery::jwks))
        .route(
            "/oidc/reg",
            post(registration::register).options(registration::preflight),
        )
        .route("/oidc/token/introspection", post(introspection::introspect))
        .route("/oidc/auth", get(authorize::get).post(authorize::post))
        .route("/oidc/auth/resume/{id}", get(authorize::resume))
        .route(
            "/oidc/session/end",
            get(end_session::get).post(end_session::post),
        )
}
