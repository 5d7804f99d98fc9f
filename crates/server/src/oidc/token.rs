//! `POST /oidc/token` (RFC 6749 §3.2): authenticate the client, then run its grant.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use latchkey_core::client::GrantType;
use latchkey_core::params::Params;
use latchkey_core::token::{self, TokenResponse, client_credentials};
use latchkey_core::{OAuthError, client_auth};

use crate::app::AppState;
use crate::error::Error;

/// A secret's "last used" time is rewritten at most this often, so that a busy client does
/// not turn every token request into a database write.
const LAST_USED_RESOLUTION_MS: i64 = 60_000;

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Error> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(OAuthError::invalid_request(
            "the body must be application/x-www-form-urlencoded",
        )
        .into());
    }
    let params = Params::parse(&body)?;
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or(""));
    let presented = client_auth::parse(authorization, &params)?;
    let now_ms = state.clock.now_ms();

    let application = state.db.find_application(&presented.client_id).await?;
    let secrets = match &application {
        Some(app) if app.app_type.is_confidential() => state.db.find_secrets(&app.id).await?,
        _ => Vec::new(),
    };
    let matched = client_auth::authenticate(&presented, application.as_ref(), &secrets, now_ms)?;
    let Some(application) = application else {
        return Err(OAuthError::invalid_client().into());
    };
    if let Some(secret) = matched
        && secret
            .last_used_at
            .is_none_or(|at| now_ms - at >= LAST_USED_RESOLUTION_MS)
    {
        state
            .db
            .touch_secret(&application.id, &secret.name, now_ms)
            .await?;
    }

    let response = match token::grant_type(&params)? {
        GrantType::ClientCredentials => {
            let request = client_credentials::parse(&params)?;
            let resource = state
                .db
                .find_resource_by_indicator(&request.resource)
                .await?
                .ok_or_else(|| {
                    OAuthError::new(
                        latchkey_core::ErrorCode::InvalidTarget,
                        "the resource is not known",
                    )
                })?;
            let defined = state.db.find_scope_names(&resource.id).await?;
            let allowed = state
                .db
                .find_application_scope_names(&application.id, &resource.id)
                .await?;
            let issuer = state.config.issuer();
            let claims = client_credentials::grant(
                &application,
                &request,
                &resource,
                &defined,
                &allowed,
                &issuer,
                now_ms,
            )?;
            let keys = state.keys.get();
            let signer = keys
                .current(state.config.access_token_alg)
                .ok_or_else(|| Error::Internal("no current signing key".into()))?;
            let access_token = signer
                .sign("at+jwt", &claims)
                .map_err(|e| Error::Internal(format!("signing failed: {e}")))?;
            TokenResponse {
                access_token,
                token_type: "Bearer",
                expires_in: claims.exp - claims.iat,
                scope: claims.scope,
            }
        }
        GrantType::AuthorizationCode => {
            let body = super::code_exchange::exchange(&state, &application, &params).await?;
            return Ok(no_store(Json(body)));
        }
        GrantType::RefreshToken => {
            return Err(OAuthError::new(
                latchkey_core::ErrorCode::UnsupportedGrantType,
                "this grant_type is not supported",
            )
            .into());
        }
    };
    Ok(no_store(Json(response)))
}

fn no_store(body: impl IntoResponse) -> Response {
    (
        [
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            (header::PRAGMA, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
        .into_response()
}
