//! Deliveries: the queue, the detail view, claims (art. 7(1)1) and escalation (督办).

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;

use crate::api::*;
use crate::db::deliveries::{self as store, Direction, ListFilter};
use crate::db::rows::DeliveryRow;
use crate::domain::{Action, policy, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use crate::server::redact::Redactor;

use super::listing::{cut_page, decode_cursor, encode_cursor, scoped_department, take_limit};
use utoipa_axum::{router::OpenApiRouter, routes};

/// This resource's routes, each with its OpenAPI path (one list for both).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_deliveries))
        .routes(routes!(get_delivery))
        .routes(routes!(claim_delivery))
        .routes(routes!(escalate_delivery))
}

/// The delivery if the caller may see it; another department's is "not found".
pub(crate) async fn visible_delivery(s: &AppState, auth: &Auth, id: i64) -> AppResult<DeliveryRow> {
    store::get(&s.db, id)
        .await?
        .filter(|d| policy::may(&auth.0, Action::See, d.audience()))
        .ok_or_else(|| AppError::not_found("推送", "delivery"))
}

/// The queue, soonest claim deadline first; cursor-paged (keyset, fast at any depth).
#[utoipa::path(get, path = "/api/v1/deliveries", tag = "deliveries",
    params(("status" = Option<String>, Query, description = "pending | claimed | auto_claimed"),
           ("direction" = Option<String>, Query, description = "incoming (default) | outgoing"),
           ("department" = Option<String>, Query, description = "department code (roles that see all)"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "1–500, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<Delivery>), (status = 400, body = ErrorBody),
              (status = 404, description = "No such department, or not the caller's", body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_deliveries(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<Delivery>>> {
    let status = match q.take("status") {
        Some(v) => Some(
            DeliveryStatus::parse(&v)
                .ok_or_else(|| bad_param("status", "应为 pending、claimed 或 auto_claimed"))?,
        ),
        None => None,
    };
    let direction = match q.take("direction").as_deref() {
        None | Some("incoming") => Direction::Incoming,
        Some("outgoing") => Direction::Outgoing,
        Some(_) => {
            return Err(bad_param(
                "direction",
                "应为 incoming 或 outgoing / expected incoming or outgoing",
            ));
        }
    };
    let department = q.take("department");
    let limit = take_limit(&mut q)?;
    let after = q.take("cursor").map(|c| decode_cursor(&c)).transpose()?;
    q.finish()?;
    let p = &auth.0;
    let dept = scoped_department(&s, p, department).await?;
    let rows = store::list(
        &s.db,
        &ListFilter {
            status,
            department: dept.map(|d| (d, direction)),
            after,
            limit: limit + 1,
        },
    )
    .await?;
    let mut page = page(&s, rows, limit);
    let redact = Redactor::new(&s, p);
    page.items.iter_mut().for_each(|d| redact.delivery(d));
    Ok(Json(page))
}

fn page(s: &AppState, mut rows: Vec<DeliveryRow>, limit: i64) -> Page<Delivery> {
    let next_cursor = cut_page(&mut rows, limit, |r| encode_cursor(r.claim_deadline, r.id));
    Page {
        items: rows.iter().map(|r| r.to_api(&s.db)).collect(),
        next_cursor,
    }
}

/// One delivery with its push, threads, escalations and history.
#[utoipa::path(get, path = "/api/v1/deliveries/{id}", tag = "deliveries", params(("id" = i64, Path)),
    responses((status = 200, body = DeliveryDetail), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_delivery(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<DeliveryDetail>> {
    let row = visible_delivery(&s, &auth, id).await?;
    let push = crate::db::pushes::get(&s.db, row.push_id)
        .await?
        .ok_or_else(|| AppError::not_found("推送", "push"))?;
    let mut detail = DeliveryDetail {
        delivery: row.to_api(&s.db),
        push,
        disputes: crate::db::disputes::for_delivery(&s.db, id).await?,
        escalations: store::escalations(&s.db, id).await?,
        history: crate::db::reports::history(&s.db, id).await?,
    };
    Redactor::new(&s, &auth.0)
        .with_people(&s, Redactor::names_in(&detail))
        .await?
        .detail(&mut detail);
    Ok(Json(detail))
}

/// Claim (认领) before the deadline. At or after the deadline it is too late: the sweeper
/// auto-claims it and the department is held to account.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/claim", tag = "deliveries", params(("id" = i64, Path)),
    responses((status = 200, body = Delivery), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn claim_delivery(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<Delivery>> {
    let row = visible_delivery(&s, &auth, id).await?;
    policy::check(&auth.0, Action::Claim, row.audience())?;
    let row = store::claim(&s.db, &auth.0, row, to_millis(s.clock.now())).await?;
    s.metrics.claims.fetch_add(1, Ordering::Relaxed);
    Ok(Json(row.to_api(&s.db)))
}

/// Escalate (督办): supervisors on any delivery; staff of either side escalate upward.
#[utoipa::path(post, path = "/api/v1/deliveries/{id}/escalate", tag = "deliveries", params(("id" = i64, Path)), request_body = NewEscalation,
    responses((status = 201, body = Escalation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn escalate_delivery(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewEscalation>,
) -> AppResult<(axum::http::StatusCode, Json<Escalation>)> {
    let row = visible_delivery(&s, &auth, id).await?;
    let p = &auth.0;
    policy::check(p, Action::Escalate, row.audience())?;
    let reason = validate::text("reason", &body.reason, 2000)?;
    let esc = store::escalate(&s.db, p, &row, &reason, to_millis(s.clock.now())).await?;
    Ok(super::created(esc))
}
