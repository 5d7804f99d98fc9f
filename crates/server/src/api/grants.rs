//! `/api/users/{id}/grants`: what a user agreed to share with each application, and
//! revoking it.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{Caller, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::grants::{self, GrantView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(remove))
}

#[utoipa::path(
    get,
    path = "/api/users/{id}/grants",
    tag = "Users",
    params(
        ("id" = String, Path, description = "User id"),
        ("appType" = Option<String>, Query, description = "`thirdParty` or `firstParty`; both when absent"),
    ),
    responses((status = 200, body = [GrantView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let third_party = match query_value(&pairs, "appType") {
        None => None,
        Some("thirdParty") => Some(true),
        Some("firstParty") => Some(false),
        Some(_) => {
            return Err(Problem::bad_request(
                "request.invalid_query",
                "appType must be thirdParty or firstParty",
            )
            .with_field("appType"));
        }
    };
    Ok(axum::Json(grants::list(&state, &id, third_party).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/users/{id}/grants/{grant_id}",
    tag = "Users",
    params(
        ("id" = String, Path, description = "User id"),
        ("grant_id" = String, Path, description = "Grant id"),
    ),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    grants::revoke(&state, &actor, &id, &grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
