//! What `authorize::next` decides from, read from the store once for the browser's session:
//! its user, what the request would grant them, the verified `id_token_hint` and whether the
//! client's redirect proves anything. `/oidc/auth` and resume read it the same way.

use latchkey_core::authorize::{AuthorizationRequest, Facts};
use latchkey_core::client::Application;
use latchkey_core::mfa;
use latchkey_core::resource::Resource;
use latchkey_core::scope::Scopes;
use latchkey_core::session::{Interaction, Session};
use latchkey_core::user::User;

use super::hinted_subject;
use crate::app::AppState;
use crate::consent::{self, Plan};
use crate::error::Error;

pub(super) struct Reading {
    user: Option<User>,
    pub plan: Option<Plan>,
    hinted: Option<String>,
    unproven: bool,
    second_factor: bool,
}

impl Reading {
    /// Read for `session`; `checked` is what `consent::check` already found, if it ran.
    pub async fn of(
        state: &AppState,
        (app, request): (&Application, &AuthorizationRequest),
        session: Option<&Session>,
        checked: Option<(Scopes, Vec<Resource>)>,
    ) -> Result<Self, Error> {
        let hinted = hinted_subject(state, request)?;
        let user = match session {
            Some(session) => state.db.find_user(&session.user_id).await?,
            None => None,
        };
        let plan = match (session, &user, checked) {
            (Some(s), Some(_), Some(c)) => {
                Some(consent::plan_checked(state, app, request, &s.user_id, c).await?)
            }
            (Some(s), Some(_), None) => Some(consent::plan(state, app, request, &s.user_id).await?),
            _ => None,
        };
        let unproven = consent::unproven(state, app, request);
        let second_factor = mfa::required(state.config.mfa, &app.settings, request);
        Ok(Self {
            user,
            plan,
            hinted,
            unproven,
            second_factor,
        })
    }

    /// The facts for `request`, its `session` and, once a page handed it back, `interaction`.
    pub fn facts<'a>(
        &'a self,
        request: &'a AuthorizationRequest,
        session: Option<&'a Session>,
        interaction: Option<&'a Interaction>,
        now_ms: i64,
    ) -> Facts<'a> {
        Facts {
            request,
            session: session.zip(self.user.as_ref()),
            hinted_subject: self.hinted.as_deref(),
            interaction,
            plan: self.plan.as_ref(),
            unproven: self.unproven,
            second_factor: self.second_factor,
            now_ms,
        }
    }
}
