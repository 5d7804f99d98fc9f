//! Provider metadata and the JWKS: public, cacheable, open to any origin.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::discovery;

use crate::app::AppState;

/// Both metadata documents, serialised once: the issuer does not change while a node runs.
#[derive(Debug, Default)]
pub struct Metadata {
    openid: Bytes,
    oauth: Bytes,
}

impl Metadata {
    pub fn new(issuer: &str) -> serde_json::Result<Self> {
        Ok(Self {
            openid: serde_json::to_vec(&discovery::openid_metadata(issuer))?.into(),
            oauth: serde_json::to_vec(&discovery::oauth_metadata(issuer))?.into(),
        })
    }
}

pub async fn openid_configuration(State(state): State<AppState>) -> Response {
    public_json(Ok(state.metadata.openid.clone()), "max-age=300")
}

pub async fn oauth_authorization_server(State(state): State<AppState>) -> Response {
    public_json(Ok(state.metadata.oauth.clone()), "max-age=300")
}

/// Short cache: a newly published `next` key must reach verifiers well before it signs.
pub async fn jwks(State(state): State<AppState>) -> Response {
    public_json(
        Ok(state.keys.get().jwks()),
        crate::keyring::JWKS_CACHE_CONTROL,
    )
}

fn public_json(body: serde_json::Result<Bytes>, cache: &'static str) -> Response {
    let Ok(body) = body else {
        return crate::error::Error::Internal("metadata serialisation failed".into())
            .into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response()
}
