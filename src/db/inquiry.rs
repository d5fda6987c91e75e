//! Inquiry letters (函询, art. 12): the letter, one reply row per recipient, the thread.
//!
//! Each recipient's deadline is its `inquiry_reply` duty (subject = the letter): the duty core
//! sweeps it, and at the deadline instant the kind's lapse hook (`SPECS` in `duties.rs`) marks
//! the reply row `deemed_consent` in the sweeper's transaction. The due instant shown with a
//! reply is read from the duty, so a calendar import that re-derives it is seen at once.

use crate::api::*;
use crate::db::duties::{close_duty, open_duty};
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, Principal, from_millis, to_cst};

use super::Db;

/// The lapse hook of `inquiry_reply` (`$1` letter, `$2` deadline instant, `$3` recipient):
/// an awaiting reply becomes deemed consent, concluded at the deadline instant.
pub const DEEMED_CONSENT_HOOK: &str = "UPDATE inquiry_recipients SET status = 'deemed_consent', concluded_at = $2 \
     WHERE letter_id = $1 AND department_id = $3 AND status = 'awaiting'";

/// What the handlers need of a letter to decide who may see it and act on it.
#[derive(Debug, Clone, PartialEq)]
pub struct LetterRecord {
    pub id: i64,
    pub subject: String,
    pub sender: i64,
    /// Recipient department ids, in id order.
    pub recipients: Vec<i64>,
}

impl LetterRecord {
    /// The letter as `viewer` takes part in it: a recipient is the recipient, the sending
    /// department the sender (as `JointEventRecord::audience_for`).
    pub fn audience_for(&self, viewer: Option<i64>) -> Audience {
        let recipient = viewer
            .filter(|v| self.recipients.contains(v))
            .or_else(|| self.recipients.first().copied())
            .unwrap_or(self.sender);
        Audience::Between {
            recipient,
            sender: self.sender,
        }
    }
}

/// A letter to send: the recipients' common deadline from the calendar.
#[derive(Debug, Clone)]
pub struct NewLetter {
    pub sender: i64,
    pub subject: String,
    pub body: String,
    pub recipients: Vec<i64>,
    pub working_days: u32,
    pub due_at: i64,
    pub provisional: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LetterRow {
    pub id: i64,
    pub sender_department_id: i64,
    pub subject: String,
    pub body: String,
    pub reply_working_days: i64,
    pub sent_at: i64,
    pub sent_by: String,
}

#[derive(sqlx::FromRow)]
pub(crate) struct ReplyRow {
    pub department_id: i64,
    pub status: String,
    pub concluded_at: Option<i64>,
    pub due_at: i64,
    pub provisional: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    pub id: i64,
    pub department_id: i64,
    pub body: String,
    pub answers: bool,
    pub at: i64,
    pub by_name: String,
}

fn at(ms: i64) -> chrono::DateTime<chrono::FixedOffset> {
    to_cst(from_millis(ms))
}

pub(crate) fn assemble(
    db: &Db,
    l: LetterRow,
    replies: Vec<ReplyRow>,
    messages: Vec<MessageRow>,
) -> DbResult<InquiryLetter> {
    let mut out = Vec::with_capacity(replies.len());
    for r in replies {
        let status = InquiryReplyStatus::try_from(r.status).map_err(|e| DbError::Corrupt {
            what: "inquiry reply status",
            source: Box::new(e),
        })?;
        out.push(InquiryReply {
            department: db.dept_code(r.department_id),
            due: at(r.due_at),
            provisional: r.provisional,
            status,
            concluded_at: r.concluded_at.map(at),
        });
    }
    Ok(InquiryLetter {
        id: l.id,
        sender: db.dept_code(l.sender_department_id),
        subject: l.subject,
        body: l.body,
        reply_working_days: u32::try_from(l.reply_working_days).unwrap_or(0),
        sent_at: at(l.sent_at),
        sent_by: Some(l.sent_by),
        replies: out,
        messages: messages
            .into_iter()
            .map(|m| InquiryMessage {
                id: m.id,
                department: db.dept_code(m.department_id),
                body: m.body,
                at: at(m.at),
                by: Some(m.by_name),
                answers: m.answers,
            })
            .collect(),
    })
}

/// Load one whole letter with `$ex` (a pool in a read, `&mut *tx` in a write) →
/// `Option<InquiryLetter>`.
macro_rules! load_letter {
    ($ex:expr, $db:expr, $id:expr) => {{
        let id: i64 = $id;
        let letter: Option<$crate::db::inquiry::LetterRow> = sqlx::query_as(
            "SELECT id, sender_department_id, subject, body, reply_working_days, sent_at, sent_by \
             FROM inquiry_letters WHERE id = $1",
        )
        .bind(id)
        .fetch_optional($ex)
        .await?;
        match letter {
            None => None,
            Some(l) => {
                let replies: Vec<$crate::db::inquiry::ReplyRow> = sqlx::query_as(
                    "SELECT r.department_id, r.status, r.concluded_at, d.due_at, d.provisional \
                     FROM inquiry_recipients r JOIN duties d ON d.kind = 'inquiry_reply' \
                       AND d.subject_id = r.letter_id AND d.department_id = r.department_id \
                     WHERE r.letter_id = $1 ORDER BY r.department_id",
                )
                .bind(id)
                .fetch_all($ex)
                .await?;
                let messages: Vec<$crate::db::inquiry::MessageRow> = sqlx::query_as(
                    "SELECT id, department_id, body, answers, at, by_name FROM inquiry_messages \
                     WHERE letter_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all($ex)
                .await?;
                Some($crate::db::inquiry::assemble($db, l, replies, messages)?)
            }
        }
    }};
}

/// Emit one copy of `letter` to each department concerned (people's names left out).
fn emit(
    fx: &mut super::Effects,
    kind: &'static str,
    letter: &InquiryLetter,
    depts: &[i64],
    now: i64,
) {
    let mut data = letter.clone();
    data.sent_by = None;
    data.messages.iter_mut().for_each(|m| m.by = None);
    for d in depts {
        fx.event(
            kind,
            Audience::Between {
                recipient: *d,
                sender: *d,
            },
            &data,
            now,
        );
    }
}

fn parties(sender: i64, recipients: &[i64]) -> Vec<i64> {
    let mut v = recipients.to_vec();
    v.push(sender);
    v.sort_unstable();
    v.dedup();
    v
}

/// Send a letter: the letter, one awaiting reply and one `inquiry_reply` duty per recipient,
/// and `inquiry.sent` to every department concerned, in one transaction.
pub async fn create(
    db: &Db,
    actor: &Principal,
    new: NewLetter,
    now: i64,
) -> DbResult<InquiryLetter> {
    let actor = actor.clone();
    Ok(write_tx!(db, |tx, fx| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO inquiry_letters (sender_department_id, subject, body, reply_working_days, sent_at, sent_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(new.sender)
        .bind(&new.subject)
        .bind(&new.body)
        .bind(i64::from(new.working_days))
        .bind(now)
        .bind(&actor.name)
        .fetch_one(&mut *tx)
        .await?;
        for d in &new.recipients {
            sqlx::query(
                "INSERT INTO inquiry_recipients (letter_id, department_id, status) VALUES ($1, $2, 'awaiting')",
            )
            .bind(id)
            .bind(*d)
            .execute(&mut *tx)
            .await?;
            open_duty!(
                tx,
                fx,
                db,
                crate::db::duties::NewDuty {
                    kind: DutyKind::InquiryReply,
                    department_id: *d,
                    counterpart_department_id: Some(new.sender),
                    person: None,
                    subject_id: id,
                    title: new.subject.clone(),
                    origin_at: now,
                    working_days: Some(new.working_days),
                    due_at: new.due_at,
                    provisional: new.provisional,
                },
                now,
                &actor.name
            );
        }
        let letter = load_letter!(&mut *tx, db, id)
            .ok_or(DbError::Bug("a letter vanished inside its transaction"))?;
        emit(
            &mut fx,
            event_types::INQUIRY_SENT,
            &letter,
            &parties(new.sender, &new.recipients),
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "inquiry.send",
            "inquiry_letter",
            Some(id),
            serde_json::json!({"recipients": new.recipients, "due": new.due_at}),
        );
        letter
    }))
}

/// A message of `dept` in the letter's thread. A recipient's first message answers (its
/// duty done, its reply `answered`) — refused with 409 `deemed_consent` once its deadline
/// has come; later messages, and the sender's, are follow-ups.
pub async fn post(
    db: &Db,
    actor: &Principal,
    rec: &LetterRecord,
    dept: i64,
    body: &str,
    now: i64,
) -> DbResult<InquiryLetter> {
    let (actor, rec, body) = (actor.clone(), rec.clone(), body.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let mut answers = false;
        if rec.recipients.contains(&dept) {
            // Closing the duty is the one conditional step: before the deadline it succeeds
            // once; at or after it (deemed consent, swept or not) it finds nothing open.
            let closed = close_duty!(
                tx,
                fx,
                db,
                DutyKind::InquiryReply,
                rec.id,
                dept,
                now,
                &actor.name
            );
            if closed.is_some() {
                sqlx::query(
                    "UPDATE inquiry_recipients SET status = 'answered', concluded_at = $1 \
                     WHERE letter_id = $2 AND department_id = $3 AND status = 'awaiting'",
                )
                .bind(now)
                .bind(rec.id)
                .bind(dept)
                .execute(&mut *tx)
                .await?;
                answers = true;
            } else {
                let (status,): (String,) = sqlx::query_as(
                    "SELECT status FROM inquiry_recipients WHERE letter_id = $1 AND department_id = $2",
                )
                .bind(rec.id)
                .bind(dept)
                .fetch_one(&mut *tx)
                .await?;
                if status != "answered" {
                    return Err(DbError::conflict(
                        "deemed_consent",
                        "答复期限已届满，视为同意 / the reply deadline has come: consent is deemed given",
                    ));
                }
            }
        }
        sqlx::query(
            "INSERT INTO inquiry_messages (letter_id, department_id, body, answers, at, by_name) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rec.id)
        .bind(dept)
        .bind(&body)
        .bind(answers)
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let letter = load_letter!(&mut *tx, db, rec.id)
            .ok_or(DbError::Bug("a letter vanished inside its transaction"))?;
        emit(
            &mut fx,
            event_types::INQUIRY_REPLIED,
            &letter,
            &parties(rec.sender, &rec.recipients),
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "inquiry.reply",
            "inquiry_letter",
            Some(rec.id),
            serde_json::json!({"department_id": dept, "answers": answers}),
        );
        letter
    }))
}

/// The letter's sender and recipients.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<LetterRecord>> {
    let row: Option<(i64, i64, String)> = read!(db, |c| sqlx::query_as(
        "SELECT id, sender_department_id, subject FROM inquiry_letters WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    let Some((id, sender, subject)) = row else {
        return Ok(None);
    };
    let recipients: Vec<(i64,)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT department_id FROM inquiry_recipients WHERE letter_id = $1 ORDER BY department_id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?;
    Ok(Some(LetterRecord {
        id,
        subject,
        sender,
        recipients: recipients.into_iter().map(|(d,)| d).collect(),
    }))
}

pub async fn detail(db: &Db, id: i64) -> DbResult<Option<InquiryLetter>> {
    Ok(read!(db, |c| load_letter!(c, db, id)))
}

/// `GET /api/v1/inquiry-letters` filters.
#[derive(Debug, Clone, Default)]
pub struct LetterFilter {
    /// Letters this department sent or received (`None`: every letter, for the roles that
    /// see all).
    pub department: Option<i64>,
    /// With `department`: only those it sent (`Some(true)`) or received (`Some(false)`).
    pub sent: Option<bool>,
    /// Only letters with a reply in this state (the department's own when it received them).
    pub status: Option<InquiryReplyStatus>,
    /// Keyset: letters with an id below this.
    pub before: Option<i64>,
    pub limit: i64,
}

/// Letters newest first.
pub async fn list(db: &Db, f: &LetterFilter) -> DbResult<Vec<InquiryLetter>> {
    let ids: Vec<(i64,)> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT l.id FROM inquiry_letters l WHERE 1 = 1");
        let received = |qb: &mut sqlx::QueryBuilder<_>, d: i64| {
            qb.push(" EXISTS (SELECT 1 FROM inquiry_recipients r WHERE r.letter_id = l.id AND r.department_id = ")
                .push_bind(d);
            if let Some(s) = f.status {
                qb.push(" AND r.status = ").push_bind(s.as_str());
            }
            qb.push(")");
        };
        match (f.department, f.sent) {
            (Some(d), Some(true)) => {
                qb.push(" AND l.sender_department_id = ").push_bind(d);
            }
            (Some(d), Some(false)) => {
                qb.push(" AND");
                received(&mut qb, d);
            }
            (Some(d), None) => {
                qb.push(" AND (l.sender_department_id = ")
                    .push_bind(d)
                    .push(" OR");
                received(&mut qb, d);
                qb.push(")");
            }
            (None, _) => {}
        }
        // A status with a sent (or unscoped) list: any reply in that state.
        if f.status.is_some() && !matches!((f.department, f.sent), (Some(_), Some(false))) {
            qb.push(" AND EXISTS (SELECT 1 FROM inquiry_recipients s WHERE s.letter_id = l.id AND s.status = ")
                .push_bind(f.status.map(|s| s.as_str()))
                .push(")");
        }
        if let Some(b) = f.before {
            qb.push(" AND l.id < ").push_bind(b);
        }
        qb.push(" ORDER BY l.id DESC LIMIT ").push_bind(f.limit);
        qb.build_query_as().fetch_all(c).await
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(l) = detail(db, id).await? {
            out.push(l);
        }
    }
    Ok(out)
}
