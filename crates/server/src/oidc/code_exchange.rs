//! `grant_type=authorization_code`: consume the code once, check it against the client,
//! and issue an ID token and an opaque access token usable at userinfo.

use latchkey_core::claims::{IdTokenContext, id_token_claims};
use latchkey_core::client::Application;
use latchkey_core::grant::{OpaqueAccessToken, Taken, token_hash};
use latchkey_core::jwt::Algorithm;
use latchkey_core::params::Params;
use latchkey_core::scope::Scopes;
use latchkey_core::token::authorization_code;
use latchkey_core::{ErrorCode, OAuthError, random};
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error::Error;

/// Opaque access tokens for userinfo live one hour.
pub const ACCESS_TOKEN_TTL_SECS: i64 = 3600;

fn invalid_grant(why: &'static str) -> Error {
    OAuthError::new(ErrorCode::InvalidGrant, why).into()
}

pub async fn exchange(
    state: &AppState,
    app: &Application,
    params: &Params,
) -> Result<Value, Error> {
    let request = authorization_code::parse(params)?;
    let now = state.clock.now_ms();
    let (code, grant) = match state
        .db
        .take_authorization_code(&token_hash(&request.code), now)
        .await?
    {
        Taken::Taken(found) => found,
        Taken::Missing => return Err(invalid_grant("the code is invalid or expired")),
        Taken::Reused { grant_id } => {
            // RFC 6749 §4.1.2: a replayed code revokes what was issued from it.
            state.db.revoke_grant(&grant_id, now).await?;
            tracing::warn!(client_id = %app.id, "authorization code reused; its grant is revoked");
            return Err(invalid_grant("the code was already used"));
        }
    };
    authorization_code::check(&request, &code, &grant, app)?;
    let user = state
        .db
        .find_user(&grant.user_id)
        .await?
        .filter(|u| !u.is_suspended);
    let Some(user) = user else {
        return Err(invalid_grant("the user can no longer sign in"));
    };

    let access_token = random::secret();
    state
        .db
        .insert_access_token(&OpaqueAccessToken {
            token_hash: token_hash(&access_token),
            grant_id: grant.id.clone(),
            scope: grant.scope.clone(),
            created_at: now,
            expires_at: now + ACCESS_TOKEN_TTL_SECS * 1000,
        })
        .await?;
    let scope = Scopes::parse(&grant.scope)?;
    let issuer = state.config.issuer();
    let context = IdTokenContext {
        issuer: &issuer,
        client_id: &app.id,
        now_ms: now,
        ttl_secs: app.settings.id_token_ttl,
        auth_time_ms: grant.auth_time,
        nonce: code.nonce.as_deref(),
        session_id: grant.session_id_hash.as_deref(),
        access_token: Some(&access_token),
    };
    let claims = id_token_claims(&user, &scope, &context);
    let keys = state.keys.get();
    let signer = keys
        .current(Algorithm::RS256)
        .ok_or_else(|| Error::Internal("no current RS256 key".into()))?;
    let id_token = signer
        .sign("JWT", &claims)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_TTL_SECS,
        "scope": grant.scope,
        "id_token": id_token,
    }))
}
