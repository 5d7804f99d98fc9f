//! The OpenAPI 3.1 description of the management API, generated from the annotations on
//! the handlers, served at `/api/openapi.json` with a reference page at `/api/docs`.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use super::{applications, audit, grants, keys, resources, roles, third_party, users};
use crate::app::AppState;

/// An error, as `application/problem+json` (RFC 9457).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ProblemDetails {
    /// Always `about:blank`.
    r#type: String,
    /// The HTTP status text.
    title: String,
    status: u16,
    /// Stable, machine-readable, e.g. `application.invalid_third_party_application_type`.
    code: String,
    /// For people.
    detail: String,
    /// The offending field of the request, for invalid input.
    field: Option<String>,
}

/// Pagination and search of a listing (the handlers read the raw query string, so that
/// repeated parameters keep their order and bad values get a precise error).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ListQuery {
    /// Page number, from 1.
    page: Option<i64>,
    /// Objects per page, 1 to 100 (default 20).
    page_size: Option<i64>,
    /// Case-insensitive substring of the id, name or other identifying fields.
    search: Option<String>,
}

#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ApplicationListQuery {
    page: Option<i64>,
    page_size: Option<i64>,
    /// Substring of the id, name or description.
    search: Option<String>,
    #[param(rename = "isThirdParty")]
    is_third_party: Option<bool>,
    /// Repeatable: `Traditional`, `SPA`, `Native`, `MachineToMachine`.
    types: Option<Vec<String>>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "A Latchkey access token for the management API resource with scope `all`",
            ))
            .build();
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Latchkey Management API", description = "Manage applications, API resources, roles, users and signing keys."),
    paths(
        applications::list, applications::create, applications::show, applications::update, applications::remove,
        applications::list_secrets, applications::create_secret, applications::rename_secret, applications::delete_secret,
        applications::list_roles, applications::add_roles, applications::remove_role,
        resources::list, resources::create, resources::show, resources::update, resources::remove,
        resources::list_scopes, resources::create_scope, resources::update_scope, resources::delete_scope,
        roles::list, roles::create, roles::show, roles::update, roles::remove,
        roles::list_scopes, roles::add_scopes, roles::remove_scope,
        users::list, users::create, users::show, users::update, users::remove,
        users::set_password, users::set_suspended, users::list_roles, users::add_roles, users::remove_role,
        keys::list, keys::rotate, keys::remove,
        third_party::list_scopes, third_party::add_scopes, third_party::remove_scope, third_party::show_experience, third_party::put_experience,
        grants::list, grants::remove,
        audit::list,
    ),
    modifiers(&BearerAuth),
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

pub fn routes() -> Router<AppState> {
    Router::new().merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", document()))
}
