//! `/api/applications`: applications, their secrets and (machine-to-machine) roles.

use super::openapi::ApplicationListQuery;
use crate::manage::roles::RoleView;
use crate::manage::secrets::{self, NewSecret, SecretPatch, SecretView};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_core::dynamic::{Approval, Registration};
use latchkey_store::applications::{ApplicationFilter, RegistrationFilter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::applications::{
    self as apps, ApplicationPatch, ApplicationView, NewApplication,
};
use crate::manage::assignments;
use crate::manage::roles::RoleIds;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(list_secrets, create_secret))
        .routes(routes!(rename_secret, delete_secret))
        .routes(routes!(list_roles, add_roles))
        .routes(routes!(remove_role))
}

#[utoipa::path(
    get,
    path = "/api/applications",
    tag = "Applications",
    params(ApplicationListQuery),
    responses((status = 200, body = [ApplicationView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let is_third_party = match query_value(&pairs, "isThirdParty") {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => {
            return Err(Problem::bad_request(
                "request.invalid_query",
                "isThirdParty must be true or false",
            )
            .with_field("isThirdParty"));
        }
    };
    let mut types = Vec::new();
    for (_, value) in pairs.iter().filter(|(n, _)| n == "types" || n == "types[]") {
        types.push(
            apps::parse_type(value)
                .map_err(|e| Problem::bad_request(e.code, e.message).with_field("types"))?,
        );
    }
    let registration = match query_value(&pairs, "registration") {
        None => None,
        Some("none") => Some(RegistrationFilter::Administrator),
        Some("any") => Some(RegistrationFilter::Themselves),
        Some(value) => Some(RegistrationFilter::Only(
            Registration::parse(value).ok_or_else(|| {
                let why = "registration must be cimd, dcr, any or none";
                Problem::bad_request("request.invalid_query", why).with_field("registration")
            })?,
        )),
    };
    let approval = match query_value(&pairs, "approval") {
        None => None,
        Some("pending") => Some(None),
        Some(value) => Some(Some(Approval::parse(value).ok_or_else(|| {
            let why = "approval must be pending, approved or blocked";
            Problem::bad_request("request.invalid_query", why).with_field("approval")
        })?)),
    };
    let filter = ApplicationFilter {
        is_third_party,
        types,
        search: query_value(&pairs, "search").map(str::to_owned),
        registration,
        approval,
    };
    let (found, total) = state.db.list_applications(&filter, page(&pairs)?).await?;
    Ok(listed(
        found.into_iter().map(ApplicationView::from).collect(),
        total,
    ))
}

#[utoipa::path(
    post,
    path = "/api/applications",
    tag = "Applications",
    request_body = NewApplication,
    responses((status = 201, body = ApplicationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewApplication>,
) -> Result<Response, Problem> {
    Ok(created(apps::create(&state, &actor, input).await?))
}

#[utoipa::path(
    get,
    path = "/api/applications/{id}",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = ApplicationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(ApplicationView::from(apps::find(&state, &id).await?)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/applications/{id}",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    request_body = ApplicationPatch,
    responses((status = 200, body = ApplicationView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(apps::update(&state, &actor, &id, patch).await?).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/applications/{id}",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    apps::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/applications/{id}/secrets",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = [SecretView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_secrets(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(secrets::list_secrets(&state, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/applications/{id}/secrets",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    request_body = NewSecret,
    responses((status = 201, body = SecretView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewSecret>,
) -> Result<Response, Problem> {
    Ok(created(
        secrets::create_secret(&state, &actor, &id, input).await?,
    ))
}

#[utoipa::path(
    patch,
    path = "/api/applications/{id}/secrets/{name}",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id"), ("name" = String, Path, description = "Secret name")),
    request_body = SecretPatch,
    responses((status = 200, body = SecretView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn rename_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, name)): Path<(String, String)>,
    ApiJson(patch): ApiJson<SecretPatch>,
) -> Result<Response, Problem> {
    Ok(
        axum::Json(secrets::rename_secret(&state, &actor, &id, &name, patch).await?)
            .into_response(),
    )
}

#[utoipa::path(
    delete,
    path = "/api/applications/{id}/secrets/{name}",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id"), ("name" = String, Path, description = "Secret name")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn delete_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, name)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    secrets::delete_secret(&state, &actor, &id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/applications/{id}/roles",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    responses((status = 200, body = [RoleView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list_roles(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(assignments::roles_of_application(&state, &id).await?).into_response())
}

#[utoipa::path(
    post,
    path = "/api/applications/{id}/roles",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id")),
    request_body = RoleIds,
    responses((status = 201, body = [RoleView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn add_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RoleIds>,
) -> Result<Response, Problem> {
    Ok(created(
        assignments::assign_to_application(&state, &actor, &id, input).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/api/applications/{id}/roles/{role_id}",
    tag = "Applications",
    params(("id" = String, Path, description = "Application id"), ("role_id" = String, Path, description = "Role id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, role_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    assignments::unassign_from_application(&state, &actor, &id, &role_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
