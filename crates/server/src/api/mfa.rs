//! `/api/users/{id}/mfa-verifications`: a user's second factors, as Logto lists them (never
//! a secret), and their removal (a lost phone), audited and told to the user by mail.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Caller;
use super::openapi::ProblemDetails;
use crate::app::AppState;
use crate::error::Problem;
use crate::manage::mfa::{self, MfaView};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(remove))
}

/// The user's factors: authenticator app (`Totp`), passkeys (`WebAuthn`, with their names)
/// and recovery codes (`BackupCode`, with how many are left).
#[utoipa::path(
    get,
    path = "/api/users/{id}/mfa-verifications",
    tag = "Users",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = [MfaView]), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    _: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<MfaView>>, Problem> {
    crate::manage::users::find(&state, &id).await?;
    let factors = mfa::list(&state, &id).await?;
    Ok(Json(factors.iter().map(MfaView::from).collect()))
}

/// Remove one factor; recovery codes go with the last factor they stood in for.
#[utoipa::path(
    delete,
    path = "/api/users/{id}/mfa-verifications/{verificationId}",
    tag = "Users",
    params(("id" = String, Path, description = "User id"), ("verificationId" = String, Path, description = "Factor id")),
    responses((status = 204, description = "Removed"), (status = "4XX", body = ProblemDetails, content_type = "application/problem+json")),
    security(("bearer" = []))
)]
pub(super) async fn remove(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((id, verification)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    mfa::remove(&state, &actor, &id, &verification).await?;
    Ok(StatusCode::NO_CONTENT)
}
