//! Clients known by their metadata document (CIMD): the first authorization of a
//! `client_id` that is a document URL fetches the document and keeps a copy as a third-party
//! public application (so that grants, consent and the console treat it like any other);
//! later ones read that copy, fetched again once stale. A failed refresh keeps serving the
//! old copy until the longest a copy is ever kept has passed since it was read.

use latchkey_core::OAuthError;
use latchkey_core::cimd::{Document, is_document_url};
use latchkey_core::client::Application;
use latchkey_core::dynamic::Mode;
use latchkey_store::third_party::SignInExperience;
use serde_json::json;

mod fetch;

pub use fetch::Fetcher;

use crate::app::AppState;
use crate::audit;
use crate::error::Error;
use crate::manage::Actor;

/// The client `client_id` names, for an authorization request: a registered application,
/// or the copy of a document (fetched now when there is none or it is stale). `None` when
/// no application has that id and it is no document URL. Read from the database, never from
/// the node's copies: a redirect URI an administrator removed is refused at once on every
/// node.
pub async fn client_for_authorization(
    state: &AppState,
    client_id: &str,
) -> Result<Option<Application>, Error> {
    let kept = state.db.find_application(client_id).await?;
    if !is_document_url(client_id) {
        return Ok(kept);
    }
    let now = state.clock.now_ms();
    let stale = match kept.as_ref().map(|app| app.dynamic.as_ref()) {
        // An application an administrator registered under a URL-shaped id is just that.
        Some(None) => return Ok(kept),
        Some(Some(dynamic)) => dynamic.is_stale(now),
        None => true,
    };
    if !stale {
        return Ok(kept);
    }
    if state.cache.policy(&state.db).await?.cimd.mode == Mode::Off {
        let why = "this server does not accept client ID metadata documents";
        return Err(OAuthError::new(latchkey_core::ErrorCode::InvalidClient, why).into());
    }
    match state.cimd.fetch(client_id).await {
        Ok((document, keep_secs)) => {
            keep(state, &document, keep_secs, kept.is_none()).await?;
            Ok(state.db.find_application(client_id).await?)
        }
        Err(refused) => match kept {
            Some(app) if app.dynamic.as_ref().is_some_and(|d| d.may_serve_stale(now)) => {
                tracing::info!(client_id, why = %refused.description, "serving a stale client metadata document");
                Ok(Some(app))
            }
            _ => Err(refused.into()),
        },
    }
}

/// Write the document's copy (and its branding), and note a client seen for the first time.
async fn keep(
    state: &AppState,
    document: &Document,
    keep_secs: i64,
    first: bool,
) -> Result<(), Error> {
    let now = state.clock.now_ms();
    let app = document.application(now, keep_secs);
    let branding = SignInExperience {
        display_name: None,
        logo_url: document.logo_uri.clone(),
        dark_logo_url: None,
        terms_of_use_url: document.tos_uri.clone(),
        privacy_policy_url: document.policy_uri.clone(),
    };
    if !state.db.put_document_client(&app, &branding).await? {
        return Err(Error::Internal(
            "a client document clashed with an application".into(),
        ));
    }
    state.cache.invalidate();
    if first {
        let details = json!({"clientName": app.name, "redirectUris": app.redirect_uris});
        let actor = Actor::application(app.id.clone());
        let target = ("application", app.id.as_str());
        audit::write_now(state, &actor, "application.cimd_first_use", target, details).await;
    }
    Ok(())
}
