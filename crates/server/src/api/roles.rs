//! `/api/roles`: roles and the scopes they grant.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};

use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::roles::{self as roles, NewRole, RolePatch, RoleView, ScopeIds};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/roles", get(list).post(create))
        .route("/api/roles/{id}", get(show).patch(update).delete(remove))
        .route("/api/roles/{id}/scopes", get(list_scopes).post(add_scopes))
        .route("/api/roles/{id}/scopes/{scope_id}", delete(remove_scope))
}

async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let (found, total) = state
        .db
        .list_roles(query_value(&pairs, "search"), page(&pairs)?)
        .await?;
    Ok(listed(
        found.into_iter().map(RoleView::from).collect(),
        total,
    ))
}

async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewRole>,
) -> Result<Response, Problem> {
    Ok(created(roles::create(&state, &actor, input).await?))
}

async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(RoleView::from(roles::find(&state, &id).await?)).into_response())
}

async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<RolePatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(roles::update(&state, &actor, &id, patch).await?).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    roles::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(roles::scopes(&state, &id).await?).into_response())
}

async fn add_scopes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ScopeIds>,
) -> Result<Response, Problem> {
    Ok(created(
        roles::add_scopes(&state, &actor, &id, input).await?,
    ))
}

async fn remove_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    roles::remove_scope(&state, &actor, &id, &scope_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
