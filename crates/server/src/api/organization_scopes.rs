//! `/api/organization-scopes`: the organization template's scopes.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use latchkey_store::organization_roles::Template;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::{ListQuery, ProblemDetails};
use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::organization_template::{
    self as template, NewOrganizationScope, OrganizationScopeView, TemplatePatch,
};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
}

#[utoipa::path(
    get,
    path = "/api/organization-scopes",
    tag = "Organization scopes",
    params(ListQuery, ("q" = Option<String>, Query, description = "Matches id, name or description")),
    responses((status = 200, body = [OrganizationScopeView], headers(("Total-Number" = i64, description = "How many objects match, over all pages"))), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let search = query_value(&pairs, "q").or(query_value(&pairs, "search"));
    let (found, total) = state
        .db
        .list_organization_scopes(search, page(&pairs)?)
        .await?;
    let views: Vec<OrganizationScopeView> = found.into_iter().map(Into::into).collect();
    Ok(listed(views, total))
}

#[utoipa::path(
    post,
    path = "/api/organization-scopes",
    tag = "Organization scopes",
    request_body = NewOrganizationScope,
    responses((status = 201, body = OrganizationScopeView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewOrganizationScope>,
) -> Result<Response, Problem> {
    Ok(created(
        template::create_scope(&state, &actor, input).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/api/organization-scopes/{id}",
    tag = "Organization scopes",
    params(("id" = String, Path, description = "Organization scope id")),
    responses((status = 200, body = OrganizationScopeView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let scope = template::find_scope(&state, &id).await?;
    Ok(axum::Json(OrganizationScopeView::from(scope)).into_response())
}

#[utoipa::path(
    patch,
    path = "/api/organization-scopes/{id}",
    tag = "Organization scopes",
    params(("id" = String, Path, description = "Organization scope id")),
    request_body = TemplatePatch,
    responses((status = 200, body = OrganizationScopeView), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<TemplatePatch>,
) -> Result<Response, Problem> {
    let changed = template::update_scope(&state, &actor, &id, patch).await?;
    Ok(axum::Json(changed).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/organization-scopes/{id}",
    tag = "Organization scopes",
    params(("id" = String, Path, description = "Organization scope id")),
    responses((status = 204), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    template::delete(&state, &actor, (Template::Scopes, &id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
