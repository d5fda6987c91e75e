//! Duties: the department's deadlines other than claims (`api::Duty`), as one list for the
//! countdown queue. Each feature acts on its own resource (`/verifications/{id}/result`,
//! `/inquiry-letters/{id}/replies`, …), which closes the duty; this module only reads them, and
//! gives features the one way to compute a duty's deadline.

use axum::Json;
use axum::extract::State;

use crate::api::*;
use crate::db::duties::{self as store, DutyFilter};
use crate::domain::{Action, policy};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{Id, Params, bad_param};
use crate::server::redact::Redactor;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::listing::{cut_page, decode_cursor, encode_cursor, scoped_department, take_limit};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_duties))
        .routes(routes!(get_duty))
}

/// Duties soonest deadline first; by default the outstanding ones (`open`, `overdue`) — the
/// queue. A department sees its own; roles that see all see every department's.
#[utoipa::path(get, path = "/api/v1/duties", tag = "duties",
    params(("state" = Option<String>, Query, description = "comma-separated: open, overdue, done, done_late, lapsed, cancelled; default open,overdue"),
           ("kind" = Option<String>, Query, description = "a duty kind, e.g. verification"),
           ("department" = Option<String>, Query, description = "department code (roles that see all)"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "1–500, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<Duty>), (status = 400, body = ErrorBody),
              (status = 404, description = "No such department, or not the caller's", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_duties(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<Duty>>> {
    let states = match q.take("state") {
        None => vec![DutyState::Open, DutyState::Overdue],
        Some(v) => v
            .split(',')
            .map(|x| {
                DutyState::parse(x.trim()).ok_or_else(|| {
                    bad_param(
                        "state",
                        "应为 open、overdue、done、done_late、lapsed 或 cancelled / expected open, overdue, done, done_late, lapsed or cancelled",
                    )
                })
            })
            .collect::<AppResult<Vec<_>>>()?,
    };
    let kind = match q.take("kind") {
        None => None,
        Some(v) => Some(
            DutyKind::parse(&v)
                .ok_or_else(|| bad_param("kind", "没有这种期限 / unknown duty kind"))?,
        ),
    };
    let department = q.take("department");
    let limit = take_limit(&mut q)?;
    let after = q.take("cursor").map(|c| decode_cursor(&c)).transpose()?;
    q.finish()?;
    let p = &auth.0;
    let department = scoped_department(&s, p, department).await?;
    let mut rows = store::list(
        &s.db,
        &DutyFilter {
            department,
            states,
            kind,
            after,
            limit: limit + 1,
        },
    )
    .await?;
    let next_cursor = cut_page(&mut rows, limit, |r| encode_cursor(r.due_at, r.id));
    let redact = Redactor::new(&s, p);
    let items = rows
        .iter()
        .map(|r| {
            let mut d = r.to_api(&s.db);
            redact.duty(&mut d);
            d
        })
        .collect();
    Ok(Json(Page { items, next_cursor }))
}

/// One duty; another department's is "not found".
#[utoipa::path(get, path = "/api/v1/duties/{id}", tag = "duties", params(("id" = i64, Path)),
    responses((status = 200, body = Duty), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_duty(State(s): State<AppState>, auth: Auth, Id(id): Id) -> AppResult<Json<Duty>> {
    let row = store::get(&s.db, id)
        .await?
        .filter(|d| policy::may(&auth.0, Action::See, d.audience()))
        .ok_or_else(|| AppError::not_found("期限事项", "duty"))?;
    let mut d = row.to_api(&s.db);
    Redactor::new(&s, &auth.0).duty(&mut d);
    Ok(Json(d))
}
