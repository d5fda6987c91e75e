//! Joint work (arts. 9–11): scheduling with the notice rule, acknowledgements, reschedules,
//! cancellations and meeting minutes. The joint report and its signatures are in
//! `joint_reports.rs`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use crate::api::*;
use crate::db::joint_events::{self as store, JointEventRecord};
use crate::db::joint_work::{self as work, NewEvent};
use crate::domain::{Action, Audience, cst, joint, policy, to_cst, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use crate::server::redact::Redactor;
use utoipa_axum::{router::OpenApiRouter, routes};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(schedule_joint_event, list_joint_events))
        .routes(routes!(get_joint_event))
        .routes(routes!(acknowledge_joint_event))
        .routes(routes!(reschedule_joint_event))
        .routes(routes!(cancel_joint_event))
        .routes(routes!(record_minutes))
}

/// The event if the caller may see it (organiser, participant, or a role that sees all);
/// anyone else is told it does not exist.
pub(super) async fn visible(s: &AppState, auth: &Auth, id: i64) -> AppResult<JointEventRecord> {
    store::get(&s.db, id)
        .await?
        .filter(|r| policy::may(&auth.0, Action::See, r.audience_for(auth.0.department_id)))
        .ok_or_else(|| AppError::not_found("联合工作", "joint event"))
}

/// An event as the caller may see it: another department's people left out
/// ([`Redactor::joint_event`]).
pub(super) fn shown(auth: &Auth, mut e: JointEvent, s: &AppState) -> JointEvent {
    Redactor::new(s, &auth.0).joint_event(&mut e);
    e
}

fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    Ok(validate::text(field, value, max)?)
}

/// Check the notice period for joint work starting at `starts` noticed `now`; an admin's
/// emergency override (already authorised) lets a short notice through.
fn check_notice(
    s: &AppState,
    now: DateTime<Utc>,
    starts: DateTime<Utc>,
    emergency: bool,
) -> AppResult<()> {
    if starts <= now {
        return Err(AppError::invalid(
            "starts_at",
            "开始时间须晚于现在 / starts_at must be in the future",
        ));
    }
    let verdict = joint::notice(&s.calendar(), now, starts).map_err(|e| {
        AppError::invalid(
            "starts_at",
            format!("日期超出日历范围 / date out of range: {e}"),
        )
    })?;
    match verdict {
        Ok(()) => Ok(()),
        Err(_) if emergency => Ok(()),
        Err(earliest) => Err(AppError::NoticeTooShort {
            message: format!(
                "须至少提前{n}个工作日通知，最早可定于 {e} / notice must be at least {n} working day(s) ahead: the earliest lawful starts_at is {e}",
                n = joint::NOTICE_WORKING_DAYS,
                e = earliest.to_rfc3339()
            ),
            earliest,
        }),
    }
}

/// The emergency override, if any: only an admin may give one (checked here, before the
/// body's other fields are used).
fn emergency(auth: &Auth, e: &Option<EmergencyRequest>) -> AppResult<Option<String>> {
    match e {
        None => Ok(None),
        Some(e) => {
            policy::check(&auth.0, Action::OverrideNotice, Audience::Everyone)?;
            Ok(Some(text("emergency.reason", &e.reason, 2000)?))
        }
    }
}

/// The organising department: the scheduler's own (bureau staff), or for an admin's
/// emergency scheduling the county's approval bureau (the first approval department).
fn organiser(s: &AppState, auth: &Auth, emergency: bool) -> AppResult<i64> {
    if !emergency {
        policy::check(&auth.0, Action::ScheduleJointWork, Audience::Everyone)?;
        return auth.0.department_id.ok_or_else(AppError::forbidden_role);
    }
    if let Some(d) = auth.0.department_id
        && s.db
            .departments()
            .iter()
            .any(|(id, dep)| *id == d && dep.kind == DepartmentKind::Approval)
    {
        return Ok(d);
    }
    s.db.departments()
        .into_iter()
        .find(|(_, d)| d.kind == DepartmentKind::Approval)
        .map(|(id, _)| id)
        .ok_or_else(|| {
            AppError::conflict(
                "no_bureau",
                "尚无审批部门，无法组织联合工作 / there is no approval department to organise joint work",
            )
        })
}

async fn participants(s: &AppState, codes: &[String]) -> AppResult<Vec<i64>> {
    if codes.is_empty() {
        return Err(AppError::invalid(
            "departments",
            "至少需要一个参加部门 / at least one participating department",
        ));
    }
    if codes.len() > 100 {
        return Err(AppError::invalid(
            "departments",
            "至多 100 个部门 / at most 100 departments",
        ));
    }
    let mut ids = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let field = format!("departments[{i}]");
        match s.db.department_id(code).await? {
            Some((id, d)) if d.kind == DepartmentKind::Supervision => {
                if ids.contains(&id) {
                    return Err(AppError::invalid(
                        field,
                        format!("{code} 重复 / {code} is listed twice"),
                    ));
                }
                ids.push(id);
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
    ids.sort_unstable();
    Ok(ids)
}

/// A subject or agenda reference, checked against what it names; returns it with its title.
async fn reference(s: &AppState, field: &str, r: &JointRef, agenda: bool) -> AppResult<AgendaItem> {
    let title = match r {
        JointRef::Push(id) => match work::push_brief(&s.db, *id).await? {
            Some((PushKind::Approval, title, important)) => {
                if agenda && !important {
                    return Err(AppError::invalid(
                        field,
                        "只有重要审批事项可列入联席会议议程 / only important approval items go on a meeting's agenda",
                    ));
                }
                title
            }
            Some(_) if agenda => {
                return Err(AppError::invalid(
                    field,
                    "不是审批推送 / not an approval push",
                ));
            }
            Some((_, title, _)) => title,
            None => {
                return Err(AppError::invalid(
                    field,
                    format!("没有推送 {id} / no push {id}"),
                ));
            }
        },
        JointRef::Dispute(id) => match work::dispute_brief(&s.db, *id).await? {
            Some((subject, escalated)) => {
                if agenda && !escalated {
                    return Err(AppError::invalid(
                        field,
                        "只有已督办的争议可列入议程 / only escalated disputes go on a meeting's agenda",
                    ));
                }
                subject
            }
            None => {
                return Err(AppError::invalid(
                    field,
                    format!("没有争议 {id} / no dispute {id}"),
                ));
            }
        },
        JointRef::Licence(no) if !agenda => text(field, no, 100)?,
        JointRef::Topic(t) if agenda => text(field, t, 500)?,
        JointRef::Licence(_) => {
            return Err(AppError::invalid(
                field,
                "议程项须为推送、争议或议题 / an agenda item is a push, a dispute or a topic",
            ));
        }
        JointRef::Topic(_) => {
            return Err(AppError::invalid(
                field,
                "事由须为推送、许可证或争议 / a subject is a push, a licence or a dispute",
            ));
        }
    };
    // Text references are stored as validated (trimmed).
    let item = match r {
        JointRef::Licence(_) => JointRef::Licence(title.clone()),
        JointRef::Topic(_) => JointRef::Topic(title.clone()),
        other => other.clone(),
    };
    Ok(AgendaItem { item, title })
}

/// Schedule joint work. Only the bureau schedules; notice must reach every participant at
/// least 1 working day ahead (422 `notice_too_short` with `error.earliest` otherwise),
/// unless an admin overrides it with `emergency`, which is recorded and shown.
#[utoipa::path(post, path = "/api/v1/joint-events", tag = "joint work", request_body = NewJointEvent,
    responses((status = 201, body = JointEvent), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn schedule_joint_event(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewJointEvent>,
) -> AppResult<(StatusCode, Json<JointEvent>)> {
    let urgent = emergency(&auth, &body.emergency)?;
    let organiser = organiser(&s, &auth, urgent.is_some())?;
    let title = text("title", &body.title, 200)?;
    let place = text("place", &body.place, 200)?;
    let participants = participants(&s, &body.departments).await?;
    let subject = match &body.subject {
        Some(r) => Some(reference(&s, "subject", r, false).await?.item),
        None => None,
    };
    let mut agenda = Vec::new();
    match (&body.agenda, body.kind) {
        (Some(items), JointEventKind::Meeting) => {
            if items.len() > 50 {
                return Err(AppError::invalid("agenda", "至多 50 项 / at most 50 items"));
            }
            for (i, r) in items.iter().enumerate() {
                agenda.push(reference(&s, &format!("agenda[{i}]"), r, true).await?);
            }
        }
        (Some(_), _) => {
            return Err(AppError::invalid(
                "agenda",
                "只有联席会议有议程 / only meetings have an agenda",
            ));
        }
        (None, _) => {}
    }
    let now = s.clock.now();
    let starts = body.starts_at.with_timezone(&Utc);
    check_notice(&s, now, starts, urgent.is_some())?;
    let e = store_create(
        &s,
        &auth,
        NewEvent {
            kind: body.kind,
            title,
            starts_at: to_millis(starts),
            place,
            organiser,
            subject,
            participants,
            agenda,
            emergency: urgent,
        },
        to_millis(now),
    )
    .await?;
    Ok(super::created(shown(&auth, e, &s)))
}

async fn store_create(s: &AppState, auth: &Auth, e: NewEvent, now: i64) -> AppResult<JointEvent> {
    Ok(work::create(&s.db, &auth.0, e, now).await?)
}

/// `from`/`to`: an instant (RFC 3339) or a date (`YYYY-MM-DD`, China time; `to` includes
/// the whole day).
fn bound(name: &str, v: &str, end: bool) -> AppResult<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let d = parse_strict_date(v).ok_or_else(|| {
        bad_param(
            name,
            "应为 YYYY-MM-DD 或 RFC 3339 时间 / expected YYYY-MM-DD or an RFC 3339 instant",
        )
    })?;
    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
    Ok(cst()
        .from_local_datetime(&d.and_time(NaiveTime::MIN))
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc))
}

/// Joint work in a time window (default: from 7 days ago to 60 days ahead), soonest first:
/// the events the caller's department organises or takes part in (all, for the roles that
/// see all). At most 500.
#[utoipa::path(get, path = "/api/v1/joint-events", tag = "joint work",
    params(("from" = Option<String>, Query, description = "YYYY-MM-DD or RFC 3339; default 7 days ago"),
           ("to" = Option<String>, Query, description = "YYYY-MM-DD (inclusive) or RFC 3339 (exclusive); default 60 days ahead")),
    responses((status = 200, body = JointEventList), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_joint_events(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<JointEventList>> {
    let now = s.clock.now();
    let from = match q.take("from") {
        Some(v) => bound("from", &v, false)?,
        None => now - Duration::days(7),
    };
    let to = match q.take("to") {
        Some(v) => bound("to", &v, true)?,
        None => now + Duration::days(60),
    };
    q.finish()?;
    if to <= from {
        return Err(bad_param("to", "须晚于 from / must be after from"));
    }
    let dept = if auth.0.sees_all() {
        None
    } else {
        // A principal of no department that does not see all takes part in nothing.
        Some(auth.0.department_id.unwrap_or(-1))
    };
    let items = store::list(&s.db, dept, to_millis(from), to_millis(to), 500).await?;
    Ok(Json(JointEventList {
        items: items.into_iter().map(|e| shown(&auth, e, &s)).collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/joint-events/{id}", tag = "joint work", params(("id" = i64, Path)),
    responses((status = 200, body = JointEvent), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_joint_event(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<JointEvent>> {
    visible(&s, &auth, id).await?;
    let e = store::detail(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("联合工作", "joint event"))?;
    Ok(Json(shown(&auth, e, &s)))
}

/// A participating department acknowledges the notice, for itself, before the event begins.
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/acknowledge", tag = "joint work", params(("id" = i64, Path)),
    responses((status = 200, body = JointEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn acknowledge_joint_event(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<JointEvent>> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(
        &auth.0,
        Action::Participate,
        rec.audience_for(auth.0.department_id),
    )?;
    let dept = auth.0.department_id.ok_or_else(AppError::forbidden_role)?;
    let e = work::acknowledge(&s.db, &auth.0, &rec, dept, to_millis(s.clock.now())).await?;
    Ok(Json(shown(&auth, e, &s)))
}

/// The organiser, or an admin giving an emergency override.
fn may_organise(auth: &Auth, rec: &JointEventRecord, urgent: bool) -> AppResult<()> {
    if urgent {
        return Ok(());
    }
    Ok(policy::check(
        &auth.0,
        Action::OrganiseJointWork,
        rec.audience_for(auth.0.department_id),
    )?)
}

/// Move the event, with a reason; the new time needs fresh lawful notice from now, and
/// every participant acknowledges again.
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/reschedule", tag = "joint work", params(("id" = i64, Path)),
    request_body = RescheduleJointEvent,
    responses((status = 200, body = JointEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reschedule_joint_event(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<RescheduleJointEvent>,
) -> AppResult<Json<JointEvent>> {
    let rec = visible(&s, &auth, id).await?;
    let urgent = emergency(&auth, &body.emergency)?;
    may_organise(&auth, &rec, urgent.is_some())?;
    let reason = text("reason", &body.reason, 2000)?;
    let now = s.clock.now();
    let starts = body.starts_at.with_timezone(&Utc);
    if to_millis(starts) == rec.starts_at {
        return Err(AppError::invalid(
            "starts_at",
            "与原定时间相同 / the same time as before",
        ));
    }
    check_notice(&s, now, starts, urgent.is_some())?;
    let e = work::reschedule(
        &s.db,
        &auth.0,
        &rec,
        to_millis(starts),
        &reason,
        urgent,
        to_millis(now),
    )
    .await?;
    Ok(Json(shown(&auth, e, &s)))
}

/// Cancel the event, with a reason (before it begins).
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/cancel", tag = "joint work", params(("id" = i64, Path)),
    request_body = CancelJointEvent,
    responses((status = 200, body = JointEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn cancel_joint_event(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<CancelJointEvent>,
) -> AppResult<Json<JointEvent>> {
    let rec = visible(&s, &auth, id).await?;
    may_organise(&auth, &rec, false)?;
    let reason = text("reason", &body.reason, 2000)?;
    let e = work::cancel(&s.db, &auth.0, &rec, &reason, to_millis(s.clock.now())).await?;
    Ok(Json(shown(&auth, e, &s)))
}

/// Refuse work on an event that was cancelled or has not begun yet.
pub(super) fn held(rec: &JointEventRecord, now: DateTime<Utc>) -> AppResult<()> {
    if rec.status == JointEventStatus::Cancelled {
        return Err(AppError::conflict(
            "event_cancelled",
            "该联合工作已取消 / the joint event is cancelled",
        ));
    }
    if to_millis(now) < rec.starts_at {
        return Err(AppError::conflict(
            "event_not_held",
            format!(
                "联合工作尚未开始（{}） / the joint event has not begun yet",
                to_cst(crate::domain::from_millis(rec.starts_at)).to_rfc3339()
            ),
        ));
    }
    Ok(())
}

/// Record minutes and decisions (after the event began); pushed to every participant.
#[utoipa::path(post, path = "/api/v1/joint-events/{id}/minutes", tag = "joint work", params(("id" = i64, Path)),
    request_body = NewMinutes,
    responses((status = 201, body = JointEvent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn record_minutes(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewMinutes>,
) -> AppResult<(StatusCode, Json<JointEvent>)> {
    let rec = visible(&s, &auth, id).await?;
    may_organise(&auth, &rec, false)?;
    let text_body = text("body", &body.body, 20000)?;
    if body.decisions.len() > 100 {
        return Err(AppError::invalid(
            "decisions",
            "至多 100 项 / at most 100 decisions",
        ));
    }
    let decisions = body
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| text(&format!("decisions[{i}]"), d, 2000))
        .collect::<AppResult<Vec<_>>>()?;
    let now = s.clock.now();
    held(&rec, now)?;
    let e = crate::db::joint_reports::minutes(
        &s.db,
        &auth.0,
        &rec,
        &text_body,
        &decisions,
        to_millis(now),
    )
    .await?;
    Ok(super::created(shown(&auth, e, &s)))
}
