//! Monthly statistics and the accountability ledger.

use axum::Json;
use axum::extract::State;

use crate::api::*;
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::AppResult;
use crate::server::extract::Params;

use super::month_range;
use utoipa_axum::{router::OpenApiRouter, routes};

/// This resource's routes, each with its OpenAPI path (one list for both).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(monthly_stats))
        .routes(routes!(list_accountability))
}

/// Per-department claim figures for deliveries received in a month (definitions in
/// docs/STATISTICS.md). The monthly bulletin (art. 7) is circulated to every department, so
/// every role may read every department's line.
#[utoipa::path(get, path = "/api/v1/stats/monthly", tag = "reports", params(("month" = String, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", description = "YYYY-MM")),
    responses((status = 200, body = MonthlyStats), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
pub async fn monthly_stats(
    State(s): State<AppState>,
    _auth: Auth,
    mut q: Params,
) -> AppResult<Json<MonthlyStats>> {
    let month = q.require("month")?;
    q.finish()?;
    let (from, to) = month_range(&month)?;
    Ok(Json(
        crate::db::reports::monthly(&s.db, &month, from, to, None).await?,
    ))
}

/// The accountability ledger for a month: every auto-claim, by department (arts. 14–15).
/// Departments see their own records.
#[utoipa::path(get, path = "/api/v1/accountability", tag = "reports", params(("month" = String, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", description = "YYYY-MM")),
    responses((status = 200, body = Vec<AccountabilityRecord>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_accountability(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Vec<AccountabilityRecord>>> {
    let month = q.require("month")?;
    q.finish()?;
    let (from, to) = month_range(&month)?;
    let only = if auth.0.sees_all() {
        None
    } else {
        auth.0.department_id.or(Some(-1))
    };
    Ok(Json(
        crate::db::reports::accountability(&s.db, from, to, only).await?,
    ))
}
