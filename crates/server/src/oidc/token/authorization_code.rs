//! `grant_type=authorization_code` (RFC 6749 §4.1.3): the code is consumed once, checked
//! against the client, its redirect URI and its PKCE challenge (`core` decides), and
//! exchanged for the user's tokens, which the consuming transaction stores with it. A code
//! presented again revokes its grant (RFC 6749 §4.1.2).

use latchkey_core::client::Application;
use latchkey_core::grant::{Taken, token_hash};
use latchkey_core::token::TokenResponse;
use latchkey_core::token::authorization_code::Request;
use latchkey_store::codes::Won;
use latchkey_store::grants::Issued;

use super::issuance::{INVALID_CODE, Replayed, Tokens, for_code, invalid_grant, issue, replayed};
use crate::app::AppState;
use crate::error::Error;

pub async fn redeem(
    state: &AppState,
    app: &Application,
    request: Request,
) -> Result<TokenResponse, Error> {
    let now = state.clock.now_ms();
    let hash = token_hash(&request.code);
    let client = app.clone();
    // Decided inside the consuming transaction, from the code it consumed: a request that
    // fails its checks spends the code all the same, and stores nothing.
    let take = state
        .db
        .take_authorization_code(&hash, now, move |code, grant| {
            let target = request.resource.as_deref();
            let tokens = for_code(&request, code, grant, &client, target, now);
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
        }) => issue(state, app, (&grant, user), decided?).await,
        Taken::Missing => Err(invalid_grant(INVALID_CODE)),
        Taken::Reused { grant_id } => replayed(state, app, &grant_id, now, Replayed::Code).await,
    }
}
