//! The `authorization_code` grant: the code is consumed once, checked against the client,
//! and exchanged for the user's tokens. The response is planned and signed from the code
//! read ahead while its consumption commits (decision 0012).

use latchkey_core::client::Application;
use latchkey_core::grant::{AuthorizationCode, Grant, Taken, token_hash};
use latchkey_core::params::Params;
use latchkey_core::token::authorization_code;
use latchkey_store::grants::Issued;
use serde_json::Value;

use super::plan::{Plan, plan_code};
use super::user_tokens::{INVALID_CODE, Replayed, invalid_grant, issue, replayed};
use crate::app::AppState;
use crate::error::Error;

/// What a code is planned against: the token request, its client and the API it names.
struct Redemption {
    request: authorization_code::Request,
    app: Application,
    target: Option<String>,
    now: i64,
}

impl Redemption {
    fn plan(&self, code: &AuthorizationCode, grant: &Grant) -> Result<Plan, Error> {
        let target = self.target.as_deref();
        plan_code(&self.request, code, grant, &self.app, target, self.now)
    }

    /// Planned inside the consuming transaction: what it stores (nothing if the request
    /// fails its checks, though the code is spent all the same) and the plan.
    fn plan_stored(
        &self,
        code: &AuthorizationCode,
        grant: &Grant,
    ) -> (Issued, Result<Plan, Error>) {
        let planned = self.plan(code, grant);
        let issued = planned
            .as_ref()
            .map_or_else(|_| Issued::default(), Plan::issued);
        (issued, planned)
    }
}

/// What the consuming transaction did with a plan made before it.
enum Redeemed {
    /// It read the same code and grant and stored the plan: the early response stands.
    AsPlanned,
    /// They had changed meanwhile: it planned again from what it read.
    Replanned(Box<Result<Plan, Error>>),
}

pub async fn exchange_code(
    state: &AppState,
    app: &Application,
    params: &Params,
) -> Result<Value, Error> {
    let redemption = Redemption {
        request: authorization_code::parse(params)?,
        app: app.clone(),
        target: params.get("resource").map(str::to_owned),
        now: state.clock.now_ms(),
    };
    let hash = token_hash(&redemption.request.code);
    // The code as it stands now, planned and signed for while its consumption commits. A
    // request that fails its checks takes the plain path, which spends the code too.
    let found = state
        .db
        .find_authorization_code(&hash, redemption.now)
        .await?;
    match found.and_then(|(code, grant)| Some((redemption.plan(&code, &grant).ok()?, code, grant)))
    {
        Some((plan, code, grant)) => {
            redeem_planned(state, redemption, &hash, plan, (code, grant)).await
        }
        None => redeem(state, redemption, &hash).await,
    }
}

/// Consume the code, planning inside the transaction.
async fn redeem(state: &AppState, redemption: Redemption, hash: &str) -> Result<Value, Error> {
    let (app, now) = (redemption.app.clone(), redemption.now);
    let take = state
        .db
        .take_authorization_code(hash, now, move |code, grant| {
            redemption.plan_stored(code, grant)
        });
    match take.await? {
        Taken::Taken((_, grant, plan)) => issue(state, &app, &grant, plan?).await,
        Taken::Missing => Err(invalid_grant(INVALID_CODE)),
        Taken::Reused { grant_id } => replayed(state, &app, &grant_id, now, Replayed::Code).await,
    }
}

/// Consume the code while the response planned from it is signed. The transaction stores
/// that plan only if it reads the identical code and grant; otherwise it plans again from
/// what it read, and the early response is dropped unsent.
async fn redeem_planned(
    state: &AppState,
    redemption: Redemption,
    hash: &str,
    plan: Plan,
    (code, grant): (AuthorizationCode, Grant),
) -> Result<Value, Error> {
    let (app, now) = (redemption.app.clone(), redemption.now);
    let issued = plan.issued();
    let planned_grant = grant.clone();
    let take = state.db.take_authorization_code(hash, now, move |c, g| {
        if (c, g) == (&code, &planned_grant) {
            (issued, Redeemed::AsPlanned)
        } else {
            let (issued, replanned) = redemption.plan_stored(c, g);
            (issued, Redeemed::Replanned(Box::new(replanned)))
        }
    });
    let (taken, response) = tokio::join!(take, issue(state, &app, &grant, plan));
    match taken? {
        Taken::Taken((_, _, Redeemed::AsPlanned)) => response,
        Taken::Taken((_, grant, Redeemed::Replanned(plan))) => {
            issue(state, &app, &grant, (*plan)?).await
        }
        Taken::Missing => Err(invalid_grant(INVALID_CODE)),
        Taken::Reused { grant_id } => replayed(state, &app, &grant_id, now, Replayed::Code).await,
    }
}
