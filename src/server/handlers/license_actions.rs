//! Licence-action letters (函告, art. 7(2)3): filed by a department that supervises the
//! licence (multipart: the JSON part `request` and file parts `evidence`), decided by the
//! issuing bureau. A letter is seen by its requester, the bureau, the departments its decision
//! was pushed to, and the roles that see all; anyone else is told it does not exist — and so
//! never sees its evidence.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::api::*;
use crate::db::license_actions::{self as store, ActionFilter, Decision, LoadedAction, NewAction};
use crate::domain::{Action, Audience, policy, to_cst, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::license_action_upload;
use super::listing::{cut_page, decode_cursor, encode_cursor, own_scope, take_limit};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        // The evidence files are limited one by one (`--evidence-max-bytes`) while the body
        // is read, not by the JSON endpoints' body limit.
        .routes(routes!(create_license_action, list_license_actions))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .routes(routes!(get_license_action))
        .routes(routes!(get_license_action_evidence))
        .routes(routes!(decide_license_action))
}

async fn visible(s: &AppState, auth: &Auth, id: i64) -> AppResult<LoadedAction> {
    store::get(&s.db, id)
        .await?
        .filter(|a| policy::may(&auth.0, Action::See, a.audience_for(auth.0.department_id)))
        .ok_or_else(|| AppError::not_found("函告", "licence-action letter"))
}

/// The multipart body, as documented.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct LicenseActionUpload {
    /// `NewLicenseAction` as JSON.
    request: NewLicenseAction,
    /// Evidence files: PDF, JPEG, PNG, OFD, DOC or DOCX, each at most `--evidence-max-bytes`.
    #[schema(value_type = Vec<String>, format = Binary)]
    evidence: Vec<Vec<u8>>,
}

fn opt_text(field: &str, v: &Option<String>, max: usize) -> AppResult<Option<String>> {
    Ok(v.as_ref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| validate::text(field, t, max))
        .transpose()?)
}

/// File a letter asking the issuing bureau to change, withdraw, revoke or cancel a licence
/// the caller's department supervises. The bureau owes its decision within
/// `--license-action-working-days` (a `license_action_decision` duty).
#[utoipa::path(post, path = "/api/v1/license-actions", tag = "licenses",
    request_body(content = LicenseActionUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = LicenseAction),
              (status = 400, description = "Not multipart, or truncated / malformed", body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "The licence is already withdrawn, revoked, cancelled or expired (`license_ended`), or the department has a pending letter of this kind for it (`letter_pending`)", body = ErrorBody),
              (status = 413, description = "An evidence file over the limit (`error.field` names the part)", body = ErrorBody),
              (status = 415, description = "An evidence file of a type not accepted", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_license_action(
    State(s): State<AppState>,
    auth: Auth,
    req: Request,
) -> AppResult<(StatusCode, Json<LicenseAction>)> {
    let (r, files) = license_action_upload::read(req, s.cfg.evidence_max_bytes).await?;
    let license_no = validate::text("request.license_no", &r.license_no, 100)?;
    let decision_no = opt_text("request.basis.decision_no", &r.basis.decision_no, 100)?;
    let facts = opt_text("request.basis.facts", &r.basis.facts, 4000)?;
    let reason = opt_text("request.reason", &r.reason, 4000)?;
    let now = to_millis(s.clock.now());
    let today = to_cst(s.clock.now()).date_naive();
    if decision_no.is_none() && facts.is_none() {
        return Err(AppError::invalid(
            "request.basis",
            "须写明所依据的处罚决定（文号、日期）或事实 / name the penalty decision (number, date) or the facts",
        ));
    }
    if decision_no.is_some() && r.basis.decision_date.is_none() {
        return Err(AppError::invalid(
            "request.basis.decision_date",
            "写明处罚决定文号时须写明其日期 / required with the decision number",
        ));
    }
    if r.basis.decision_date.is_some_and(|d| d > today) {
        return Err(AppError::invalid(
            "request.basis.decision_date",
            "不能晚于今天 / must not be after today",
        ));
    }
    let (row, depts) = crate::db::licenses::get(&s.db, &license_no)
        .await?
        .ok_or_else(|| AppError::not_found("许可证", "licence"))?;
    let p = &auth.0;
    let audience = match p.department_id {
        Some(d) if depts.contains(&d) => Audience::Between {
            recipient: d,
            sender: row.approval_department_id,
        },
        _ => Audience::Between {
            recipient: row.approval_department_id,
            sender: row.approval_department_id,
        },
    };
    // A licence the department does not supervise is not there for it (404); the bureau and
    // the roles that see all see it but may not file (403).
    policy::check(p, Action::FileLicenseAction, audience)?;
    let requester = p.department_id.ok_or_else(AppError::forbidden_role)?;
    let n = s.cfg.license_action_working_days;
    let (due, provisional) = s.due_after(now, n)?;
    let claim = s.due_after(now, 1)?;
    let a = NewAction {
        license_no,
        action: r.action,
        basis: LicenseActionBasis {
            decision_no,
            decision_date: r.basis.decision_date,
            facts,
        },
        reason,
        requester,
        files,
        due: (n, due, provisional),
        claim,
    };
    let created = store::create(&s.db, a, &p.name, now).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Letters newest first: those the caller's department filed, decides, or received the
/// decision of; roles that see all see every one.
#[utoipa::path(get, path = "/api/v1/license-actions", tag = "licenses",
    params(("state" = Option<String>, Query, description = "pending, accepted or rejected"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "1–500, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<LicenseAction>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_license_actions(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<LicenseAction>>> {
    let state = q
        .take("state")
        .map(|v| {
            LicenseActionState::parse(v.trim()).ok_or_else(|| {
                bad_param(
                    "state",
                    "应为 pending、accepted 或 rejected / expected pending, accepted or rejected",
                )
            })
        })
        .transpose()?;
    let limit = take_limit(&mut q)?;
    let before = q
        .take("cursor")
        .map(|c| decode_cursor(&c))
        .transpose()?
        .map(|(id, _)| id);
    q.finish()?;
    let p = &auth.0;
    let department = own_scope(p)?;
    let mut items: Vec<LicenseAction> = store::list(
        &s.db,
        &ActionFilter {
            department,
            state,
            before,
            limit: limit + 1,
        },
    )
    .await?
    .into_iter()
    .map(|a| a.action)
    .collect();
    let next_cursor = cut_page(&mut items, limit, |a| encode_cursor(a.id, 0));
    Ok(Json(Page { items, next_cursor }))
}

/// One letter with its evidence's metadata and, once decided, the decision.
#[utoipa::path(get, path = "/api/v1/license-actions/{id}", tag = "licenses", params(("id" = i64, Path)),
    responses((status = 200, body = LicenseAction), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_license_action(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<LicenseAction>> {
    Ok(Json(visible(&s, &auth, id).await?.action))
}

/// An evidence file's bytes, with its media type and a Content-Disposition naming it.
#[utoipa::path(get, path = "/api/v1/license-actions/{id}/evidence/{file_id}", tag = "licenses",
    params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, description = "The file (Content-Type its media type, Content-Disposition its name)", content_type = "application/octet-stream"),
              (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_license_action_evidence(
    State(s): State<AppState>,
    auth: Auth,
    Path((id, file_id)): Path<(String, String)>,
) -> AppResult<Response> {
    // An id that is not a positive integer names no record: 404, as for every path id.
    let parse = |v: &str| {
        v.parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| AppError::not_found("证据文件", "evidence file"))
    };
    let (id, file_id) = (parse(&id)?, parse(&file_id)?);
    visible(&s, &auth, id).await?;
    let (name, media_type, bytes) = store::evidence(&s.db, id, file_id)
        .await?
        .ok_or_else(|| AppError::not_found("证据文件", "evidence file"))?;
    Ok((
        [
            (header::CONTENT_TYPE, media_type),
            (header::CONTENT_DISPOSITION, disposition(&name)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987).
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The bureau's decision: `accept` (decision_no, decision_date, effective_date) changes the
/// licence's state; `reject` (reasons) leaves it. Either is pushed back as a delivery — to the
/// requester and, for an accepted withdraw / revoke / cancel, to every department that
/// supervises the licence. Deciding twice is a 409.
#[utoipa::path(post, path = "/api/v1/license-actions/{id}/decision", tag = "licenses", params(("id" = i64, Path)),
    request_body = LicenseActionDecisionInput,
    responses((status = 200, body = LicenseAction), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, description = "Already decided, or the licence has ended meanwhile", body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn decide_license_action(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(b): ApiJson<LicenseActionDecisionInput>,
) -> AppResult<Json<LicenseAction>> {
    let a = visible(&s, &auth, id).await?;
    policy::check(
        &auth.0,
        Action::DecideLicenseAction,
        a.audience_for(auth.0.department_id),
    )?;
    let decision_no = opt_text("decision_no", &b.decision_no, 100)?;
    let reasons = opt_text("reasons", &b.reasons, 4000)?;
    if b.outcome == LicenseActionOutcome::Accept {
        if decision_no.is_none() {
            return Err(AppError::invalid(
                "decision_no",
                "同意时须写明决定文号 / required to accept",
            ));
        }
        let Some(dd) = b.decision_date else {
            return Err(AppError::invalid(
                "decision_date",
                "同意时须写明决定日期 / required to accept",
            ));
        };
        let Some(ed) = b.effective_date else {
            return Err(AppError::invalid(
                "effective_date",
                "同意时须写明生效日期 / required to accept",
            ));
        };
        if ed < dd {
            return Err(AppError::invalid(
                "effective_date",
                "生效日期不能早于决定日期 / must not be before the decision date",
            ));
        }
    } else if reasons.is_none() {
        return Err(AppError::invalid(
            "reasons",
            "不同意时须写明理由 / required to reject",
        ));
    }
    if a.action.state != LicenseActionState::Pending {
        return Err(AppError::conflict(
            "license_action_decided",
            "该函告已作出决定 / this licence-action letter has already been decided",
        ));
    }
    let now = to_millis(s.clock.now());
    // The decision is a delivery like any push: claimed within 1 working day.
    let (claim_deadline, provisional) = s.due_after(now, 1)?;
    let d = Decision {
        outcome: b.outcome,
        decision_no,
        decision_date: b.decision_date,
        effective_date: b.effective_date,
        reasons,
        claim_deadline,
        provisional,
    };
    Ok(Json(store::decide(&s.db, id, d, &auth.0.name, now).await?))
}
