//! Provider metadata and the JWKS: public, cacheable, open to any origin.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::discovery;
use latchkey_core::dynamic::Mode;

use crate::app::AppState;

/// The metadata document, serialised once in each form the dynamic-client policy can
/// give it (client ID metadata documents accepted or not, registration open or not): the
/// issuer does not change while a node runs, and the policy is read from memory.
#[derive(Debug, Default)]
pub struct Metadata([Bytes; 4]);

impl Metadata {
    pub fn new(issuer: &str) -> serde_json::Result<Self> {
        let form = |i: usize| {
            let (cimd, dcr) = (i & 1 == 1, i & 2 == 2);
            let document = discovery::metadata(issuer)
                .accepting_documents(cimd)
                .accepting_registrations(dcr);
            serde_json::to_vec(&document).map(Bytes::from)
        };
        Ok(Self([form(0)?, form(1)?, form(2)?, form(3)?]))
    }

    fn form(&self, cimd: bool, dcr: bool) -> Bytes {
        self.0[usize::from(cimd) | usize::from(dcr) << 1].clone()
    }
}

/// Where clients look for the metadata: appended to the issuer (OpenID Connect Discovery
/// §4, and RFC 8414 as most clients read it) and inserted before the issuer's path (RFC 8414
/// §3.1). Every one answers the same bytes.
pub const METADATA_PATHS: [&str; 4] = [
    "/oidc/.well-known/openid-configuration",
    "/oidc/.well-known/oauth-authorization-server",
    "/.well-known/oauth-authorization-server/oidc",
    "/.well-known/openid-configuration/oidc",
];

/// Never a 5xx (it stops an MCP SDK's discovery): when the policy cannot be read, the one
/// last read is described.
pub async fn metadata(State(state): State<AppState>) -> Response {
    let policy = match state.cache.policy(&state.db).await {
        Ok(policy) => policy,
        Err(e) => {
            tracing::warn!(error = %e, "metadata served with the last policy read");
            state.cache.last_policy()
        }
    };
    let (cimd, dcr) = (policy.cimd.mode != Mode::Off, policy.dcr.mode != Mode::Off);
    public_json(Ok(state.metadata.form(cimd, dcr)), "max-age=300")
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
