//! The management REST API under `/api`, in the shape of Logto's. Every call needs a
//! Latchkey access token for the management resource with scope `all` ([`Caller`]).
//! Handlers are thin: parse, call an operation in `manage`, serialize.

mod applications;
mod audit;
mod dynamic_clients;
mod grants;
mod keys;
mod mfa;
pub mod openapi;
mod organization_applications;
mod organization_invitations;
mod organization_roles;
mod organization_scopes;
mod organization_users;
mod organizations;
mod resources;
mod roles;
mod third_party;
mod users;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use latchkey_core::jwt;
use latchkey_core::resource::{MANAGEMENT_SCOPE, management_indicator};
use latchkey_store::Page;
use serde::de::DeserializeOwned;

use crate::app::AppState;
use crate::bearer::BearerToken;
use crate::error::Problem;
use crate::manage::Actor;

/// Every operation, routed and documented from its own declaration.
pub fn routes() -> Router<AppState> {
    let operations = utoipa_axum::router::OpenApiRouter::new()
        .merge(applications::routes())
        .merge(resources::routes())
        .merge(roles::routes())
        .merge(users::routes())
        .merge(mfa::routes())
        .merge(organizations::routes())
        .merge(organization_users::routes())
        .merge(organization_applications::routes())
        .merge(organization_roles::routes())
        .merge(organization_scopes::routes())
        .merge(organization_invitations::routes())
        .merge(keys::routes())
        .merge(third_party::routes())
        .merge(grants::routes())
        .merge(audit::routes())
        .merge(dynamic_clients::routes());
    openapi::serve(operations)
}

/// The authenticated caller: a client holding a valid management token.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

fn unauthorized(error: Option<&str>, detail: &str) -> Problem {
    let mut problem = Problem::new(StatusCode::UNAUTHORIZED, "auth.unauthorized", detail);
    problem.www_authenticate = Some(match error {
        Some(code) => {
            format!(r#"Bearer realm="latchkey", error="{code}", error_description="{detail}""#)
        }
        None => r#"Bearer realm="latchkey""#.to_owned(),
    });
    problem
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Some(token) = BearerToken::of(&parts.headers) else {
            return Err(unauthorized(None, "a bearer access token is required"));
        };
        let keys = state.keys.get();
        let claims = jwt::verify(token, "at+jwt", keys.public_keys())
            .map_err(|_| unauthorized(Some("invalid_token"), "the access token is invalid"))?;
        let now = state.clock.now_ms().div_euclid(1000);
        let issuer_ok = claims["iss"].as_str() == Some(state.config.issuer().as_str());
        let live = claims["exp"].as_i64().is_some_and(|exp| exp > now);
        if !issuer_ok || !live {
            return Err(unauthorized(
                Some("invalid_token"),
                "the access token is expired or was not issued here",
            ));
        }
        let audience = management_indicator(state.config.public_url());
        let aud_ok = match &claims["aud"] {
            serde_json::Value::String(aud) => *aud == audience,
            serde_json::Value::Array(list) => {
                list.iter().any(|a| a.as_str() == Some(audience.as_str()))
            }
            _ => false,
        };
        if !aud_ok {
            return Err(unauthorized(
                Some("invalid_token"),
                "the access token is not for the management API",
            ));
        }
        if !claims["scope"]
            .as_str()
            .is_some_and(|s| s.split(' ').any(|s| s == MANAGEMENT_SCOPE))
        {
            let mut problem = Problem::new(
                StatusCode::FORBIDDEN,
                "auth.forbidden",
                "the access token lacks the scope `all`",
            );
            problem.www_authenticate = Some(format!(
                r#"Bearer realm="latchkey", error="insufficient_scope", scope="{MANAGEMENT_SCOPE}""#
            ));
            return Err(problem);
        }
        // A token issued within one organization never administers them all.
        if claims.get("organization_id").is_some() {
            return Err(unauthorized(
                Some("invalid_token"),
                "a token within an organization is not for the management API",
            ));
        }
        let client_id = claims["client_id"].as_str().unwrap_or_default().to_owned();
        // A deleted application's tokens stop working at once, whatever their expiry.
        if state.db.find_application(&client_id).await?.is_none() {
            return Err(unauthorized(
                Some("invalid_token"),
                "the application of this token no longer exists",
            ));
        }
        Ok(Self(Actor::application(client_id)))
    }
}

/// A JSON body: `application/json` only, unknown fields refused by the target type.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Problem> {
        let is_json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || v.ends_with("+json")
            });
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.unsupported_media_type",
                "the body must be application/json",
            ));
        }
        let body = Bytes::from_request(request, state)
            .await
            .map_err(|e| Problem::new(e.status(), "request.invalid_body", e.body_text()))?;
        serde_json::from_slice(&body).map(Self).map_err(|e| {
            Problem::bad_request("request.invalid_json", format!("invalid JSON body: {e}"))
        })
    }
}

/// Query-string pairs, decoded; repeated names kept (e.g. `types`).
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

pub fn query_value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `page` (from 1) and `page_size` (default 20, at most 100).
pub fn page(pairs: &[(String, String)]) -> Result<Page, Problem> {
    let number = |name: &'static str, default: i64, max: i64| match query_value(pairs, name) {
        None => Ok(default),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| {
                Problem::bad_request(
                    "request.invalid_pagination",
                    format!("{name} must be a whole number from 1 to {max}"),
                )
                .with_field(name)
            }),
    };
    Ok(Page {
        page: number("page", 1, 1_000_000)?,
        page_size: number("page_size", 20, 100)?,
    })
}

/// A JSON list with the total count in `Total-Number`, as Logto answers lists.
pub fn listed<T: serde::Serialize>(items: Vec<T>, total: i64) -> Response {
    let mut headers = HeaderMap::new();
    if let Ok(value) = HeaderValue::from_str(&total.to_string()) {
        headers.insert("total-number", value);
    }
    (headers, axum::Json(items)).into_response()
}

pub fn created<T: serde::Serialize>(value: T) -> Response {
    (StatusCode::CREATED, axum::Json(value)).into_response()
}
