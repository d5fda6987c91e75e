//! Verifiable random draws of experts for joint events (art. 10(3); docs/DRAWS.md).
//!
//! Only the bureau draws. The event's participants (and the roles that see all) see its
//! draws, drawn experts' names included: the project's rule that a department never sees
//! another department's people yields here to the participants' need to know who comes to
//! their inspection. Candidates are recorded by id and department only.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::*;
use crate::db::draws::{self as store, DrawEvent, DrawRequest};
use crate::db::joint_events::{self, JointEventRecord};
use crate::domain::{Action, draw, from_millis, to_cst, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(make_draw, event_draws))
        .routes(routes!(get_draw))
        .routes(routes!(verify_draw))
}

/// The event if the caller may see it: a participant, the organiser, or a role that sees all.
async fn visible_event(s: &AppState, auth: &Auth, id: i64) -> AppResult<JointEventRecord> {
    joint_events::get(&s.db, id)
        .await?
        .filter(|e| auth.0.sees_all() || auth.0.department_id.is_some_and(|d| e.involves(d)))
        .ok_or_else(|| AppError::not_found("联合工作", "joint event"))
}

fn draw_event(e: &JointEventRecord) -> DrawEvent {
    DrawEvent {
        id: e.id,
        organiser: e.organiser,
        departments: e.participants.clone(),
    }
}

/// Draw `count` experts for a joint event (the bureau only). Candidates: the pool's active
/// members, less the excluded departments' and anyone unavailable or no longer qualified on
/// the event's date, in canonical order (id ascending). A redraw needs a `reason`; the
/// earlier draws stay.
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/draws", tag = "draws", params(("id" = i64, Path)),
    request_body = NewDraw,
    responses((status = 201, body = Draw), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn make_draw(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewDraw>,
) -> AppResult<(StatusCode, Json<Draw>)> {
    let event = visible_event(&s, &auth, id).await?;
    auth.may(Action::Draw)?;
    if event.status == JointEventStatus::Cancelled {
        return Err(AppError::conflict(
            "event_cancelled",
            "该联合工作已取消 / the joint event is cancelled",
        ));
    }
    // Experts are drawn to take part: once the event has begun, a draw would only rewrite
    // who was there.
    if to_millis(s.clock.now()) >= event.starts_at {
        return Err(AppError::conflict(
            "event_started",
            "联合工作已开始，不能再抽取专家 / the joint event has begun: experts can no longer be drawn",
        ));
    }
    if event.kind == JointEventKind::Meeting {
        return Err(AppError::conflict(
            "no_draw_for_meeting",
            "联席会议不抽取专家（适用于踏勘、会审、听证论证） / experts are drawn for inspections, reviews and hearings, not meetings",
        ));
    }
    let pool = body.pool.unwrap_or(match event.kind {
        JointEventKind::Inspection => ExpertPool::SiteInspection,
        _ => ExpertPool::ThinkTank,
    });
    let mut excluded = Vec::new();
    let mut codes = Vec::new();
    for (i, code) in body.exclude_departments.iter().enumerate() {
        let field = format!("exclude_departments[{i}]");
        let code = validate::department_code(&field, code)?;
        let (dept, _) =
            s.db.department_id(&code)
                .await?
                .ok_or_else(|| AppError::invalid(&field, "没有这个部门 / no such department"))?;
        if !excluded.contains(&dept) {
            excluded.push(dept);
            codes.push(code);
        }
    }
    let reason = body
        .reason
        .as_deref()
        .map(|r| validate::text("reason", r, 500))
        .transpose()?;
    let event_date = to_cst(from_millis(event.starts_at)).date_naive();
    let candidates = crate::db::experts::candidates(&s.db, pool, event_date, &excluded).await?;
    let count = body.count as usize;
    if count == 0 || count > candidates.len() {
        return Err(AppError::invalid(
            "count",
            format!(
                "应为 1 至 {n}（符合条件的候选人数） / expected 1 to {n} (the eligible candidates)",
                n = candidates.len()
            ),
        ));
    }
    let req = DrawRequest {
        pool,
        event_date,
        exclude_departments: codes,
        count,
        reason,
        candidates,
    };
    let now = to_millis(s.clock.now());
    let d = store::make(&s.db, &auth.0, &draw_event(&event), req, now).await?;
    Ok(super::created(shown(&s, &auth, &event, d)))
}

/// The event's draws (every one, redraws included) and the commitment of the next.
#[utoipa::path(get, path = "/api/v1/joint-events/{id}/draws", tag = "draws", params(("id" = i64, Path)),
    responses((status = 200, body = EventDraws), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn event_draws(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<EventDraws>> {
    let event = visible_event(&s, &auth, id).await?;
    let draws = store::for_event(&s.db, event.id)
        .await?
        .into_iter()
        .map(|d| shown(&s, &auth, &event, d))
        .collect();
    Ok(Json(EventDraws {
        event_id: event.id,
        next: store::next_commitment(&s.db, event.id).await?,
        draws,
    }))
}

/// A draw as the caller may see it: who drew (a bureau person) is named only to the
/// organising department and the roles that see all; others see the department.
fn shown(s: &AppState, auth: &Auth, e: &JointEventRecord, mut d: Draw) -> Draw {
    if !(auth.0.sees_all() || auth.0.department_id == Some(e.organiser)) {
        d.made_by = store::organiser_name(&s.db, e.organiser);
    }
    d
}

async fn visible_draw(s: &AppState, auth: &Auth, id: i64) -> AppResult<Draw> {
    let d = store::get(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("抽取记录", "draw"))?;
    let e = visible_event(s, auth, d.event_id)
        .await
        .map_err(|_| AppError::not_found("抽取记录", "draw"))?;
    Ok(shown(s, auth, &e, d))
}

/// One draw's whole record (what `shenguan draw verify --record` recomputes offline).
#[utoipa::path(get, path = "/api/v1/draws/{id}", tag = "draws", params(("id" = i64, Path)),
    responses((status = 200, body = Draw), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_draw(State(s): State<AppState>, auth: Auth, Id(id): Id) -> AppResult<Json<Draw>> {
    Ok(Json(visible_draw(&s, &auth, id).await?))
}

/// Recompute a draw from its stored record and say whether it matches.
#[utoipa::path(get, path = "/api/v1/draws/{id}/verification", tag = "draws", params(("id" = i64, Path)),
    responses((status = 200, body = DrawVerification), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn verify_draw(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<DrawVerification>> {
    let d = visible_draw(&s, &auth, id).await?;
    Ok(Json(draw::verify_draw(&d)))
}
