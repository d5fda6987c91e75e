//! Question and dispute threads.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::db::disputes as store;
use crate::db::rows::DisputeRow;
use crate::domain::{Action, policy, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use crate::server::redact::Redactor;

use super::deliveries::visible_delivery;
use super::listing::{cut_page, decode_cursor, encode_cursor, own_scope, take_limit};
use utoipa_axum::{router::OpenApiRouter, routes};

/// This resource's routes, each with its OpenAPI path (one list for both).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(open_dispute))
        .routes(routes!(list_disputes))
        .routes(routes!(get_dispute))
        .routes(routes!(reply_dispute))
        .routes(routes!(resolve_dispute))
}

/// Raise a question or dispute on a delivery, within its feedback window (1 working day).
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/feedback", tag = "disputes", params(("id" = i64, Path)), request_body = NewMessage,
    responses((status = 201, body = Dispute), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn open_dispute(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewMessage>,
) -> AppResult<(StatusCode, Json<Dispute>)> {
    let row = visible_delivery(&s, &auth, id).await?;
    policy::check(&auth.0, Action::RaiseFeedback, row.audience())?;
    let text = validate::text("body", &body.body, 5000)?;
    let now = s.clock.now();
    if to_millis(now) >= row.feedback_deadline {
        return Err(AppError::conflict(
            "feedback_window_closed",
            "反馈时限（1个工作日）已过 / the 1-working-day feedback window has closed",
        ));
    }
    let due = s.calendar().deadline(now, 1).map_err(AppError::internal)?;
    let dispute = store::open(
        &s.db,
        &auth.0,
        &row,
        &text,
        to_millis(now),
        to_millis(due.utc()),
        due.provisional,
    )
    .await?;
    Ok(super::created(shown(&s, &auth, dispute)))
}

/// A thread as the caller may see it: another department's people are named by department.
fn shown(s: &AppState, auth: &Auth, mut d: Dispute) -> Dispute {
    Redactor::new(s, &auth.0).dispute(&mut d);
    d
}

async fn visible_dispute(s: &AppState, auth: &Auth, id: i64) -> AppResult<DisputeRow> {
    store::get_row(&s.db, id)
        .await?
        .filter(|d| policy::may(&auth.0, Action::See, d.audience()))
        .ok_or_else(|| AppError::not_found("争议", "dispute"))
}

#[utoipa::path(get, path = "/api/v1/disputes", tag = "disputes",
    params(("status" = Option<String>, Query, description = "open | resolved"), ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "1–500, default 50"), ("cursor" = Option<String>, Query)),
    responses((status = 200, body = Page<Dispute>), (status = 400, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_disputes(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<Dispute>>> {
    let status = match q.take("status") {
        Some(v) if v == "open" || v == "resolved" => Some(v),
        Some(_) => {
            return Err(bad_param(
                "status",
                "应为 open 或 resolved / expected open or resolved",
            ));
        }
        None => None,
    };
    let limit = take_limit(&mut q)?;
    let after = q.take("cursor").map(|c| decode_cursor(&c)).transpose()?;
    q.finish()?;
    let dept = own_scope(&auth.0)?;
    let mut items = store::list(&s.db, dept, status.as_deref(), after, limit + 1).await?;
    let redact = Redactor::new(&s, &auth.0);
    items.iter_mut().for_each(|d| redact.dispute(d));
    let next_cursor = cut_page(&mut items, limit, |d| {
        encode_cursor(d.answer_due.timestamp_millis(), d.id)
    });
    Ok(Json(Page { items, next_cursor }))
}

#[utoipa::path(get, path = "/api/v1/disputes/{id}", tag = "disputes", params(("id" = i64, Path)),
    responses((status = 200, body = Dispute), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_dispute(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<Dispute>> {
    visible_dispute(&s, &auth, id).await?;
    let d = store::get(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("争议", "dispute"))?;
    Ok(Json(shown(&s, &auth, d)))
}

#[utoipa::path(post, path = "/api/v1/disputes/{id}/replies", tag = "disputes", params(("id" = i64, Path)), request_body = NewMessage,
    responses((status = 201, body = Dispute), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reply_dispute(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewMessage>,
) -> AppResult<(StatusCode, Json<Dispute>)> {
    let d = visible_dispute(&s, &auth, id).await?;
    policy::check(&auth.0, Action::Reply, d.audience())?;
    let text = validate::text("body", &body.body, 5000)?;
    let d = store::reply(&s.db, &auth.0, &d, &text, to_millis(s.clock.now())).await?;
    Ok(super::created(shown(&s, &auth, d)))
}

#[utoipa::path(post, path = "/api/v1/disputes/{id}/resolve", tag = "disputes", params(("id" = i64, Path)), request_body = ResolveDispute,
    responses((status = 200, body = Dispute), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn resolve_dispute(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<ResolveDispute>,
) -> AppResult<Json<Dispute>> {
    let d = visible_dispute(&s, &auth, id).await?;
    policy::check(&auth.0, Action::Resolve, d.audience())?;
    let resolution = body
        .resolution
        .as_deref()
        .map(|r| validate::text("resolution", r, 5000))
        .transpose()?;
    let d = store::resolve(
        &s.db,
        &auth.0,
        &d,
        resolution.as_deref(),
        to_millis(s.clock.now()),
    )
    .await?;
    Ok(Json(shown(&s, &auth, d)))
}
