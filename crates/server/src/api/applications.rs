//! `/api/applications`: applications, their secrets and (machine-to-machine) roles.

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use latchkey_store::applications::ApplicationFilter;

use super::{ApiJson, Caller, created, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::applications::{
    self as apps, ApplicationPatch, ApplicationView, NewApplication, NewSecret, SecretPatch,
};
use crate::manage::roles::{self, RoleIds};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/applications", get(list).post(create))
        .route(
            "/api/applications/{id}",
            get(show).patch(update).delete(remove),
        )
        .route(
            "/api/applications/{id}/secrets",
            get(list_secrets).post(create_secret),
        )
        .route(
            "/api/applications/{id}/secrets/{name}",
            patch(rename_secret).delete(delete_secret),
        )
        .route(
            "/api/applications/{id}/roles",
            get(list_roles).post(add_roles),
        )
        .route(
            "/api/applications/{id}/roles/{role_id}",
            axum::routing::delete(remove_role),
        )
}

async fn list(
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
    let filter = ApplicationFilter {
        is_third_party,
        types,
        search: query_value(&pairs, "search").map(str::to_owned),
    };
    let (found, total) = state.db.list_applications(&filter, page(&pairs)?).await?;
    Ok(listed(
        found.into_iter().map(ApplicationView::from).collect(),
        total,
    ))
}

async fn create(
    State(state): State<AppState>,
    Caller(actor): Caller,
    ApiJson(input): ApiJson<NewApplication>,
) -> Result<Response, Problem> {
    Ok(created(apps::create(&state, &actor, input).await?))
}

async fn show(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(ApplicationView::from(apps::find(&state, &id).await?)).into_response())
}

async fn update(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(apps::update(&state, &actor, &id, patch).await?).into_response())
}

async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    apps::delete(&state, &actor, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_secrets(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(apps::list_secrets(&state, &id).await?).into_response())
}

async fn create_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewSecret>,
) -> Result<Response, Problem> {
    Ok(created(
        apps::create_secret(&state, &actor, &id, input).await?,
    ))
}

async fn rename_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, name)): Path<(String, String)>,
    ApiJson(patch): ApiJson<SecretPatch>,
) -> Result<Response, Problem> {
    Ok(axum::Json(apps::rename_secret(&state, &actor, &id, &name, patch).await?).into_response())
}

async fn delete_secret(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, name)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    apps::delete_secret(&state, &actor, &id, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_roles(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(axum::Json(roles::roles_of_application(&state, &id).await?).into_response())
}

async fn add_roles(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<RoleIds>,
) -> Result<Response, Problem> {
    Ok(created(
        roles::assign_to_application(&state, &actor, &id, input).await?,
    ))
}

async fn remove_role(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, role_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    roles::unassign_from_application(&state, &actor, &id, &role_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
