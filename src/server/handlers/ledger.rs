//! Annotations on the accountability ledger (arts. 14–15; issue 13 part 4).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::*;
use crate::domain::{Action, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::AppResult;
use crate::server::extract::{ApiJson, Id};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default().routes(routes!(annotate_accountability))
}

/// Annotate a ledger record (e.g. `justified`: a documented system outage). The record itself
/// never changes; the annotation is shown with it, audited, and never deleted. Duty officers
/// and admins; `text` is required.
#[utoipa::path(post, path = "/api/v1/accountability/{id}/annotations", tag = "reports", params(("id" = i64, Path)), request_body = NewAnnotation,
    responses((status = 201, body = Annotation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn annotate_accountability(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewAnnotation>,
) -> AppResult<(StatusCode, Json<Annotation>)> {
    auth.may(Action::AnnotateLedger)?;
    let text = validate::text("text", &body.text, 2000)?;
    let now = to_millis(s.clock.now());
    let a = crate::db::ledger::annotate(&s.db, &auth.0, id, body.decision, text, now).await?;
    Ok((StatusCode::CREATED, Json(a)))
}
