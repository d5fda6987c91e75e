//! The route list and the small handlers that belong to no resource.

mod audit;
mod bulletins;
mod calendar;
mod catalogue;
mod deliveries;
mod disputes;
mod draws;
pub(crate) mod duties;
mod experts;
mod inquiry_letters;
mod joint_events;
mod joint_reports;
mod ledger;
mod legacy_cases;
mod license_action_upload;
mod license_actions;
mod licenses;
mod listing;
mod people;
mod pushes;
mod reports;
mod verifications;

use axum::Extension;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::*;
use crate::domain::{Action, to_cst};
use crate::server::error::{AppError, AppResult};

use super::AppState;
use super::auth::Auth;
use super::extract::ApiJson;

/// Every route of the API with its OpenAPI path: each resource module contributes its own,
/// and `server::api` splits the whole into the router and the served document.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(healthz))
        .routes(routes!(metrics))
        .routes(routes!(openapi))
        .routes(routes!(set_test_clock))
        .merge(people::routes())
        .merge(pushes::routes())
        .merge(deliveries::routes())
        .merge(disputes::routes())
        .merge(duties::routes())
        .merge(experts::routes())
        .merge(draws::routes())
        .merge(reports::routes())
        .merge(bulletins::routes())
        .merge(calendar::routes())
        .merge(joint_events::routes())
        .merge(joint_reports::routes())
        .merge(inquiry_letters::routes())
        .merge(legacy_cases::routes())
        .merge(audit::routes())
        .merge(ledger::routes())
        .merge(catalogue::routes())
        .merge(verifications::routes())
        .merge(licenses::routes())
        .merge(license_actions::routes())
        .merge(super::sse::routes())
}

pub async fn not_found() -> AppError {
    AppError::NotFound("没有这个接口 / no such endpoint".into())
}

/// Liveness and the server's clock (the console measures skew from it).
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health), (status = 503, body = ErrorBody)))]
pub async fn healthz(State(s): State<AppState>) -> AppResult<Json<Health>> {
    s.db.ping().await?;
    Ok(Json(Health {
        status: "ok".into(),
        database: s.db.kind().into(),
        now: to_cst(s.clock.now()),
    }))
}

#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", body = String)))]
pub async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        super::metrics::render(&s),
    )
}

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations", responses((status = 200, description = "This document")))]
pub async fn openapi(Extension(doc): Extension<Document>) -> impl IntoResponse {
    Json(doc.0.clone())
}

/// The served OpenAPI document, built with the router from the same route list.
#[derive(Clone)]
pub struct Document(pub std::sync::Arc<utoipa::openapi::OpenApi>);

/// Set the test clock and sweep before answering (only with `--test-clock`; admin only).
#[utoipa::path(put, path = "/api/v1/test/clock", tag = "operations", request_body = SetClock,
    responses((status = 200, body = Health), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set_test_clock(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<SetClock>,
) -> AppResult<Json<Health>> {
    if !s.cfg.test_clock {
        return Err(not_found().await);
    }
    auth.may(Action::Administer)?;
    let at = body.now.with_timezone(&chrono::Utc);
    if !s.clock.set(at) {
        return Err(AppError::conflict(
            "clock_fixed",
            "此时钟不可设置 / this clock cannot be set",
        ));
    }
    s.sweeper.sweep().await?;
    Ok(Json(Health {
        status: "ok".into(),
        database: s.db.kind().into(),
        now: to_cst(s.clock.now()),
    }))
}

pub(crate) fn created<T: serde::Serialize>(body: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(body))
}

/// Parse `YYYY-MM` into the China-time instants `[start, end)` of that month.
pub(crate) fn month_range(month: &str) -> AppResult<(i64, i64)> {
    use chrono::{NaiveDate, TimeZone};
    let bad = || super::extract::bad_param("month", "应为 YYYY-MM / expected YYYY-MM");
    let (y, m) = month.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let (y, m): (i32, u32) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    let start = NaiveDate::from_ymd_opt(y, m, 1).ok_or_else(bad)?;
    let end = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    }
    .ok_or_else(bad)?;
    let at = |d: NaiveDate| {
        crate::domain::cst()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .single()
            .expect("fixed offset")
            .timestamp_millis()
    };
    Ok((at(start), at(end)))
}
