//! The expert registry (art. 10(1)–(3)): the think-tank and the site-inspection pool.
//!
//! Who sees whom (the project rule: a department never sees another department's people):
//! a member is seen by its own department, by the bureau that keeps the roster (art. 10(3):
//! 名单报县行政审批服务局备案) and by the roles that see all. Every department sees the counts
//! per department and pool (not people), so a department below its minimum is visible to all;
//! a member drawn for a joint event is shown to that event's participants (handlers/draws.rs).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::*;
use crate::db::experts::{self as store, ExpertRow, roster_audience};
use crate::domain::policy::Refusal;
use crate::domain::{Action, Principal, policy, to_cst, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(nominate_expert, list_experts))
        .routes(routes!(get_expert))
        .routes(routes!(withdraw_expert))
        .routes(routes!(set_expert_availability))
}

/// Whether `p` sees the people of department `dept`'s roster.
pub(super) fn sees_roster_of(p: &Principal, dept: i64) -> bool {
    p.sees_all() || p.role == Role::ApprovalStaff || p.department_id == Some(dept)
}

async fn visible_expert(s: &AppState, auth: &Auth, id: i64) -> AppResult<ExpertRow> {
    store::get_row(&s.db, id)
        .await?
        .filter(|r| sees_roster_of(&auth.0, r.department_id))
        .ok_or_else(|| AppError::not_found("专家", "expert"))
}

fn may_manage(s: &AppState, auth: &Auth, dept: i64) -> AppResult<()> {
    policy::check(&auth.0, Action::ManageRoster, roster_audience(&s.db, dept)).map_err(|r| match r {
        // The department is public; its roster is not the caller's to change.
        Refusal::Hidden => AppError::Forbidden(
            "只能推荐或管理本部门的人员 / a department nominates and manages only its own members".into(),
        ),
        r => r.into(),
    })
}

/// Nominate a member of a department to a pool (its own staff; the bureau or an admin may
/// record for any department). Over the pool's maximum for the department → 409.
#[utoipa::path(post, path = "/api/v1/experts", tag = "experts", request_body = NewExpert,
    responses((status = 201, body = Expert), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn nominate_expert(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewExpert>,
) -> AppResult<(StatusCode, Json<Expert>)> {
    let code = validate::department_code("department", &body.department)?;
    let (dept, d) =
        s.db.department_id(&code)
            .await?
            .ok_or_else(|| AppError::invalid("department", "没有这个部门 / no such department"))?;
    if d.kind != DepartmentKind::Supervision {
        return Err(AppError::invalid(
            "department",
            "专家由各监管部门推荐 / members are nominated by the supervision departments",
        ));
    }
    may_manage(&s, &auth, dept)?;
    let now = s.clock.now();
    let mut new = body.clone();
    new.department = code;
    new.name = validate::text("name", &body.name, 100)?;
    new.qualification = validate::text("qualification", &body.qualification, 200)?;
    if new.qualified_until < to_cst(now).date_naive() {
        return Err(AppError::invalid(
            "qualified_until",
            "资质已过期 / the qualification has expired",
        ));
    }
    let reason = match (body.replaces, body.reason.as_deref()) {
        (Some(_), Some(r)) => Some(validate::text("reason", r, 500)?),
        (Some(_), None) => {
            return Err(AppError::invalid(
                "reason",
                "替换须说明理由 / a replacement needs a reason",
            ));
        }
        (None, Some(_)) => {
            return Err(AppError::invalid(
                "reason",
                "仅在替换时填写 / only with replaces",
            ));
        }
        (None, None) => None,
    };
    let e = store::create(&s.db, &auth.0, dept, &new, reason, to_millis(now)).await?;
    Ok(super::created(e))
}

/// The roster: per department and pool the active count against the limits (for every
/// caller), and the members the caller may see.
#[utoipa::path(get, path = "/api/v1/experts", tag = "experts",
    params(("pool" = Option<String>, Query, description = "think_tank | site_inspection"),
           ("department" = Option<String>, Query, description = "a department code")),
    responses((status = 200, body = ExpertRoster), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_experts(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<ExpertRoster>> {
    let pool = match q.take("pool") {
        Some(v) => Some(ExpertPool::parse(&v).ok_or_else(|| {
            bad_param(
                "pool",
                "应为 think_tank 或 site_inspection / expected think_tank or site_inspection",
            )
        })?),
        None => None,
    };
    let dept = match q.take("department") {
        Some(code) => Some(
            s.db.department_id(&code)
                .await?
                .ok_or_else(|| bad_param("department", "没有这个部门 / no such department"))?
                .0,
        ),
        None => None,
    };
    q.finish()?;
    let counts = store::active_counts(&s.db).await?;
    let pools: Vec<ExpertPool> = match pool {
        Some(p) => vec![p],
        None => vec![ExpertPool::ThinkTank, ExpertPool::SiteInspection],
    };
    let mut departments = Vec::new();
    for (id, d) in s.db.departments() {
        if d.kind != DepartmentKind::Supervision || dept.is_some_and(|x| x != id) {
            continue;
        }
        for p in &pools {
            let active = counts
                .iter()
                .find(|(di, dp, _)| *di == id && dp == p)
                .map_or(0, |c| c.2) as u32;
            let (minimum, maximum) = p.limits();
            departments.push(DepartmentRoster {
                department: d.code.clone(),
                pool: *p,
                active,
                minimum,
                maximum,
                below_minimum: active < minimum,
            });
        }
    }
    let experts = store::list(&s.db, pool, dept)
        .await?
        .iter()
        .filter(|r| sees_roster_of(&auth.0, r.department_id))
        .map(|r| r.to_api(&s.db))
        .collect::<Result<_, _>>()?;
    Ok(Json(ExpertRoster {
        departments,
        experts,
    }))
}

/// A member and the history of its place on the roster.
#[utoipa::path(get, path = "/api/v1/experts/{id}", tag = "experts", params(("id" = i64, Path)),
    responses((status = 200, body = ExpertDetail), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_expert(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<ExpertDetail>> {
    let row = visible_expert(&s, &auth, id).await?;
    Ok(Json(ExpertDetail {
        expert: row.to_api(&s.db)?,
        history: store::history(&s.db, id).await?,
    }))
}

/// Withdraw a member (退出); the record stays with the reason.
#[utoipa::path(post, path = "/api/v1/experts/{id}/withdraw", tag = "experts", params(("id" = i64, Path)),
    request_body = WithdrawExpert,
    responses((status = 200, body = Expert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn withdraw_expert(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<WithdrawExpert>,
) -> AppResult<Json<Expert>> {
    let row = visible_expert(&s, &auth, id).await?;
    may_manage(&s, &auth, row.department_id)?;
    let reason = validate::text("reason", &body.reason, 500)?;
    let now = to_millis(s.clock.now());
    Ok(Json(
        store::withdraw(&s.db, &auth.0, id, &reason, now).await?,
    ))
}

/// Mark a member unavailable up to and including a date (`null`: available again). A draw
/// for an event on or before that date leaves the member out.
#[utoipa::path(put, path = "/api/v1/experts/{id}/availability", tag = "experts", params(("id" = i64, Path)),
    request_body = ExpertAvailability,
    responses((status = 200, body = Expert), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_expert_availability(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<ExpertAvailability>,
) -> AppResult<Json<Expert>> {
    let row = visible_expert(&s, &auth, id).await?;
    may_manage(&s, &auth, row.department_id)?;
    let reason = body
        .reason
        .as_deref()
        .map(|r| validate::text("reason", r, 500))
        .transpose()?;
    let now = to_millis(s.clock.now());
    let e =
        store::set_availability(&s.db, &auth.0, id, body.unavailable_until, reason, now).await?;
    Ok(Json(e))
}
