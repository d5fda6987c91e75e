//! Inquiry letters (函询, art. 12): the bureau or a supervision department asks other
//! departments; each recipient answers within the letter's working days or is deemed to
//! consent (the `inquiry_reply` duty's lapse, `db/duties.rs` SPECS). The sender and the
//! recipients see a letter; anyone else is told it does not exist.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::*;
use crate::db::inquiry::{self as store, LetterFilter, LetterRecord, NewLetter};
use crate::domain::{Action, Audience, policy, to_millis, validate};
use crate::server::AppState;
use crate::server::auth::Auth;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::{ApiJson, Id, Params, bad_param};
use crate::server::redact::Redactor;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::listing::{cut_page, own_scope, take_limit_upto};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(send_inquiry_letter, list_inquiry_letters))
        .routes(routes!(get_inquiry_letter))
        .routes(routes!(reply_inquiry_letter))
}

/// At most this many recipients per letter.
const MAX_RECIPIENTS: usize = 64;

async fn visible(s: &AppState, auth: &Auth, id: i64) -> AppResult<LetterRecord> {
    store::get(&s.db, id)
        .await?
        .filter(|r| policy::may(&auth.0, Action::See, r.audience_for(auth.0.department_id)))
        .ok_or_else(|| AppError::not_found("函询", "inquiry letter"))
}

/// A letter as the caller may see it: another department's people left out
/// ([`Redactor::inquiry_letter`]).
fn shown(auth: &Auth, mut l: InquiryLetter, s: &AppState) -> InquiryLetter {
    Redactor::new(s, &auth.0).inquiry_letter(&mut l);
    l
}

async fn recipients(s: &AppState, sender: i64, codes: &[String]) -> AppResult<Vec<i64>> {
    if codes.is_empty() || codes.len() > MAX_RECIPIENTS {
        return Err(AppError::invalid(
            "recipients",
            format!("须有 1–{MAX_RECIPIENTS} 个受询部门 / 1–{MAX_RECIPIENTS} recipients"),
        ));
    }
    let mut ids = Vec::with_capacity(codes.len());
    for (i, code) in codes.iter().enumerate() {
        let field = format!("recipients[{i}]");
        let Some((id, _)) = s.db.department_id(code).await? else {
            return Err(AppError::invalid(
                field,
                format!("没有部门 {code} / unknown department {code}"),
            ));
        };
        if id == sender {
            return Err(AppError::invalid(
                field,
                "不能向本部门函询 / a department does not write to itself",
            ));
        }
        if ids.contains(&id) {
            return Err(AppError::invalid(
                field,
                format!("{code} 重复 / {code} is listed twice"),
            ));
        }
        ids.push(id);
    }
    ids.sort_unstable();
    Ok(ids)
}

/// Send a letter (the bureau or a supervision department, for itself). Each recipient owes
/// an answer within `reply_working_days` (default `--inquiry-reply-working-days`); one
/// `inquiry_reply` duty per recipient is opened with the letter.
#[utoipa::path(post, path = "/api/v1/inquiry-letters", tag = "inquiry letters", request_body = NewInquiryLetter,
    responses((status = 201, body = InquiryLetter), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
              (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn send_inquiry_letter(
    State(s): State<AppState>,
    auth: Auth,
    ApiJson(body): ApiJson<NewInquiryLetter>,
) -> AppResult<(StatusCode, Json<InquiryLetter>)> {
    policy::check(&auth.0, Action::SendInquiry, Audience::Everyone)?;
    let sender = auth.0.department_id.ok_or_else(AppError::forbidden_role)?;
    let subject = validate::text("subject", &body.subject, 200)?;
    let text = validate::text("body", &body.body, 20000)?;
    let recipients = recipients(&s, sender, &body.recipients).await?;
    let n = body
        .reply_working_days
        .unwrap_or(s.cfg.inquiry_reply_working_days);
    if !(1..=60).contains(&n) {
        return Err(AppError::invalid(
            "reply_working_days",
            "应为 1–60 个工作日 / 1–60 working days",
        ));
    }
    let now = to_millis(s.clock.now());
    let (due_at, provisional) = s.due_after(now, n)?;
    let l = store::create(
        &s.db,
        &auth.0,
        NewLetter {
            sender,
            subject,
            body: text,
            recipients,
            working_days: n,
            due_at,
            provisional,
        },
        now,
    )
    .await?;
    Ok(super::created(shown(&auth, l, &s)))
}

/// Letters the caller's department sent or received (every letter, for the roles that see
/// all), newest first.
#[utoipa::path(get, path = "/api/v1/inquiry-letters", tag = "inquiry letters",
    params(("direction" = Option<String>, Query, description = "sent | received; default both"),
           ("status" = Option<String>, Query, description = "awaiting | answered | deemed_consent: letters with a reply in that state (received: the caller's own)"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 100, description = "1–100, default 50"),
           ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")),
    responses((status = 200, body = Page<InquiryLetter>), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_inquiry_letters(
    State(s): State<AppState>,
    auth: Auth,
    mut q: Params,
) -> AppResult<Json<Page<InquiryLetter>>> {
    let sent = match q.take("direction").as_deref() {
        None => None,
        Some("sent") => Some(true),
        Some("received") => Some(false),
        Some(_) => {
            return Err(bad_param(
                "direction",
                "应为 sent 或 received / expected sent or received",
            ));
        }
    };
    let status = match q.take("status") {
        None => None,
        Some(v) => Some(InquiryReplyStatus::parse(&v).ok_or_else(|| {
            bad_param(
                "status",
                "应为 awaiting、answered 或 deemed_consent / expected awaiting, answered or deemed_consent",
            )
        })?),
    };
    let limit = take_limit_upto(&mut q, 100)?;
    let before = q.take_parsed::<i64>("cursor", "无效的游标 / invalid cursor")?;
    q.finish()?;
    let department = own_scope(&auth.0)?;
    let mut items = store::list(
        &s.db,
        &LetterFilter {
            department,
            sent: department.and(sent),
            status,
            before,
            limit: limit + 1,
        },
    )
    .await?;
    let next_cursor = cut_page(&mut items, limit, |l| l.id.to_string());
    Ok(Json(Page {
        items: items.into_iter().map(|l| shown(&auth, l, &s)).collect(),
        next_cursor,
    }))
}

#[utoipa::path(get, path = "/api/v1/inquiry-letters/{id}", tag = "inquiry letters", params(("id" = i64, Path)),
    responses((status = 200, body = InquiryLetter), (status = 404, body = ErrorBody)), security(("bearer" = [])))]
pub async fn get_inquiry_letter(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
) -> AppResult<Json<InquiryLetter>> {
    visible(&s, &auth, id).await?;
    let l = store::detail(&s.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("函询", "inquiry letter"))?;
    Ok(Json(shown(&auth, l, &s)))
}

/// Write in the letter's thread: a recipient's first message before its deadline is its
/// answer (its duty done); at or after the deadline an unanswered recipient is refused with
/// 409 `deemed_consent`. Later messages of a recipient, and the sender's, are follow-ups.
#[utoipa::path(post, path = "/api/v1/inquiry-letters/{id}/replies", tag = "inquiry letters", params(("id" = i64, Path)),
    request_body = NewInquiryMessage,
    responses((status = 201, body = InquiryLetter), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn reply_inquiry_letter(
    State(s): State<AppState>,
    auth: Auth,
    Id(id): Id,
    ApiJson(body): ApiJson<NewInquiryMessage>,
) -> AppResult<(StatusCode, Json<InquiryLetter>)> {
    let rec = visible(&s, &auth, id).await?;
    policy::check(
        &auth.0,
        Action::Reply,
        rec.audience_for(auth.0.department_id),
    )?;
    let dept = auth.0.department_id.ok_or_else(AppError::forbidden_role)?;
    let text = validate::text("body", &body.body, 20000)?;
    let l = store::post(&s.db, &auth.0, &rec, dept, &text, to_millis(s.clock.now())).await?;
    Ok(super::created(shown(&auth, l, &s)))
}
