//! The audit log in the console: the entries `GET /api/audit-logs` lists, newest first,
//! filtered by actor, action, application (the entry's object) and days, fifty to a page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use latchkey_store::Page;
use latchkey_store::audit::AuditFilter;
use serde::Deserialize;

use super::{Console, Frame};
use crate::app::AppState;
use crate::error::PageError;
use crate::html;

const PAGE_SIZE: i64 = 50;
const DAY_MS: i64 = 86_400_000;

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage<'a> {
    frame: Frame<'a>,
    form: AuditQuery,
    /// A date filter that is not a date, said beside the filters.
    error: Option<&'static str>,
    entries: Vec<Row>,
    previous: Option<String>,
    next: Option<String>,
}

struct Row {
    at: String,
    actor: String,
    action: String,
    target: String,
    details: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    application: String,
    /// `YYYY-MM-DD`, the first day shown.
    #[serde(default)]
    from: String,
    /// `YYYY-MM-DD`, the last day shown.
    #[serde(default)]
    to: String,
    page: Option<i64>,
}

impl AuditQuery {
    /// The store's filter, or the filter that is not a date.
    fn filter(&self) -> Result<AuditFilter, ()> {
        let text = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let day = |v: &str| match v.trim() {
            "" => Ok(None),
            typed => html::parse_date(typed).map(Some).ok_or(()),
        };
        Ok(AuditFilter {
            actor_id: text(&self.actor),
            action: text(&self.action),
            target_id: text(&self.application),
            user_id: None,
            from: day(&self.from)?,
            to: day(&self.to)?.map(|start| start + DAY_MS),
        })
    }

    fn link(&self, page: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("application", &self.application),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        query.append_pair("page", &page.to_string());
        format!("/console/audit?{}", query.finish())
    }
}

pub async fn show(
    State(state): State<AppState>,
    console: Console,
    Query(query): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let page = query.page.unwrap_or(1).clamp(1, 10_000);
    let (entries, total, error) = match query.filter() {
        Ok(filter) => {
            let window = Page {
                page,
                page_size: PAGE_SIZE,
            };
            let found = state.db.list_audit(&filter, window).await;
            let (found, total) = found.map_err(|e| console.failed(&state, e))?;
            (found, total, None)
        }
        Err(()) => (Vec::new(), 0, Some(console.text().audit_bad_date)),
    };
    let view = AuditPage {
        frame: console.frame("audit"),
        entries: entries
            .into_iter()
            .map(|e| Row {
                at: html::moment(e.created_at),
                actor: match e.actor_id {
                    Some(id) => format!("{} {id}", e.actor_type),
                    None => e.actor_type,
                },
                action: e.action,
                target: match (e.target_type, e.target_id) {
                    (Some(kind), Some(id)) => format!("{kind} {id}"),
                    (_, id) => id.unwrap_or_default(),
                },
                details: Some(e.details).filter(|d| d != "{}").unwrap_or_default(),
            })
            .collect(),
        previous: (page > 1).then(|| query.link(page - 1)),
        next: (page * PAGE_SIZE < total).then(|| query.link(page + 1)),
        error,
        form: query,
    };
    let status = match view.error {
        Some(_) => StatusCode::BAD_REQUEST,
        None => StatusCode::OK,
    };
    Ok(html::render(status, &view, &view.frame.nonce))
}
