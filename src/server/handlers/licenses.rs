//! The licence register and the holders' standing (issue 10 parts 1–2). Licences are written
//! by approval pushes (`db::pushes`), credit records by `credit_status` supervision pushes;
//! this module only reads them.

use axum::Json;
use axum::extract::{Path, State};

use crate::api::*;
use crate::db::credit;
use crate::db::licenses::{self as store, LicenseFilter, LicenseRow};
use crate::domain::{Action, Audience, Principal, policy, to_cst};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{Params, bad_param};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::listing::{cut_page, decode_cursor, encode_cursor, take_limit};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(list_licenses))
        .routes(routes!(get_license))
        .routes(routes!(get_counterparty))
        .routes(routes!(get_admission))
}

/// The server clock's China date: what `expired` and admission are judged on.
fn today(s: &AppState) -> chrono::NaiveDate {
    to_cst(s.clock.now()).date_naive()
}

/// Whether `p` reads the whole register (the bureau, supervisors, duty officers, admins).
fn reads_all(p: &Principal) -> bool {
    policy::may(p, Action::ReadRegister, Audience::Everyone)
}

/// Whether `p` may see a licence supervised by `departments` and issued by `bureau`: the
/// whole register, or `See` on the licence as one of its supervising departments has it.
fn may_see(p: &Principal, departments: &[i64], bureau: i64) -> bool {
    reads_all(p)
        || departments.iter().any(|d| {
            policy::may(
                p,
                Action::See,
                Audience::Between {
                    recipient: *d,
                    sender: bureau,
                },
            )
        })
}

/// A holder code from the path: trimmed, letters upper-case (as validation stores it).
fn holder_code(raw: &str) -> AppResult<String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 18 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad_param(
            "code",
            "应为统一社会信用代码或身份证号 / expected a credit code or an ID number",
        ));
    }
    Ok(code)
}

/// Licences newest first. A supervision department lists the licences it supervises; the
/// bureau, supervisors, duty officers and admins list all.
#[utoipa::path(get, path = "/api/v1/licenses", tag = "licenses",
    params(("holder" = Option<String>, Query, description = "holder code (统一社会信用代码 / 身份证号)"),
           ("state" = Option<String>, Query, description = "active, changed, withdrawn, revoked, cancelled or expired (judged on the server's date)"),
           ("q" = Option<String>, Query, description = "a part of the number, the holder's code or name, or the item"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "1–500, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<License>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_licenses(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<License>>> {
    let holder = q.take("holder").map(|h| holder_code(&h)).transpose()?;
    let state = match q.take("state") {
        None => None,
        Some(v) => Some(LicenseState::parse(v.trim()).ok_or_else(|| {
            bad_param(
                "state",
                "应为 active、changed、withdrawn、revoked、cancelled 或 expired / expected active, changed, withdrawn, revoked, cancelled or expired",
            )
        })?),
    };
    let text = q
        .take("q")
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 100) {
        return Err(bad_param("q", "最多 100 个字符 / at most 100 characters"));
    }
    let limit = take_limit(&mut q)?;
    let after = q
        .take("cursor")
        .map(|c| decode_cursor(&c))
        .transpose()?
        .map(|(_, id)| id);
    q.finish()?;
    let p = &auth.0;
    let department = if reads_all(p) {
        None
    } else {
        Some(
            p.department_id
                .ok_or_else(|| AppError::not_found("许可证", "licence"))?,
        )
    };
    let today = today(&s);
    let mut rows = store::list(
        &s.db,
        &LicenseFilter {
            department,
            holder,
            state,
            q: text,
            today,
            after,
            limit: limit + 1,
        },
    )
    .await?;
    let next_cursor = cut_page(&mut rows, limit, |(r, _)| encode_cursor(0, r.id));
    let items = rows
        .iter()
        .map(|(r, d)| r.to_api(&s.db, d, today))
        .collect::<Result<_, _>>()?;
    Ok(Json(Page { items, next_cursor }))
}

/// One licence with its history; a licence the caller's department does not supervise is
/// "not found".
#[utoipa::path(get, path = "/api/v1/licenses/{no}", tag = "licenses", params(("no" = String, Path)),
    responses((status = 200, body = License), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_license(
    State(s): State<AppState>,
    auth: Auth,
    Path(no): Path<String>,
) -> AppResult<Json<License>> {
    let (row, depts) = store::get(&s.db, no.trim())
        .await?
        .filter(|(r, d)| may_see(&auth.0, d, r.approval_department_id))
        .ok_or_else(|| AppError::not_found("许可证", "licence"))?;
    let mut l = row.to_api(&s.db, &depts, today(&s))?;
    l.history = Some(store::history(&s.db, row.id).await?);
    crate::server::redact::Redactor::new(&s, &auth.0).license(&mut l);
    Ok(Json(l))
}

/// The holder's licences the caller may see; `None` when the caller may see nothing of the
/// holder (a supervision department that supervises none of its licences).
async fn visible_licenses(
    s: &AppState,
    p: &Principal,
    code: &str,
) -> AppResult<Option<Vec<(LicenseRow, Vec<i64>)>>> {
    let all = store::of_holder(&s.db, code).await?;
    if reads_all(p) {
        return Ok(Some(all));
    }
    let mine: Vec<_> = all
        .into_iter()
        .filter(|(r, d)| may_see(p, d, r.approval_department_id))
        .collect();
    Ok((!mine.is_empty()).then_some(mine))
}

/// A holder: its admission on the server's date with the reasons, its credit records and
/// penalties with their sources, and its licences. A supervision department sees a holder
/// only if it supervises one of its licences (and then only those licences); others 404.
#[utoipa::path(get, path = "/api/v1/counterparties/{code}", tag = "licenses",
    params(("code" = String, Path, description = "统一社会信用代码 or 身份证号")),
    responses((status = 200, body = CounterpartyView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_counterparty(
    State(s): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Json<CounterpartyView>> {
    let code = holder_code(&code)?;
    let nf = || AppError::not_found("行政相对人", "counterparty");
    let licenses = visible_licenses(&s, &auth.0, &code).await?.ok_or_else(nf)?;
    let name = credit::holder_name(&s.db, &code).await?.ok_or_else(nf)?;
    let today = today(&s);
    let rows = credit::records(&s.db, &code).await?;
    let (admission, reasons) = crate::domain::admission::standing(&credit::listings(&rows)?, today);
    Ok(Json(CounterpartyView {
        code: code.clone(),
        name,
        admission,
        reasons,
        credit: credit::to_api(&s.db, &rows, today)?,
        penalties: credit::penalties(&s.db, &code).await?,
        licenses: licenses
            .iter()
            .map(|(r, d)| r.to_api(&s.db, d, today))
            .collect::<Result<_, _>>()?,
    }))
}

/// The admission regime for a holder now (art. 7(2)1), for the bureau's window staff while
/// an application is handled: `strict` (a dishonest listing in force), `restricted` (an
/// abnormal-operation listing in force) or `normal`, with the listings as reasons. A holder
/// the register does not know is `normal`. A supervision department asks only about holders
/// whose licences it supervises (others 404).
#[utoipa::path(get, path = "/api/v1/counterparties/{code}/admission", tag = "licenses",
    params(("code" = String, Path, description = "统一社会信用代码 or 身份证号")),
    responses((status = 200, body = AdmissionAnswer), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_admission(
    State(s): State<AppState>,
    auth: Auth,
    Path(code): Path<String>,
) -> AppResult<Json<AdmissionAnswer>> {
    let code = holder_code(&code)?;
    let p = &auth.0;
    if !reads_all(p) {
        let dept = p
            .department_id
            .ok_or_else(|| AppError::not_found("行政相对人", "counterparty"))?;
        if store::supervised_by(&s.db, &code, dept).await?.is_none() {
            return Err(AppError::not_found("行政相对人", "counterparty"));
        }
    }
    Ok(Json(credit::admission(&s.db, &code, today(&s)).await?))
}
