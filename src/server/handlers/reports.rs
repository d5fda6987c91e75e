//! Monthly statistics and the accountability ledger.

use axum::Json;
use axum::extract::State;

use crate::api::*;
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::AppResult;
use crate::server::extract::{Params, bad_param};

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

/// The accountability ledger for a month (arts. 14–15): every missed deadline of every kind,
/// by department and, where one person let it pass, that person, with its annotations.
/// Filters narrow it (docs/STATISTICS.md); departments see their own records only.
#[utoipa::path(get, path = "/api/v1/accountability", tag = "reports", params(
        ("month" = String, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", description = "YYYY-MM"),
        ("department" = Option<String>, Query, description = "department code"),
        ("rule" = Option<String>, Query, description = "rule name, e.g. claim_overdue"),
        ("person" = Option<String>, Query, description = "username of the person named")),
    responses((status = 200, body = Vec<AccountabilityRecord>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_accountability(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Vec<AccountabilityRecord>>> {
    let month = q.require("month")?;
    let department = q.take("department");
    let rule = q.take("rule");
    let person = q.take("person");
    q.finish()?;
    let (from, to) = month_range(&month)?;
    // A misspelt rule would silently answer "no records": refuse it, naming the parameter.
    if let Some(rule) = &rule
        && !crate::db::ledger::RULES.contains(&rule.as_str())
        && !crate::db::duties::SPECS.iter().any(|s| s.rule == rule)
    {
        return Err(bad_param("rule", "没有这条规则 / no such rule"));
    }
    let asked = match department {
        None => None,
        Some(code) => Some(
            s.db.department_id(&code)
                .await?
                .map(|(id, _)| id)
                .ok_or_else(|| bad_param("department", "没有这个部门 / no such department"))?,
        ),
    };
    // A department sees its own records whatever it asks for (another's: an empty list).
    let department = if auth.0.sees_all() {
        asked
    } else {
        let own = auth.0.department_id.unwrap_or(-1);
        match asked {
            Some(d) if d != own => return Ok(Json(Vec::new())),
            _ => Some(own),
        }
    };
    let query = crate::db::ledger::LedgerQuery {
        from,
        to,
        department,
        rule,
        person,
    };
    Ok(Json(crate::db::ledger::list(&s.db, &query).await?))
}
