//! The consent page: what a third-party application asks for, and the user's answer. What
//! is consented to is computed again here when the form comes back (never read from it),
//! recorded, and the browser goes back to the protocol's resume URL. When nothing is to be
//! consented to but the client's redirect proves nothing, the same URL asks the user to
//! confirm the application instead (`confirm`).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use latchkey_core::authorize::{self, AuthorizationRequest, Facts, Next};
use latchkey_core::client::Application;
use latchkey_core::dynamic::Registration;
use latchkey_core::grant::hash_matches;
use latchkey_core::resource::Scope;
use latchkey_core::session::{Answer, Session};
use latchkey_core::user::User;
use latchkey_store::consent::Agreed;
use serde_json::json;

use super::{Pending, expired, pending};
use crate::app::AppState;
use crate::audit;
use crate::consent::{self, Plan};
use crate::error::{Error, OrPage, PageError};
use crate::html;
use crate::i18n::Text;
use crate::manage::Actor;

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    lang: &'static str,
    company: &'a str,
    logo: Option<&'a str>,
    text: &'static Text,
    app_name: &'a str,
    app_logo: Option<&'a str>,
    app_dark_logo: Option<&'a str>,
    user_id: &'a str,
    user_name: &'a str,
    user_email: Option<&'a str>,
    user_data: Vec<&'static str>,
    apis: Vec<ApiGroup>,
    /// The user's organizations the application may be let into, to choose from.
    organizations: Vec<OrganizationChoice>,
    offline: bool,
    terms: Option<&'a str>,
    privacy: Option<&'a str>,
    origin: String,
    /// For a client that registered itself: who it is, as far as can be told.
    agent: Option<Agent>,
    /// The code goes to this computer (a loopback redirect).
    loopback: bool,
    /// A device's request (RFC 8628): no redirect to name, and §5.4's warning.
    device: bool,
    interaction: &'a str,
    csrf: &'a str,
    nonce: String,
}

/// One API's permissions, as listed on the page.
struct ApiGroup {
    name: String,
    indicator: String,
    scopes: Vec<(String, String)>,
}

/// One organization on the page: what the application would get there, and whether the
/// user already chose it.
struct OrganizationChoice {
    id: String,
    name: String,
    grants: Vec<String>,
    chosen: bool,
}

/// What the page says of a self-registered client: the host that publishes its client ID
/// (CIMD; a registered client has none to show) and whether the policy trusts that host.
pub(super) struct Agent {
    host: Option<String>,
    verified: bool,
}

impl Agent {
    pub(super) async fn of(state: &AppState, app: &Application) -> Result<Option<Self>, Error> {
        let Some(dynamic) = &app.dynamic else {
            return Ok(None);
        };
        let policy = state.cache.policy(&state.db).await?;
        let cimd = dynamic.registration == Registration::Cimd;
        Ok(Some(Self {
            host: cimd
                .then(|| url::Url::parse(&app.id).ok()?.host_str().map(str::to_owned))
                .flatten(),
            verified: cimd && policy.is_trusted(&app.id),
        }))
    }
}

/// The page's answer; `organization` repeats, so the form is read field by field.
#[derive(Debug, Default)]
pub struct Decision {
    csrf: String,
    /// The user the page was shown to: an answer from a page shown to someone else is void.
    user: String,
    decision: String,
    /// The organizations ticked.
    organizations: Vec<String>,
}

impl Decision {
    fn of(fields: Vec<(String, String)>) -> Self {
        let mut decision = Self::default();
        for (name, value) in fields {
            match name.as_str() {
                "csrf" => decision.csrf = value,
                "user" => decision.user = value,
                "decision" => decision.decision = value,
                "organization" => decision.organizations.push(value),
                _ => {}
            }
        }
        decision
    }
}

pub(super) struct Context {
    pub pending: Pending,
    pub request: AuthorizationRequest,
    pub app: Application,
    pub session: Session,
    pub user: User,
}

impl Context {
    /// What the request needs next, decided as `/oidc/auth/resume` will decide it.
    fn next(&self, state: &AppState, plan: &Plan) -> Next {
        let hinted = match crate::oidc::hinted_subject(state, &self.request) {
            Ok(hinted) => hinted,
            Err(error) => return Next::Fail(error),
        };
        authorize::next(&Facts {
            request: &self.request,
            session: Some((&self.session, &self.user)),
            hinted_subject: hinted.as_deref(),
            interaction: Some(&self.pending.interaction),
            plan: Some(plan),
            unproven: consent::unproven(state, &self.app, &self.request),
            second_factor: latchkey_core::mfa::required(
                state.config.mfa,
                &self.app.settings,
                &self.request,
            ),
            now_ms: state.clock.now_ms(),
        })
    }
}

fn resume(id: &str) -> Response {
    Redirect::to(&format!("/oidc/auth/resume/{id}")).into_response()
}

/// The interaction, its application and the session that may answer, or the response to
/// give instead.
async fn context(state: &AppState, headers: &HeaderMap, id: &str) -> Result<Context, PageError> {
    let gone = || PageError::instead(expired(state, headers));
    let pending = pending(state, headers, id).await?;
    let request = pending.request.clone().ok_or_else(gone)?;
    let app = state.db.find_application(&request.client_id).await;
    let app = app.or_page(state, headers)?.ok_or_else(gone)?;
    let session = crate::browser::current_session(state, headers).await;
    let session = match session.or_page(state, headers)? {
        Some(session) if pending.interaction.accepts(&session) => session,
        _ => {
            let sign_in = Redirect::to(&format!("/sign-in/{id}")).into_response();
            return Err(PageError::instead(sign_in));
        }
    };
    let user = state.db.find_user(&session.user_id).await;
    let user = user.or_page(state, headers)?.ok_or_else(gone)?;
    Ok(Context {
        pending,
        request,
        app,
        session,
        user,
    })
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let c = context(&state, &headers, &id).await?;
    // A request that can no longer succeed goes back, and the client hears why.
    let Ok(plan) = consent::plan(&state, &c.app, &c.request, &c.session.user_id).await else {
        return Ok(resume(&id));
    };
    match c.next(&state, &plan) {
        Next::Consent(asked) => render(&state, &headers, &c, &asked, &plan).await,
        Next::Confirm => super::confirm::render(&state, &headers, &c).await,
        // Anything else is the protocol's to finish.
        _ => Ok(resume(&id)),
    }
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    c: &Context,
    asked: &latchkey_core::consent::Asked,
    plan: &Plan,
) -> Result<Response, PageError> {
    let locale = c.pending.locale(headers);
    let text = locale.text();
    let user = &c.user;
    let branding = state.db.find_sign_in_experience(&c.app.id).await;
    let branding = branding.or_page(state, headers)?.unwrap_or_default();
    let mut apis: Vec<ApiGroup> = Vec::new();
    // Each permission in the page's language, where its API gives one.
    let in_language = asked.resource_scopes.iter().map(|scope| Scope {
        description: scope.description_in(locale.tag()).to_owned(),
        ..scope.clone()
    });
    let grouped = crate::manage::third_party::by_resource(state, in_language.collect()).await;
    // A page that could not read the APIs must not ask for consent to them.
    for group in grouped.or_page(state, headers)? {
        apis.push(ApiGroup {
            name: group.resource.name,
            indicator: group.resource.indicator,
            scopes: group
                .scopes
                .into_iter()
                .map(|s| (s.name, s.description))
                .collect(),
        });
    }
    let user_name = user
        .name
        .clone()
        .or_else(|| user.username.clone())
        .unwrap_or_else(|| user.id.clone());
    let agent = Agent::of(state, &c.app).await.or_page(state, headers)?;
    let page = ConsentPage {
        lang: locale.tag(),
        company: &state.config.company_name,
        logo: state.config.logo_url.as_deref(),
        text,
        app_name: branding.display_name.as_deref().unwrap_or(&c.app.name),
        app_logo: branding.logo_url.as_deref(),
        app_dark_logo: branding.dark_logo_url.as_deref(),
        user_id: &user.id,
        user_name: &user_name,
        user_email: user.primary_email.as_deref(),
        user_data: asked
            .user_scopes
            .iter()
            .filter_map(|s| text.scope(s))
            .collect(),
        apis,
        organizations: plan
            .organizations
            .iter()
            .map(|offer| OrganizationChoice {
                id: offer.id.clone(),
                name: offer.name.clone(),
                grants: (offer.organization_scopes.iter())
                    .chain(&offer.resource_scopes)
                    .cloned()
                    .collect(),
                chosen: plan
                    .consent
                    .as_ref()
                    .is_some_and(|c| c.organizations.contains(&offer.id)),
            })
            .collect(),
        offline: plan.user_scopes.contains("offline_access"),
        terms: branding.terms_of_use_url.as_deref(),
        privacy: branding.privacy_policy_url.as_deref(),
        origin: html::client_origin(&c.request.redirect_uri).unwrap_or_default(),
        agent,
        loopback: latchkey_core::redirect::is_loopback(&c.request.redirect_uri),
        device: c.request.device.is_some(),
        interaction: &c.pending.interaction.id,
        csrf: &c.pending.csrf,
        nonce: html::nonce(),
    };
    let redirect_uri = Some(c.request.redirect_uri.as_str());
    Ok(html::render_for(
        StatusCode::OK,
        &page,
        &page.nonce,
        redirect_uri,
    ))
}

pub async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let form = Decision::of(fields);
    let c = context(&state, &headers, &id).await?;
    if !hash_matches(&form.csrf, &c.pending.interaction.csrf_hash) {
        return Ok(expired(&state, &headers));
    }
    if form.user != c.session.user_id {
        return Ok(Redirect::to(&format!("/consent/{id}")).into_response());
    }
    let now = state.clock.now_ms();
    let actor = Actor::user(&c.session.user_id);
    let target = ("application", c.app.id.as_str());
    let answer = match form.decision.as_str() {
        "authorize" => {
            let Ok(plan) = consent::plan(&state, &c.app, &c.request, &c.session.user_id).await
            else {
                return Ok(resume(&id));
            };
            // A confirmation grants nothing new: only the answer is kept.
            if !matches!(c.next(&state, &plan), Next::Consent(_)) {
                return record_answer(&state, &headers, &c, Answer::Granted).await;
            }
            let (user, scopes) = (&c.session.user_id, plan.scope_ids());
            let organization_scopes = plan.organization_scope_ids();
            let organizations = plan.chosen(&form.organizations);
            let agreed = Agreed {
                user_scopes: &plan.user_scopes,
                scope_ids: &scopes,
                organization_scope_ids: &organization_scopes,
                organizations: Some(&organizations),
            };
            let recorded = state.db.record_consent(user, &c.app.id, &agreed, now).await;
            recorded.or_page(&state, &headers)?;
            let details = json!({"userScopes": plan.user_scopes, "resourceScopes": scopes,
                "organizationScopes": organization_scopes, "organizations": organizations});
            audit::write_now(&state, &actor, "consent.grant", target, details).await;
            Answer::Granted
        }
        _ => {
            audit::write_now(&state, &actor, "consent.deny", target, json!({})).await;
            Answer::Denied
        }
    };
    record_answer(&state, &headers, &c, answer).await
}

/// Keep the user's answer on the interaction and go back to the protocol.
async fn record_answer(
    state: &AppState,
    headers: &HeaderMap,
    c: &Context,
    answer: Answer,
) -> Result<Response, PageError> {
    let (id, hash) = (&c.pending.interaction.id, &c.session.id_hash);
    let now = state.clock.now_ms();
    let answered = state.db.answer_interaction(id, answer, hash, now).await;
    match answered.or_page(state, headers)? {
        true => Ok(resume(id)),
        false => Ok(expired(state, headers)),
    }
}
