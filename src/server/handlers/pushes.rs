//! Approval pushes (art. 7(1)) and supervision pushes (art. 7(2)1–2).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::atomic::Ordering;

use crate::api::*;
use crate::db::pushes::{self as store, IdempotencyKey, PushInsert, PushOutcome};
use crate::db::verifications::{BreachInsert, CommitmentInsert, NewVerification};
use crate::domain::{to_cst, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::{Auth, secret_hash};
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{Id, JsonBytes, parse_json};
use utoipa_axum::{router::OpenApiRouter, routes};

/// This resource's routes, each with its OpenAPI path (one list for both).
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(create_approval_push))
        .routes(routes!(create_supervision_push))
        .routes(routes!(get_push))
}

/// Push approval information to supervision departments. Honours `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/approval-pushes", tag = "pushes", request_body = NewApprovalPush,
    params(("Idempotency-Key" = Option<String>, Header, description = "Same key and body: the original answer; same key, other body: 422")),
    responses((status = 201, body = Push), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_approval_push(
    State(s): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> AppResult<Response> {
    let Incoming {
        source,
        idem,
        raw,
        now,
    } = incoming::<NewApprovalPush>(&s, &auth, DepartmentKind::Approval, &headers, &body)?;
    let push = validate::approval_push(&raw, to_cst(now).date_naive())?;
    let mut recipients = Vec::with_capacity(push.recipients.len());
    for (i, code) in push.recipients.iter().enumerate() {
        match s.db.department_id(code).await? {
            Some((id, d)) if d.kind == DepartmentKind::Supervision => recipients.push(id),
            Some(_) => {
                return Err(AppError::invalid(
                    format!("recipients[{i}]"),
                    format!("{code} 不是监管部门 / {code} is not a supervision department"),
                ));
            }
            None => {
                return Err(AppError::invalid(
                    format!("recipients[{i}]"),
                    format!("没有部门 {code} / unknown department {code}"),
                ));
            }
        }
    }
    let commitment = match push.catalogue_item_id {
        Some(item) => Some(commitment(&s, item, push.commitment_letter.as_ref(), now).await?),
        None => None,
    };
    let dl = deadlines(&s, now)?;
    // Uploaded after its deadline (docs/STATISTICS.md "late uploads"): a ledger record
    // against the bureau, written with the push. Acting at the deadline instant is late.
    let late_upload = match s.cfg.late_upload_working_days {
        0 => None,
        n => crate::bulletin::upload_due(&s.calendar(), push.license_date, n)
            .map(|due| due.timestamp_millis())
            .filter(|due| dl.received_at >= *due),
    };
    let insert = PushInsert {
        kind: PushKind::Approval,
        late_upload,
        source_department_id: source,
        title: push.item_name.clone(),
        counterparty_name: Some(push.counterparty.name.clone()),
        license_no: Some(push.license_no.clone()),
        important: push.important,
        content: PushContent::Approval(push),
        recipients,
        received_at: dl.received_at,
        claim_deadline: dl.claim,
        feedback_deadline: dl.feedback,
        provisional: dl.provisional,
        commitment,
        breach: None,
    };
    finish(&s, &auth, insert, idem.as_ref()).await
}

/// Working days after the committed compliance date within which the bureau verifies (art. 8).
pub const VERIFICATION_WORKING_DAYS: u32 = 10;

/// A notify-and-commit push's catalogue item (its current version) and, for a
/// post-verification item, the verification task due 10 working days after the compliance
/// date — counted from the start of that date, the origin a calendar import re-derives from.
async fn commitment(
    s: &AppState,
    item: i64,
    letter: Option<&CommitmentLetter>,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<CommitmentInsert> {
    use chrono::TimeZone;
    let (version, mode) = crate::db::catalogue::current(&s.db, item)
        .await?
        .ok_or_else(|| {
            AppError::invalid(
                "catalogue_item_id",
                format!("信用审批目录中没有事项 {item} / no catalogue item {item}"),
            )
        })?;
    let field = "commitment_letter.compliance_date";
    let verification = match (mode, letter.and_then(|l| l.compliance_date)) {
        (VerificationMode::Exempt, None) => None,
        (VerificationMode::Exempt, Some(_)) => {
            return Err(AppError::invalid(
                field,
                "该事项免于核查，不填写承诺达标日期 / this catalogue item is exempt from verification: no compliance date",
            ));
        }
        (VerificationMode::PostVerification, None) => {
            return Err(AppError::invalid(
                field,
                "该事项须事后核查，须填写承诺达标日期 / required: this catalogue item is verified after the committed compliance date",
            ));
        }
        (VerificationMode::PostVerification, Some(d)) => {
            if d > to_cst(now).date_naive() + chrono::Days::new(731) {
                return Err(AppError::invalid(
                    field,
                    "承诺达标日期不能晚于两年之后 / the compliance date must be within two years",
                ));
            }
            let start = crate::domain::cst()
                .from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .single()
                .expect("a fixed offset has no gaps");
            let origin_at = to_millis(start.with_timezone(&chrono::Utc));
            let (due_at, provisional) =
                s.due_after(origin_at, VERIFICATION_WORKING_DAYS)
                    .map_err(|_| {
                        AppError::invalid(
                            field,
                            "日期超出日历范围 / date out of the calendar's range",
                        )
                    })?;
            Some(NewVerification {
                compliance_date: d,
                origin_at,
                working_days: VERIFICATION_WORKING_DAYS,
                due_at,
                provisional,
            })
        }
    };
    Ok(CommitmentInsert {
        catalogue_item_id: item,
        catalogue_version: version,
        verification,
    })
}

/// A supervision push reporting a broken commitment or false materials: the verification
/// task of the licence it revokes. The reporting department must supervise the licence; a
/// licence without a task (or not the department's) is a 422, an already revoked one a 409.
async fn breach(
    s: &AppState,
    source: i64,
    push: &NewSupervisionPush,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<BreachInsert>> {
    let (Some(reason), Some(license)) = (push.commitment_breach, push.related_license_no.as_ref())
    else {
        return Ok(None);
    };
    let none = || {
        AppError::invalid(
            "related_license_no",
            format!(
                "本部门监管的许可中没有 {license} 的信用审批核验任务 / no verification task for licence {license} that your department supervises"
            ),
        )
    };
    let (task, any) = crate::db::verifications::for_license(&s.db, license).await?;
    let Some(task) = task else {
        return Err(if any {
            crate::db::verifications::already_revoked().into()
        } else {
            none()
        });
    };
    let t = crate::db::verifications::get(&s.db, task)
        .await?
        .ok_or_else(none)?;
    if !t.supervising.contains(&source) {
        return Err(none());
    }
    Ok(Some(BreachInsert {
        task_id: task,
        reason,
        plan: super::verifications::revocation_plan(s, to_millis(now))?,
    }))
}

/// Push supervision information to the approval bureau.
#[utoipa::path(post, path = "/api/v1/supervision-pushes", tag = "pushes", request_body = NewSupervisionPush,
    params(("Idempotency-Key" = Option<String>, Header, description = "As for approval pushes")),
    responses((status = 201, body = Push), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn create_supervision_push(
    State(s): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    JsonBytes(body): JsonBytes,
) -> AppResult<Response> {
    let Incoming {
        source,
        idem,
        raw,
        now,
    } = incoming::<NewSupervisionPush>(&s, &auth, DepartmentKind::Supervision, &headers, &body)?;
    let push = validate::supervision_push(&raw, to_cst(now).date_naive())?;
    if push.category == SupervisionCategory::CreditStatus {
        may_file_credit(&s, &auth, source, &push).await?;
    }
    let recipients: Vec<i64> =
        s.db.departments()
            .into_iter()
            .filter(|(_, d)| d.kind == DepartmentKind::Approval)
            .map(|(id, _)| id)
            .collect();
    if recipients.is_empty() {
        return Err(AppError::conflict(
            "no_approval_department",
            "尚未设置行政审批部门 / no approval department is configured",
        ));
    }
    let breach = breach(&s, source, &push, now).await?;
    let dl = deadlines(&s, now)?;
    let insert = PushInsert {
        kind: PushKind::Supervision,
        late_upload: None,
        source_department_id: source,
        title: push.title.clone(),
        counterparty_name: push.counterparty.as_ref().map(|c| c.name.clone()),
        license_no: push.related_license_no.clone(),
        important: push.important,
        content: PushContent::Supervision(push),
        recipients,
        received_at: dl.received_at,
        claim_deadline: dl.claim,
        feedback_deadline: dl.feedback,
        provisional: dl.provisional,
        commitment: None,
        breach,
    };
    finish(&s, &auth, insert, idem.as_ref()).await
}

/// Only a department that supervises a licence of the holder files its credit status
/// (art. 7(2)1): otherwise 403 — the same answer whether the holder has licences elsewhere
/// or none, so it reveals nothing of other departments' records.
async fn may_file_credit(
    s: &AppState,
    auth: &Auth,
    source: i64,
    push: &NewSupervisionPush,
) -> AppResult<()> {
    let code = push
        .counterparty
        .as_ref()
        .and_then(crate::db::credit::holder_code)
        .unwrap_or_default();
    let bureau = crate::db::licenses::supervised_by(&s.db, &code, source).await?;
    let refused = || {
        AppError::Forbidden(
            "只有监管该行政相对人许可证的部门可以推送其信用状态 / only a department that supervises a licence of this holder may push its credit status"
                .into(),
        )
    };
    let bureau = bureau.ok_or_else(refused)?;
    let licence = crate::domain::Audience::Between {
        recipient: source,
        sender: bureau,
    };
    crate::domain::policy::check(&auth.0, crate::domain::Action::FileCreditStatus, licence)
        .map_err(|_| refused())
}

/// What both kinds of push begin with, checked in this order: the sender is staff of a
/// department of `kind`, the Idempotency-Key is well-formed, the body parses.
struct Incoming<T> {
    source: i64,
    idem: Option<IdempotencyKey>,
    raw: T,
    now: chrono::DateTime<chrono::Utc>,
}

fn incoming<T: serde::de::DeserializeOwned>(
    s: &AppState,
    auth: &Auth,
    kind: DepartmentKind,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Incoming<T>> {
    let source = auth.pushing_department(kind)?;
    let idem = idempotency_key(auth, headers, body)?;
    let raw = parse_json(body)?;
    Ok(Incoming {
        source,
        idem,
        raw,
        now: s.clock.now(),
    })
}

/// Both 1-working-day deadlines (claim and feedback, art. 7(1)1) for a push received now.
struct Deadlines {
    received_at: i64,
    claim: i64,
    feedback: i64,
    provisional: bool,
}

fn deadlines(s: &AppState, now: chrono::DateTime<chrono::Utc>) -> AppResult<Deadlines> {
    let dl = s.calendar().deadline(now, 1).map_err(AppError::internal)?;
    Ok(Deadlines {
        received_at: to_millis(now),
        claim: to_millis(dl.utc()),
        feedback: to_millis(dl.utc()),
        provisional: dl.provisional,
    })
}

fn idempotency_key(
    auth: &Auth,
    headers: &HeaderMap,
    body: &[u8],
) -> AppResult<Option<IdempotencyKey>> {
    let Some(v) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    // The documented rule: 1–200 visible ASCII characters (no spaces, tabs or controls).
    let key = v
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or_else(|| AppError::BadRequest {
            message: "Idempotency-Key 应为 1–200 个可见 ASCII 字符 / Idempotency-Key must be 1–200 visible ASCII characters".into(),
            field: Some("Idempotency-Key".into()),
        })?;
    let principal = match (auth.0.user_id, auth.0.api_key_id) {
        (_, Some(k)) => format!("key:{k}"),
        (Some(u), _) => format!("user:{u}"),
        _ => "system".into(),
    };
    Ok(Some(IdempotencyKey {
        principal,
        key: key.to_string(),
        request_hash: fingerprint(body),
        raw_hash: secret_hash(&String::from_utf8_lossy(body)),
    }))
}

/// The request's fingerprint (as in the IETF Idempotency-Key draft): SHA-256 of the JSON
/// written canonically — object keys sorted, no insignificant whitespace, strings and numbers
/// as serde_json writes them — so the same JSON sent with keys in another order or other
/// spacing is the same request. A body that is not JSON is refused before it matters; its
/// fingerprint is then the hash of the bytes.
pub fn fingerprint(body: &[u8]) -> String {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => {
            let mut out = String::with_capacity(body.len());
            canonical(&v, &mut out);
            secret_hash(&out)
        }
        Err(_) => secret_hash(&String::from_utf8_lossy(body)),
    }
}

fn canonical(v: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

async fn finish(
    s: &AppState,
    auth: &Auth,
    insert: PushInsert,
    idem: Option<&IdempotencyKey>,
) -> AppResult<Response> {
    match store::create(&s.db, &auth.0, insert, idem).await? {
        PushOutcome::Created(push) => {
            s.metrics.pushes_created.fetch_add(1, Ordering::Relaxed);
            Ok((StatusCode::CREATED, Json(*push)).into_response())
        }
        PushOutcome::Replayed { status, body } => Ok((
            StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED),
            [
                (header::CONTENT_TYPE, "application/json"),
                (
                    header::HeaderName::from_static("idempotent-replayed"),
                    "true",
                ),
            ],
            body,
        )
            .into_response()),
    }
}

/// A push with all its deliveries (visible to its source and its recipients).
#[utoipa::path(get, path = "/api/v1/pushes/{id}", tag = "pushes", params(("id" = i64, Path)),
    responses((status = 200, body = Push), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_push(State(s): State<AppState>, auth: Auth, Id(id): Id) -> AppResult<Json<Push>> {
    let mut push = store::get(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("推送", "push"))?;
    let p = &auth.0;
    let mine = p.sees_all()
        || p.department_id.is_some_and(|d| {
            s.db.dept_code(d) == push.source_department
                || push
                    .deliveries
                    .iter()
                    .any(|x| x.department == s.db.dept_code(d))
        });
    if !mine {
        return Err(AppError::not_found("推送", "push"));
    }
    crate::server::redact::Redactor::new(&s, p).push(&mut push);
    Ok(Json(push))
}
