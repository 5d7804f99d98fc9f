//! The OpenAPI 3.1 description of the management API: what the whole document says (title,
//! security scheme, shared schemas); each operation's path, routing and description come
//! from its handler's `#[utoipa::path]`, collected by the modules' `routes()`.

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

use utoipa_axum::router::OpenApiRouter;

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
    /// `cimd` or `dcr` (clients that registered themselves that way), `any` (either way),
    /// `none` (registered by an administrator).
    registration: Option<String>,
    /// Self-registered clients by decision: `pending` (none yet), `approved`, `blocked`.
    approval: Option<String>,
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
    modifiers(&BearerAuth),
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The operations' routes and the document that describes them, from one declaration per
/// operation (its `#[utoipa::path]`); the document is served at `/api/openapi.json`, with a
/// reference page at `/api/docs`.
pub fn serve(operations: OpenApiRouter<AppState>) -> Router<AppState> {
    let (router, document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(operations)
        .split_for_parts();
    router.merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", document))
}
