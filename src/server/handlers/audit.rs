//! The audit chain head (issue 13 part 5, docs/AUDIT.md).

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::*;
use crate::domain::Action;
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::AppResult;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(audit_head))
}

/// The audit chain's head: the number and SHA-256 of the last audit record. Published with
/// every issued bulletin, so that a later rewrite of history is detectable (`shenguan audit
/// verify`). Duty officers and admins.
#[utoipa::path(get, path = "/api/v1/audit/head", tag = "reports",
    responses((status = 200, body = AuditHead), (status = 403, body = ErrorBody)), security(("bearer" = [])))]
pub async fn audit_head(State(s): State<AppState>, auth: Auth) -> AppResult<Json<AuditHead>> {
    auth.may(Action::ReadAuditChain)?;
    let (record, hash) = crate::db::audit::head(&s.db).await?;
    Ok(Json(AuditHead { record, hash }))
}
