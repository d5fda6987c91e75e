//! Verification of commitments (art. 8): the tasks opened by notify-and-commit approval
//! pushes for post-verification catalogue items, and the bureau's results. A task is seen by
//! the bureau, the departments that supervise the licence, and the roles that see all; anyone
//! else is told it does not exist.

use axum::Json;
use axum::extract::State;

use crate::api::*;
use crate::db::verifications::{
    self as store, LoadedTask, ResultInput, RevocationPlan, TaskFilter,
};
use crate::domain::{Action, policy, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use crate::server::redact::Redactor;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::listing::{cut_page, decode_cursor, encode_cursor, own_scope, take_limit};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_verifications))
        .routes(routes!(get_verification))
        .routes(routes!(record_verification_result))
}

async fn visible(s: &AppState, auth: &Auth, id: i64) -> AppResult<LoadedTask> {
    store::get(&s.db, id)
        .await?
        .filter(|t| policy::may(&auth.0, Action::See, t.audience_for(auth.0.department_id)))
        .ok_or_else(|| AppError::not_found("核验任务", "verification task"))
}

/// The claim deadline of a revocation decision pushed now (1 working day, like any push).
pub(crate) fn revocation_plan(s: &AppState, now: i64) -> AppResult<RevocationPlan> {
    let (claim_deadline, provisional) = s.due_after(now, 1)?;
    Ok(RevocationPlan {
        now,
        claim_deadline,
        provisional,
    })
}

/// Verification tasks, newest first: the caller's department's (as the bureau that
/// verifies, or a department that supervises the licence); roles that see all see every one.
#[utoipa::path(get, path = "/api/v1/verifications", tag = "credit approvals",
    params(("state" = Option<String>, Query, description = "open, rectifying, passed or revoked"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "1–500, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<VerificationTask>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_verifications(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<VerificationTask>>> {
    let state = q
        .take("state")
        .map(|v| {
            VerificationState::parse(v.trim()).ok_or_else(|| {
                bad_param("state", "应为 open、rectifying、passed 或 revoked / expected open, rectifying, passed or revoked")
            })
        })
        .transpose()?;
    let limit = take_limit(&mut q)?;
    let before = q
        .take("cursor")
        .map(|c| decode_cursor(&c))
        .transpose()?
        .map(|(id, _)| id);
    q.finish()?;
    let p = &auth.0;
    let department = own_scope(p)?;
    let mut items = store::list(
        &s.db,
        &TaskFilter {
            department,
            state,
            before,
            limit: limit + 1,
        },
    )
    .await?;
    let next_cursor = cut_page(&mut items, limit, |t| encode_cursor(t.id, 0));
    let redact = Redactor::new(&s, p);
    items.iter_mut().for_each(|t| redact.verification(t));
    Ok(Json(Page { items, next_cursor }))
}

/// One task with its results and, if revoked, the revocation.
#[utoipa::path(get, path = "/api/v1/verifications/{id}", tag = "credit approvals", params(("id" = i64, Path)),
    responses((status = 200, body = VerificationTask), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_verification(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<VerificationTask>> {
    let mut t = visible(&s, &auth, id).await?.task;
    Redactor::new(&s, &auth.0).verification(&mut t);
    Ok(Json(t))
}

/// Record the bureau's result: `pass` closes the verification; `fail` (with findings) opens
/// rectification and a re-verification due after `--rectification-working-days`; failing the
/// re-verification revokes the approval, pushed to every department that supervises the
/// licence. A passed or revoked task is a 409.
#[utoipa::path(post, path = "/api/v1/verifications/{id}/result", tag = "credit approvals", params(("id" = i64, Path)),
    request_body = NewVerificationResult,
    responses((status = 200, body = VerificationTask), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Already passed or revoked", body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_verification_result(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(b): ApiJson<NewVerificationResult>,
) -> AppResult<Json<VerificationTask>> {
    let t = visible(&s, &auth, id).await?;
    policy::check(
        &auth.0,
        Action::RecordVerification,
        t.audience_for(auth.0.department_id),
    )?;
    let findings = b
        .findings
        .as_ref()
        .filter(|f| !f.trim().is_empty())
        .map(|f| validate::text("findings", f, 4000))
        .transpose()?;
    if b.outcome == VerificationOutcome::Fail && findings.is_none() {
        return Err(AppError::invalid(
            "findings",
            "未通过核验须写明核验发现的问题 / required for a failed verification: what was found",
        ));
    }
    if b.round.is_some_and(|r| !(1..=2).contains(&r)) {
        return Err(AppError::invalid("round", "应为 1 或 2 / must be 1 or 2"));
    }
    if b.departments.len() > 64 {
        return Err(AppError::invalid(
            "departments",
            "至多 64 个部门 / at most 64 departments",
        ));
    }
    let mut departments = Vec::with_capacity(b.departments.len());
    for (i, code) in b.departments.iter().enumerate() {
        let field = format!("departments[{i}]");
        match s.db.department_id(code.trim()).await? {
            Some((d, dep)) if dep.kind == DepartmentKind::Supervision => {
                if !departments.contains(&d) {
                    departments.push(d);
                }
            }
            Some(_) => {
                return Err(AppError::invalid(
                    field,
                    format!("{code} 不是监管部门 / {code} is not a supervision department"),
                ));
            }
            None => {
                return Err(AppError::invalid(
                    field,
                    format!("没有部门 {code} / unknown department {code}"),
                ));
            }
        }
    }
    let now = to_millis(s.clock.now());
    let n = s.cfg.rectification_working_days;
    let (due, provisional) = s.due_after(now, n)?;
    let input = ResultInput {
        outcome: b.outcome,
        findings,
        departments,
        round: b.round,
        rectification: (n, due, provisional),
        revocation: revocation_plan(&s, now)?,
    };
    Ok(Json(
        store::record_result(&s.db, &auth.0.name, id, input, now).await?,
    ))
}
