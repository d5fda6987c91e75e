//! The monthly bulletin (每月通报, art. 7; issue 13): issue (and correct) a month, read an
//! issued version or the live draft, and export either as XLSX, CSV or Markdown.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::*;
use crate::db::bulletins::Month;
use crate::domain::{Action, Principal, from_millis, to_cst, to_millis};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Params, bad_param};

use super::month_range;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(issue_bulletin, list_bulletins))
        .routes(routes!(get_bulletin))
        .routes(routes!(monthly_report))
}

fn month(name: &str) -> AppResult<Month> {
    let (from, to) = month_range(name)?;
    Ok(Month {
        name: name.to_string(),
        from,
        to,
    })
}

/// The audit chain's head (record number and hash, docs/AUDIT.md), recorded in every
/// bulletin: a later rewrite of history is detectable against a bulletin already forwarded.
async fn chain_head(s: &AppState) -> AppResult<Option<ChainHead>> {
    let (record, hash) = crate::db::audit::head(&s.db).await?;
    Ok(Some(ChainHead { record, hash }))
}

/// The live figures of a month, as a bulletin that has not been issued (草稿).
async fn live(s: &AppState, m: &Month) -> AppResult<Bulletin> {
    let now = to_millis(s.clock.now());
    let head = chain_head(s).await?;
    let cal = s.calendar().clone();
    let contents =
        crate::db::bulletins::contents(&s.db, &cal, m, now, s.cfg.late_upload_working_days, head)
            .await?;
    Ok(Bulletin {
        month: m.name.clone(),
        issued: None,
        draft: true,
        contents,
    })
}

/// The department whose view of the bulletin this is (`None`: a role that sees all).
fn own_department(s: &AppState, p: &Principal) -> Option<String> {
    if p.sees_all() {
        return None;
    }
    Some(
        p.department_id
            .map(|id| s.db.dept_code(id))
            .unwrap_or_default(),
    )
}

/// `version`: a number, `live` for the live draft, or absent (the latest issued version, or
/// the live draft when none was issued).
enum Which {
    Latest,
    Version(i32),
    Live,
}

fn which(q: &mut Params) -> AppResult<Which> {
    match q.take("version").as_deref() {
        None => Ok(Which::Latest),
        Some("live") => Ok(Which::Live),
        Some(v) => v
            .parse::<i32>()
            .ok()
            .filter(|v| *v >= 1)
            .map(Which::Version)
            .ok_or_else(|| {
                bad_param(
                    "version",
                    "应为正整数或 live / expected a positive number or live",
                )
            }),
    }
}

async fn find(
    s: &AppState,
    auth: &Auth,
    m: &Month,
    w: Which,
    latest_or_live: bool,
) -> AppResult<Bulletin> {
    let b = match w {
        Which::Live => live(s, m).await?,
        Which::Version(v) => crate::db::bulletins::get(&s.db, &m.name, Some(v))
            .await?
            .ok_or_else(|| AppError::not_found("该版本的通报", "bulletin version"))?,
        Which::Latest => match crate::db::bulletins::get(&s.db, &m.name, None).await? {
            Some(b) => b,
            None if latest_or_live => live(s, m).await?,
            None => return Err(AppError::not_found("已发布的通报", "issued bulletin")),
        },
    };
    Ok(crate::bulletin::for_department(
        b,
        own_department(s, &auth.0).as_deref(),
    ))
}

/// Issue the bulletin of a month (duty officer, admin), or with `correction` a new version of
/// one already issued. Refused (409) before every deadline of the month has passed — the
/// message gives the instant it becomes possible — and when the month was already issued.
/// The figures are stored frozen; issuing is a `bulletin.issued` event and an audit line.
#[utoipa::path(post, path = "/api/v1/bulletins", tag = "bulletins", request_body = NewBulletin,
    responses((status = 201, body = BulletinIssued), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn issue_bulletin(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewBulletin>,
) -> AppResult<(StatusCode, Json<BulletinIssued>)> {
    auth.may(Action::IssueBulletin)?;
    let m = month(&body.month)
        .map_err(|_| AppError::invalid("month", "应为 YYYY-MM / expected YYYY-MM"))?;
    let reason = match &body.correction {
        None => None,
        Some(c) => {
            let r = c.reason.trim();
            if r.is_empty() || r.chars().count() > 2000 {
                return Err(AppError::invalid(
                    "correction.reason",
                    "更正理由必填，最多 2000 字 / a correction needs a reason of 1–2000 characters",
                ));
            }
            Some(r.to_string())
        }
    };
    let now = to_millis(s.clock.now());
    let ready = crate::db::bulletins::last_deadline(&s.db, &m).await?;
    if now < ready {
        let at = to_cst(from_millis(ready)).format("%Y-%m-%d %H:%M");
        return Err(AppError::conflict(
            "bulletin_too_early",
            format!(
                "{} 尚有期限未届满，{at} 起方可发布 / not every deadline of {} has passed: it can be issued from {at} (+08:00)",
                m.name, m.name
            ),
        ));
    }
    // Every deadline has passed, but the sweeper may not have run since the last one: sweep
    // first, so that the month's auto-claims and their ledger records are in what is frozen.
    s.sweeper.sweep().await?;
    let contents = live(&s, &m).await?.contents;
    let issued = crate::db::bulletins::issue(&s.db, &auth.0, contents, reason, now).await?;
    Ok(super::created(issued))
}

/// The issued versions (all months, or one with `month`), oldest first.
#[utoipa::path(get, path = "/api/v1/bulletins", tag = "bulletins",
    params(("month" = Option<String>, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", description = "YYYY-MM")),
    responses((status = 200, body = Vec<BulletinIssued>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_bulletins(
    State(s): State<AppState>,
    _auth: Auth,
    mut q: Params,
) -> AppResult<Json<Vec<BulletinIssued>>> {
    let m = q.take("month");
    q.finish()?;
    if let Some(m) = &m {
        month_range(m)?;
    }
    Ok(Json(
        crate::db::bulletins::versions(&s.db, m.as_deref()).await?,
    ))
}

/// A month's bulletin: the latest issued version, `?version=N`, or `?version=live` for the live
/// draft beside it. Every role reads every department's line; of the ledger and the late
/// uploads a department reads only its own records.
#[utoipa::path(get, path = "/api/v1/bulletins/{month}", tag = "bulletins",
    params(("month" = String, Path, description = "YYYY-MM"),
        ("version" = Option<String>, Query, description = "a version number, or `live`")),
    responses((status = 200, body = Bulletin), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_bulletin(
    State(s): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    mut q: Params,
) -> AppResult<Json<Bulletin>> {
    let w = which(&mut q)?;
    q.finish()?;
    let m = month(&name)?;
    Ok(Json(find(&s, &auth, &m, w, false).await?))
}

/// The bulletin as a file: `format=xlsx|csv|md`; `version` as for `GET /api/v1/bulletins/{month}`
/// (absent: the latest issued version, or the live draft — marked "草稿 / draft" — when none
/// was issued). A department's export holds only what it may read.
#[utoipa::path(get, path = "/api/v1/reports/monthly", tag = "bulletins",
    params(("month" = String, Query, pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$", description = "YYYY-MM"),
        ("format" = String, Query, description = "xlsx, csv or md"),
        ("version" = Option<String>, Query, description = "a version number, or `live`")),
    responses((status = 200, description = "The file (Content-Disposition names it)", content_type = "application/octet-stream"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn monthly_report(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Response> {
    let name = q.require("month")?;
    let format: ReportFormat = q
        .take_parsed("format", "应为 xlsx、csv 或 md / expected xlsx, csv or md")?
        .ok_or_else(|| bad_param("format", "必填 / required"))?;
    let w = which(&mut q)?;
    q.finish()?;
    let m = month(&name)?;
    let b = find(&s, &auth, &m, w, true).await?;
    let file = crate::bulletin::file_name(&b, format);
    // Rendering a large month's workbook is CPU work: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || crate::bulletin::export(&b, format))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
