//! The working-day calendar: published years, loading a new notice, computing a deadline.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::domain::calendar::{CalendarError, check_notice, vet_notice};
use crate::domain::{Action, to_millis};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Params, bad_param};
use utoipa_axum::{router::OpenApiRouter, routes};

/// This resource's routes, each with its OpenAPI path (one list for both).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(calendar_info))
        .routes(routes!(import_calendar_year))
        .routes(routes!(calendar_deadline))
}

#[utoipa::path(get, path = "/api/v1/calendar", tag = "calendar", responses((status = 200, body = CalendarInfo)), security(("bearer" = [])))]
pub async fn calendar_info(
    State(s): State<AppState>,
    _auth: Auth,
) -> AppResult<Json<CalendarInfo>> {
    Ok(Json(CalendarInfo {
        published_years: s.calendar().published_years(),
    }))
}

/// Load (or replace) one year's State Council holiday notice. It must hold the seven statutory
/// holidays with their legal days off, and move work only to weekends, unless `force` is set
/// (audited). Every running deadline is then re-derived (never earlier); every instance
/// reloads.
#[utoipa::path(post, path = "/api/v1/calendar/years", tag = "calendar", request_body = CalendarYear,
    responses((status = 201, body = CalendarInfo), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)), security(("bearer" = [])))]
pub async fn import_calendar_year(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<CalendarYear>,
) -> AppResult<(StatusCode, Json<CalendarInfo>)> {
    auth.may(Action::Administer)?;
    // Validate on a copy first: a bad notice must not touch the live calendar.
    let mut trial = s.calendar().clone();
    trial
        .load_year(body.year, body.days.clone())
        .map_err(|e| match e {
            CalendarError::YearOutOfRange(_) => AppError::invalid("year", e.to_string()),
            _ => AppError::invalid("days", e.to_string()),
        })?;
    let forced = vet_notice(body.year, &body.days, body.force).map_err(|problems| {
        let check = check_notice(body.year, &body.days);
        let hint = if check.refused.is_empty() {
            "（核对无误可加 \"force\": true 强制导入 / send \"force\": true to import it anyway）"
        } else {
            ""
        };
        AppError::Invalid {
            code: if check.refused.is_empty() {
                "unusual_notice"
            } else {
                "invalid_field"
            },
            message: format!("{}{hint}", problems.join("；")),
            field: Some("days".into()),
        }
    })?;
    crate::db::calendar::store_year(
        &s.db,
        &auth.0,
        body.year,
        &body.days,
        &forced,
        to_millis(s.clock.now()),
        true,
    )
    .await?;
    s.reload_calendar().await.map_err(AppError::internal)?;
    Ok(super::created(CalendarInfo {
        published_years: s.calendar().published_years(),
    }))
}

/// "Within N working days" of an instant, by the legal rule.
#[utoipa::path(get, path = "/api/v1/calendar/deadline", tag = "calendar",
    params(("from" = String, Query, format = DateTime, description = "RFC 3339 instant, in a year the calendar serves"), ("working_days" = u32, Query, minimum = 1, maximum = 3650, description = "1–3650")),
    responses((status = 200, body = DeadlineAnswer), (status = 400, body = ErrorBody),
              (status = 422, description = "`from` or the deadline lies outside the years the calendar serves (1900–2200)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn calendar_deadline(
    State(s): State<AppState>,
    _auth: Auth,
    mut q: Params,
) -> AppResult<Json<DeadlineAnswer>> {
    let from = q.require("from")?;
    let from = chrono::DateTime::parse_from_rfc3339(&from)
        .map_err(|_| bad_param("from", "应为 RFC 3339 时间 / expected an RFC 3339 instant"))?;
    let n = q
        .take_parsed::<u32>("working_days", "应为正整数 / expected a positive integer")?
        .ok_or_else(|| bad_param("working_days", "必填 / required"))?;
    q.finish()?;
    // The calendar serves 1900–2200 (the notice years it accepts); past that an answer could
    // not even be written as RFC 3339 (year 10000).
    use chrono::Datelike;
    let unservable = || {
        AppError::invalid(
            "from",
            "日历仅支持 1900–2200 年 / the calendar serves the years 1900–2200 only",
        )
    };
    if !(1900..=2200).contains(&from.year()) {
        return Err(unservable());
    }
    let dl = s
        .calendar()
        .deadline(from.with_timezone(&chrono::Utc), n)
        .map_err(|e| bad_param("working_days", &e.to_string()))?;
    if dl.at.year() > 2200 {
        return Err(unservable());
    }
    Ok(Json(DeadlineAnswer {
        deadline: dl.at,
        provisional: dl.provisional,
    }))
}
