//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693): the subject token
//! (an opaque token of a live grant, or a JWT this server signed whose user still has the
//! client's consent) is read here; `core::token::token_exchange` decides the scopes and the
//! claims, with `act` naming the exchanging client. No refresh token.

use latchkey_core::client::Application;
use latchkey_core::dynamic::Standing;
use latchkey_core::grant::token_hash;
use latchkey_core::jwt;
use latchkey_core::scope::Scopes;
use latchkey_core::token::TokenResponse;
use latchkey_core::token::token_exchange::{self, ACCESS_TOKEN_TYPE, Request, Subject};
use latchkey_core::{ErrorCode, OAuthError};

use crate::app::AppState;
use crate::error::Error;
use crate::keyring::RsaOn;

fn invalid_subject() -> Error {
    OAuthError::new(
        ErrorCode::InvalidGrant,
        "the subject token is invalid or expired",
    )
    .into()
}

pub async fn exchange(
    state: &AppState,
    app: &Application,
    request: Request,
) -> Result<TokenResponse, Error> {
    let now = state.clock.now_ms();
    let subject = subject(state, &request.subject_token, now).await?;
    // What the user allowed the subject's client, still in force: revoking it ends exchanges
    // of every token issued to that client for the user, JWTs included.
    let consent = state
        .db
        .find_consent(&subject.user_id, &subject.consented_client_id)
        .await?
        .ok_or_else(invalid_subject)?;
    let user = state.db.find_user(&subject.user_id).await?;
    if !user.is_some_and(|u| u.is_active()) {
        return Err(invalid_subject());
    }
    let subject_app = state
        .cache
        .client(&state.db, &subject.consented_client_id)
        .await?;
    let subject_app = &subject_app.ok_or_else(invalid_subject)?.application;
    // A self-registered client blocked or waiting since: its tokens are not exchanged.
    if let Some(dynamic) = &subject_app.dynamic {
        let policy = state.cache.policy(&state.db).await?;
        if policy.standing(dynamic) != Standing::Allowed {
            return Err(invalid_subject());
        }
    }
    let resource = state.db.find_resource_named(&request.resource).await?;
    let resource = resource
        .ok_or_else(|| OAuthError::new(ErrorCode::InvalidTarget, "the resource is not known"))?;
    // What the subject's application could be granted now (the user's roles, within a
    // partner's current ceiling), and for a partner no more than the user consented to.
    let held = crate::consent::grantable(state, subject_app, &subject.user_id, &resource.id);
    let held = Scopes::from_names(held.await?.into_iter().map(|s| s.name));
    let consented = subject_app.is_third_party.then(|| {
        let names = consent.resource_scopes.iter();
        Scopes::from_names(
            names
                .filter(|s| s.resource_id == resource.id)
                .map(|s| s.name.clone()),
        )
    });
    let scope = token_exchange::scope(request.scope.as_ref(), &held, consented.as_ref())?;
    let issuer = state.config.issuer();
    let claims = token_exchange::claims(app, &subject, (&resource, &scope), &issuer, now)?;
    let expires_in = claims.exp - claims.iat;
    let keys = state.keys.get();
    let alg = state.config.access_token_alg;
    let access_token = keys
        .sign(alg, "at+jwt", claims, RsaOn::BlockingPool)
        .await?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in,
        scope: scope.to_string(),
        id_token: None,
        refresh_token: None,
        issued_token_type: Some(ACCESS_TOKEN_TYPE),
    })
}

/// Whose token `token` is: a JWT this server signed, or an opaque token of a live grant.
async fn subject(state: &AppState, token: &str, now: i64) -> Result<Subject, Error> {
    if token.split('.').count() == 3 {
        let keys = state.keys.get();
        let claims = jwt::verify(token, "at+jwt", keys.public_keys());
        let claims = claims.map_err(|_| invalid_subject())?;
        return Ok(token_exchange::subject_of_jwt(
            &claims,
            &state.config.issuer(),
            now,
        )?);
    }
    let found = state.db.find_access_token(&token_hash(token), now).await?;
    let (token, grant) = found.ok_or_else(invalid_subject)?;
    Ok(Subject {
        user_id: grant.user_id,
        consented_client_id: grant.client_id,
        act: None,
        expires_at: token.expires_at,
    })
}
