//! Organizations in the console: the list, each organization's page with its members and
//! their roles, and the template of roles and permissions every organization shares.

mod invitations;
mod list;
mod members;
mod role;
mod show;
mod template;

use axum::Router;
use axum::routing::{get, post};
use latchkey_store::Page;

use crate::app::AppState;
use crate::html;

/// Every role, scope or application at once: the template and the machine applications a
/// company defines are few.
const ALL: Page = Page {
    page: 1,
    page_size: 1000,
};

fn here(id: &str) -> String {
    format!("/console/organizations/{}", html::path_segment(id))
}

pub fn routes() -> Router<AppState> {
    const ORG: &str = "/console/organizations/{id}";
    const MEMBER: &str = "/console/organizations/{id}/{kind}/{member}";
    const ROLE: &str = "/console/organizations/template/roles/{id}";
    Router::new()
        .route("/console/organizations", get(list::list).post(list::create))
        .route("/console/organizations/template", get(template::show))
        .route(
            "/console/organizations/template/scopes",
            post(template::create_scope),
        )
        .route(
            "/console/organizations/template/scopes/{id}/delete",
            get(template::confirm_delete_scope).post(template::delete_scope),
        )
        .route(
            "/console/organizations/template/roles",
            post(template::create_role),
        )
        .route(ROLE, get(role::show))
        .route(&format!("{ROLE}/scopes"), post(role::add))
        .route(&format!("{ROLE}/scopes/remove"), post(role::remove))
        .route(
            &format!("{ROLE}/delete"),
            get(role::confirm_delete).post(role::delete),
        )
        .route(ORG, get(show::show).post(show::update))
        .route(
            &format!("{ORG}/delete"),
            get(show::confirm_delete).post(show::delete),
        )
        .route(&format!("{ORG}/invitations"), post(invitations::invite))
        .route(
            &format!("{ORG}/invitations/{{invitation}}/revoke"),
            post(invitations::revoke),
        )
        .route(&format!("{ORG}/members"), post(members::add))
        .route(&format!("{MEMBER}/remove"), post(members::remove))
        .route(&format!("{MEMBER}/roles"), post(members::give_role))
        .route(
            &format!("{MEMBER}/roles/{{role}}/remove"),
            post(members::take_role),
        )
}
