//! `GET /api/audit-logs`: the log of management changes and security events, filtered and
//! paginated. There is no way to change or delete an entry; the audit retention deletes old
//! ones.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use latchkey_store::audit::{AuditFilter, AuditRecord};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::openapi::ProblemDetails;
use super::{Caller, listed, page, query_pairs, query_value};
use crate::app::AppState;
use crate::error::Problem;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// One entry. `details` never holds a secret.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogView {
    pub id: String,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// `application`, `user`, `command_line`, `self_service` or `client`.
    pub actor_type: String,
    pub actor_id: Option<String>,
    /// `object.verb`, e.g. `application.create`, `sign_in.failure`, `consent.revoke`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl From<AuditRecord> for AuditLogView {
    fn from(r: AuditRecord) -> Self {
        Self {
            details: serde_json::from_str(&r.details).unwrap_or_default(),
            id: r.id,
            created_at: r.created_at,
            actor_type: r.actor_type,
            actor_id: r.actor_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
        }
    }
}

fn millis(pairs: &[(String, String)], name: &'static str) -> Result<Option<i64>, Problem> {
    query_value(pairs, name)
        .map(|v| {
            v.parse::<i64>().map_err(|_| {
                Problem::bad_request(
                    "request.invalid_query",
                    format!("{name} must be a time in milliseconds since the epoch"),
                )
                .with_field(name)
            })
        })
        .transpose()
}

#[utoipa::path(
    get,
    path = "/api/audit-logs",
    tag = "Audit logs",
    params(
        ("action" = Option<String>, Query, description = "Only this action, e.g. `sign_in.failure`"),
        ("actorId" = Option<String>, Query, description = "Only entries by this actor"),
        ("targetId" = Option<String>, Query, description = "Only entries about this object"),
        ("userId" = Option<String>, Query, description = "Only entries by this user or about them"),
        ("from" = Option<i64>, Query, description = "Not before this time (ms since the epoch)"),
        ("to" = Option<i64>, Query, description = "Before this time (ms since the epoch)"),
        ("page" = Option<i64>, Query, description = "Page number, from 1"),
        ("page_size" = Option<i64>, Query, description = "Entries per page"),
    ),
    responses((status = 200, body = [AuditLogView], headers(("Total-Number" = i64, description = "Entries matching the filters"))),
        (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    let pairs = query_pairs(raw.as_deref());
    let text = |name| query_value(&pairs, name).map(str::to_owned);
    let filter = AuditFilter {
        action: text("action"),
        actor_id: text("actorId"),
        target_id: text("targetId"),
        user_id: text("userId"),
        from: millis(&pairs, "from")?,
        to: millis(&pairs, "to")?,
    };
    let (found, total) = state.db.list_audit(&filter, page(&pairs)?).await?;
    Ok(listed(
        found.into_iter().map(AuditLogView::from).collect(),
        total,
    ))
}
