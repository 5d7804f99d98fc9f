//! `grant_type=authorization_code` (RFC 6749 §4.1.3): the code is consumed once, checked
//! against the client, its redirect URI and its PKCE challenge (`core` decides), and
//! exchanged for the user's tokens, which the consuming transaction stores with it. A code
//! presented again revokes its grant (RFC 6749 §4.1.2).

use latchkey_core::client::Application;
use latchkey_core::grant::{AuthorizationCode, Grant, Taken, token_hash};
use latchkey_core::token::TokenResponse;
use latchkey_core::token::authorization_code::{self, Request};
use latchkey_store::codes::Won;
use latchkey_store::grants::Issued;

use super::issuance::{INVALID_CODE, Replayed, Tokens, granted, invalid_grant, issue, replayed};
use crate::app::AppState;
use crate::error::Error;

pub async fn redeem(
    state: &AppState,
    app: &Application,
    request: Request,
) -> Result<TokenResponse, Error> {
    let hash = token_hash(&request.code);
    let target = request.resource.clone();
    let check = move |code: &AuthorizationCode, grant: &Grant, client: &Application| {
        authorization_code::check(&request, code, grant, client).map_err(Error::from)
    };
    let taken = take(state, app, (&hash, target), check).await?;
    taken.ok_or_else(|| invalid_grant(INVALID_CODE))
}

/// Consume the code `hash` once and answer with the user's tokens (for the API `target`, if
/// named); `None` if it is unknown, expired or of a revoked grant. Decided inside the
/// consuming transaction, from the code it consumed: a request that fails `check` spends the
/// code all the same, and stores nothing. A code presented again revokes its grant.
pub(super) async fn take(
    state: &AppState,
    app: &Application,
    (hash, target): (&str, Option<String>),
    check: impl FnOnce(&AuthorizationCode, &Grant, &Application) -> Result<(), Error> + Send + 'static,
) -> Result<Option<TokenResponse>, Error> {
    let now = state.clock.now_ms();
    let client = app.clone();
    let take = state
        .db
        .take_authorization_code(hash, now, move |code, grant| {
            let checked = check(code, grant, &client);
            let tokens =
                checked.and_then(|()| granted(code, grant, &client, target.as_deref(), now));
            let issued = tokens
                .as_ref()
                .map_or_else(|_| Issued::default(), Tokens::issued);
            (issued, tokens)
        });
    match take.await? {
        Taken::Taken(Won {
            grant,
            user,
            decided,
            ..
        }) => issue(state, app, (&grant, user), decided?).await.map(Some),
        Taken::Missing => Ok(None),
        Taken::Reused { grant_id } => replayed(state, app, &grant_id, now, Replayed::Code).await,
    }
}
