//! The joint report (art. 11): recorded by the bureau after the inspection, review or
//! hearing, signed by every participating department (agree, or dissent with a reason);
//! final only when all have signed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::db::joint_reports as store;
use crate::domain::{Action, policy, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::joint_events::{held, shown, visible};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(record_report))
        .routes(routes!(sign_report))
}

/// The bureau records the joint report once the event has begun (not for meetings, which
/// have minutes). Each participant then owes a signature.
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/report", tag = "joint work", params(("id" = i64, Path)),
    request_body = NewJointReport,
    responses((status = 201, body = JointEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_report(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewJointReport>,
) -> AppResult<(StatusCode, Json<JointEvent>)> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(
        &auth.0,
        Action::OrganiseJointWork,
        rec.audience_for(auth.0.department_id),
    )?;
    let text = validate::text("body", &body.body, 50000)?;
    if rec.kind == JointEventKind::Meeting {
        return Err(AppError::conflict(
            "report_not_for_meetings",
            "联席会议记录纪要，不出具联合报告 / a meeting records minutes, not a joint report",
        ));
    }
    let now = s.clock.now();
    held(&rec, now)?;
    let n = s.cfg.report_sign_working_days;
    let due = s.calendar().deadline(now, n).map_err(AppError::internal)?;
    let sign_by = store::SignBy {
        working_days: n,
        due_at: to_millis(due.utc()),
        provisional: due.provisional,
    };
    let e = store::record(&s.db, &auth.0, &rec, &text, to_millis(now), sign_by).await?;
    Ok(super::created(shown(&auth, e, &s)))
}

/// A participating department signs the report for itself, once: `agree`, or dissent with a
/// `comment` saying why. The last signature makes the report final.
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/report/signatures", tag = "joint work", params(("id" = i64, Path)),
    request_body = NewSignature,
    responses((status = 201, body = JointEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn sign_report(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewSignature>,
) -> AppResult<(StatusCode, Json<JointEvent>)> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(
        &auth.0,
        Action::Participate,
        rec.audience_for(auth.0.department_id),
    )?;
    let dept = auth.0.department_id.ok_or_else(AppError::forbidden_role)?;
    let comment = match body.comment.as_deref() {
        Some(c) => Some(validate::text("comment", c, 5000)?),
        None if !body.agree => {
            return Err(AppError::invalid(
                "comment",
                "不同意须说明理由 / a dissent needs a comment",
            ));
        }
        None => None,
    };
    let e = store::sign(
        &s.db,
        &auth.0,
        &rec,
        dept,
        body.agree,
        comment,
        to_millis(s.clock.now()),
    )
    .await?;
    Ok(super::created(shown(&auth, e, &s)))
}
