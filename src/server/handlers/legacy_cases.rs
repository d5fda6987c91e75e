//! Legacy cases (历史遗留问题, art. 13): opened by the bureau; the responsible supervision
//! department's written review opinion; if it requires rectification, the holder's
//! rectification (recorded on the holder's behalf by the bureau or the department, whichever
//! the holder reported to) and the department's verification (a fail returns the case to
//! rectification); then the bureau's handling decision. Only the two parties see a case.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::db::legacy::{self as store, CaseRecord, DueBy, NewCase, Step};
use crate::domain::{Action, Audience, policy, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use crate::server::redact::Redactor;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::listing::{cut_page, own_scope, take_limit_upto};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(open_legacy_case, list_legacy_cases))
        .routes(routes!(get_legacy_case))
        .routes(routes!(legacy_opinion))
        .routes(routes!(legacy_rectification))
        .routes(routes!(legacy_verification))
        .routes(routes!(legacy_decision))
}

async fn visible(s: &AppState, auth: &Auth, id: i64) -> AppResult<CaseRecord> {
    store::get(&s.db, id)
        .await?
        .filter(|r| policy::may(&auth.0, Action::See, r.audience()))
        .ok_or_else(|| AppError::not_found("历史遗留问题案件", "legacy case"))
}

/// A case as the caller may see it: the other party's people left out
/// ([`Redactor::legacy_case`]).
fn shown(auth: &Auth, mut c: LegacyCase, s: &AppState) -> LegacyCase {
    Redactor::new(s, &auth.0).legacy_case(&mut c);
    c
}

fn due_by(s: &AppState, now: i64, working_days: u32) -> AppResult<DueBy> {
    let (due_at, provisional) = s.due_after(now, working_days)?;
    Ok(DueBy {
        working_days,
        due_at,
        provisional,
    })
}

fn optional(field: &str, v: &Option<String>, max: usize) -> AppResult<Option<String>> {
    Ok(match v {
        Some(x) => Some(validate::text(field, x, max)?),
        None => None,
    })
}

/// The bureau opens a case; the responsible supervision department owes its written review
/// opinion within `--legacy-opinion-working-days`.
#[utoipa::path(post, path = "/api/v1/legacy-cases", tag = "legacy cases", request_body = NewLegacyCase,
    responses((status = 201, body = LegacyCase), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn open_legacy_case(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewLegacyCase>,
) -> AppResult<(StatusCode, Json<LegacyCase>)> {
    policy::check(&auth.0, Action::OpenLegacyCase, Audience::Everyone)?;
    let bureau = auth.0.department_id.ok_or_else(AppError::forbidden_role)?;
    let title = validate::text("title", &body.title, 200)?;
    let description = validate::text("description", &body.description, 20000)?;
    let department = match s.db.department_id(&body.department).await? {
        Some((id, d)) if d.kind == DepartmentKind::Supervision => id,
        Some(_) => {
            return Err(AppError::invalid(
                "department",
                "须为监管部门 / must be a supervision department",
            ));
        }
        None => {
            return Err(AppError::invalid(
                "department",
                format!("没有部门 {0} / unknown department {0}", body.department),
            ));
        }
    };
    let licence_no = optional("licence_no", &body.licence_no, 100)?;
    let holder = optional("holder", &body.holder, 200)?;
    let now = to_millis(s.clock.now());
    let opinion_by = due_by(&s, now, s.cfg.legacy_opinion_working_days)?;
    let c = store::open(
        &s.db,
        &auth.0,
        NewCase {
            title,
            description,
            department,
            bureau,
            licence_no,
            holder,
            opinion_by,
        },
        now,
    )
    .await?;
    Ok(super::created(shown(&auth, c, &s)))
}

/// Cases the caller's department is a party to (every case, for the roles that see all),
/// newest first.
#[utoipa::path(get, path = "/api/v1/legacy-cases", tag = "legacy cases",
    params(("state" = Option<String>, Query, description = "awaiting_opinion | awaiting_rectification | awaiting_verification | awaiting_decision | decided"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "1–100, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<LegacyCase>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_legacy_cases(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<LegacyCase>>> {
    let state = match q.take("state") {
        None => None,
        Some(v) => Some(
            LegacyCaseState::parse(&v)
                .ok_or_else(|| bad_param("state", "没有这个状态 / unknown state"))?,
        ),
    };
    let limit = take_limit_upto(&mut q, 100)?;
    let before = q.take_parsed::<i64>("cursor", "无效的游标 / invalid cursor")?;
    q.finish()?;
    let department = own_scope(&auth.0)?;
    let mut items = store::list(&s.db, department, state, before, limit + 1).await?;
    let next_cursor = cut_page(&mut items, limit, |c| c.id.to_string());
    Ok(Json(Page {
        items: items.into_iter().map(|c| shown(&auth, c, &s)).collect(),
        next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/legacy-cases/{id}", tag = "legacy cases", params(("id" = i64, Path)),
    responses((status = 200, body = LegacyCase), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_legacy_case(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<LegacyCase>> {
    visible(&s, &auth, id).await?;
    let c = store::detail(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("历史遗留问题案件", "legacy case"))?;
    Ok(Json(shown(&auth, c, &s)))
}

async fn take(
    s: &AppState,
    auth: &Auth,
    rec: &CaseRecord,
    step: Step,
) -> AppResult<Json<LegacyCase>> {
    let c = store::step(&s.db, &auth.0, rec, step, to_millis(s.clock.now())).await?;
    Ok(Json(shown(auth, c, s)))
}

/// The responsible department's written review opinion: with rectification required the
/// holder must rectify next; without, the bureau owes its decision.
#[utoipa::path(post, path = "/api/v1/legacy-cases/{id}/opinion", tag = "legacy cases", params(("id" = i64, Path)),
    request_body = LegacyOpinion,
    responses((status = 200, body = LegacyCase), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn legacy_opinion(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<LegacyOpinion>,
) -> AppResult<Json<LegacyCase>> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(&auth.0, Action::ReviewLegacyCase, rec.audience())?;
    let text = validate::text("body", &body.body, 20000)?;
    let now = to_millis(s.clock.now());
    let decide_by = due_by(&s, now, s.cfg.legacy_decision_working_days)?;
    take(
        &s,
        &auth,
        &rec,
        Step::Opinion {
            body: text,
            rectification_required: body.rectification_required,
            decide_by,
        },
    )
    .await
}

/// The holder's rectification, recorded on the holder's behalf by the bureau or the
/// department; the department then owes its verification.
#[utoipa::path(post, path = "/api/v1/legacy-cases/{id}/rectification", tag = "legacy cases", params(("id" = i64, Path)),
    request_body = LegacyRectification,
    responses((status = 200, body = LegacyCase), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn legacy_rectification(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<LegacyRectification>,
) -> AppResult<Json<LegacyCase>> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(&auth.0, Action::RecordRectification, rec.audience())?;
    let text = validate::text("body", &body.body, 20000)?;
    let now = to_millis(s.clock.now());
    let verify_by = due_by(&s, now, s.cfg.legacy_verification_working_days)?;
    take(
        &s,
        &auth,
        &rec,
        Step::Rectification {
            body: text,
            verify_by,
        },
    )
    .await
}

/// The department verifies the rectification: `pass` → the bureau owes its decision;
/// `fail` → back to rectification.
#[utoipa::path(post, path = "/api/v1/legacy-cases/{id}/verification", tag = "legacy cases", params(("id" = i64, Path)),
    request_body = LegacyVerification,
    responses((status = 200, body = LegacyCase), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn legacy_verification(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<LegacyVerification>,
) -> AppResult<Json<LegacyCase>> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(&auth.0, Action::ReviewLegacyCase, rec.audience())?;
    let findings = validate::text("findings", &body.findings, 20000)?;
    let now = to_millis(s.clock.now());
    let decide_by = due_by(&s, now, s.cfg.legacy_decision_working_days)?;
    take(
        &s,
        &auth,
        &rec,
        Step::Verification {
            pass: body.outcome == VerificationOutcome::Pass,
            findings,
            decide_by,
        },
    )
    .await
}

/// The bureau's handling decision, which closes the case.
#[utoipa::path(post, path = "/api/v1/legacy-cases/{id}/decision", tag = "legacy cases", params(("id" = i64, Path)),
    request_body = LegacyDecision,
    responses((status = 200, body = LegacyCase), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn legacy_decision(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<LegacyDecision>,
) -> AppResult<Json<LegacyCase>> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(&auth.0, Action::DecideLegacyCase, rec.audience())?;
    let decision = validate::text("decision", &body.decision, 20000)?;
    let decision_no = optional("decision_no", &body.decision_no, 100)?;
    take(
        &s,
        &auth,
        &rec,
        Step::Decision {
            decision,
            decision_no,
        },
    )
    .await
}
