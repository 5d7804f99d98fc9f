//! `/api/resources`: API resources and their scopes.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};

use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::resources::{
    self as resources, NewResource, NewScope, ResourcePatch, ResourceView, ScopePatch,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/resources", get(list).post(create))
        .route(
            "/api/resources/{id}",
            get(show).patch(update).delete(remove),
        )
        .route(
            "/api/resources/{id}/scopes",
            get(list_scopes).post(create_scope),
        )
        .route(
            "/api/resources/{id}/scopes/{scope_id}",
            patch(update_scope).delete(delete_scope),
        )
}

async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let (found, total) = state
        .db
        .list_resources(query_value(&pairs, "search"), page(&pairs)?)
        .await?;
    Ok(listed(
        found.into_iter().map(ResourceView::from).collect(),
        total,
    ))
}

async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewResource>,
) -> Result<Response, Problem> {
    Ok(created(resources::create(&state, &actor, input).await?))
}

async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(ResourceView::from(resources::find(&state, &id).await?)).into_response())
}

async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ResourcePatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(resources::update(&state, &actor, &id, patch).await?).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    resources::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_scopes(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(resources::list_scopes(&state, &id).await?).into_response())
}

async fn create_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewScope>,
) -> Result<Response, Problem> {
    Ok(created(
        resources::create_scope(&state, &actor, &id, input).await?,
    ))
}

async fn update_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<ScopePatch>,
) -> Result<Response, Problem> {
    Ok(
        axum::Json(resources::update_scope(&state, &actor, &id, &scope_id, patch).await?)
            .into_response(),
    )
}

async fn delete_scope(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, scope_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    resources::delete_scope(&state, &actor, &id, &scope_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
