//! Question and dispute threads (art. 7(1)1, 7(2)1: "存在疑问或争议…1个工作日内反馈").

use sqlx::QueryBuilder;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::Principal;

use super::Db;
use super::rows::{DeliveryRow, DisputeRow, MessageRow};

/// The whole thread as it stands inside the current transaction (for the event it emits).
macro_rules! thread_in_tx {
    ($conn:expr, $db:expr, $id:expr) => {{
        let sql = format!("SELECT {DISPUTE_COLUMNS} FROM disputes WHERE id = $1");
        let row: DisputeRow = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind($id).fetch_one(&mut *$conn).await?;
        let msgs: Vec<MessageRow> =
            sqlx::query_as("SELECT id, dispute_id, author, department_id, body, at FROM dispute_messages WHERE dispute_id = $1 ORDER BY id")
                .bind($id)
                .fetch_all(&mut *$conn)
                .await?;
        row.to_api($db, msgs.iter().map(|m| m.to_api($db)).collect())
    }};
}

const DISPUTE_COLUMNS: &str = "id, delivery_id, raised_by_department_id, answering_department_id, subject, status, \
                               opened_at, answer_due, answer_due_provisional, resolved_at, resolution";

fn already_open(id: Option<i64>) -> DbError {
    let n = id.map(|id| format!(" #{id}")).unwrap_or_default();
    DbError::conflict(
        "dispute_open",
        format!("该推送已有未结的争议{n}，请在其中回复 / dispute{n} is already open: reply there"),
    )
}

pub async fn open(
    db: &Db,
    actor: &Principal,
    d: &DeliveryRow,
    body: &str,
    now: i64,
    answer_due: i64,
    answer_due_provisional: bool,
) -> DbResult<Dispute> {
    let (actor, d, body) = (actor.clone(), d.clone(), body.to_string());
    let raised_by = d.department_id;
    Ok(write_tx!(db, |tx, fx| {
        let existing: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM disputes WHERE delivery_id = $1 AND status = 'open' LIMIT 1",
        )
        .bind(d.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = existing {
            return Err(already_open(Some(id)));
        }
        // The read above answers the usual case with the open thread's number; the partial
        // unique index `disputes_one_open` decides a race (two calls both read "none").
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO disputes (delivery_id, raised_by_department_id, answering_department_id, subject, status, opened_at, answer_due, answer_due_provisional) \
             VALUES ($1, $2, $3, $4, 'open', $5, $6, $7) RETURNING id",
        )
        .bind(d.id)
        .bind(raised_by)
        .bind(d.source_department_id)
        .bind(&d.title)
        .bind(now)
        .bind(answer_due)
        .bind(answer_due_provisional)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(already_open(None));
            }
            other => other?,
        };
        let (mid,): (i64,) = sqlx::query_as(
            "INSERT INTO dispute_messages (dispute_id, author, department_id, body, at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id)
        .bind(&actor.name)
        .bind(actor.department_id)
        .bind(&body)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let row = DisputeRow {
            id,
            delivery_id: d.id,
            raised_by_department_id: raised_by,
            answering_department_id: d.source_department_id,
            subject: d.title.clone(),
            status: DisputeStatus::Open,
            opened_at: now,
            answer_due,
            answer_due_provisional,
            resolved_at: None,
            resolution: None,
        };
        let msg = MessageRow {
            id: mid,
            dispute_id: id,
            author: actor.name.clone(),
            department_id: actor.department_id,
            body: body.to_string(),
            at: now,
        };
        let dispute = row.to_api(db, vec![msg.to_api(db)]);
        fx.event(event_types::DISPUTE_OPENED, row.audience(), &dispute, now);
        fx.audit(
            now,
            &actor.name,
            "dispute.open",
            "delivery",
            Some(d.id),
            serde_json::json!({"dispute_id": id}),
        );
        dispute
    }))
}

pub async fn get_row(db: &Db, id: i64) -> DbResult<Option<DisputeRow>> {
    let sql = format!("SELECT {DISPUTE_COLUMNS} FROM disputes WHERE id = $1");
    Ok(read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

async fn messages_for(db: &Db, ids: &[i64]) -> DbResult<Vec<MessageRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(read!(db, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT id, dispute_id, author, department_id, body, at FROM dispute_messages WHERE dispute_id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY id");
        qb.build_query_as::<MessageRow>().fetch_all(c).await
    })?)
}

async fn with_messages(db: &Db, rows: Vec<DisputeRow>) -> DbResult<Vec<Dispute>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let msgs = messages_for(db, &ids).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let m = msgs
                .iter()
                .filter(|m| m.dispute_id == r.id)
                .map(|m| m.to_api(db))
                .collect();
            r.to_api(db, m)
        })
        .collect())
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Dispute>> {
    match get_row(db, id).await? {
        Some(r) => Ok(with_messages(db, vec![r]).await?.pop()),
        None => Ok(None),
    }
}

pub async fn for_delivery(db: &Db, delivery_id: i64) -> DbResult<Vec<Dispute>> {
    let sql = format!("SELECT {DISPUTE_COLUMNS} FROM disputes WHERE delivery_id = $1 ORDER BY id");
    let rows: Vec<DisputeRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(delivery_id)
        .fetch_all(c)
        .await)?;
    with_messages(db, rows).await
}

/// Threads visible to a department (raised by or addressed to it), or all; oldest due first.
pub async fn list(
    db: &Db,
    dept: Option<i64>,
    status: Option<&str>,
    after: Option<(i64, i64)>,
    limit: i64,
) -> DbResult<Vec<Dispute>> {
    let rows: Vec<DisputeRow> = read!(db, |c| {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {DISPUTE_COLUMNS} FROM disputes WHERE 1 = 1"
        ));
        if let Some(d) = dept {
            qb.push(" AND (raised_by_department_id = ")
                .push_bind(d)
                .push(" OR answering_department_id = ")
                .push_bind(d)
                .push(")");
        }
        if let Some(s) = status {
            qb.push(" AND status = ").push_bind(s.to_string());
        }
        if let Some((due, id)) = after {
            qb.push(" AND (answer_due > ")
                .push_bind(due)
                .push(" OR (answer_due = ")
                .push_bind(due)
                .push(" AND id > ")
                .push_bind(id)
                .push("))");
        }
        qb.push(" ORDER BY answer_due, id LIMIT ").push_bind(limit);
        qb.build_query_as::<DisputeRow>().fetch_all(c).await
    })?;
    with_messages(db, rows).await
}

pub async fn reply(
    db: &Db,
    actor: &Principal,
    d: &DisputeRow,
    body: &str,
    now: i64,
) -> DbResult<Dispute> {
    let (actor, d, body) = (actor.clone(), d.clone(), body.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let (status,): (String,) = sqlx::query_as("SELECT status FROM disputes WHERE id = $1")
            .bind(d.id)
            .fetch_one(&mut *tx)
            .await?;
        if status != "open" {
            return Err(DbError::conflict(
                "dispute_resolved",
                "争议已办结，不能再回复 / the dispute is resolved",
            ));
        }
        sqlx::query("INSERT INTO dispute_messages (dispute_id, author, department_id, body, at) VALUES ($1, $2, $3, $4, $5)")
            .bind(d.id)
            .bind(&actor.name)
            .bind(actor.department_id)
            .bind(&body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let dispute = thread_in_tx!(tx, db, d.id);
        fx.event(event_types::DISPUTE_REPLIED, d.audience(), &dispute, now);
        fx.audit(
            now,
            &actor.name,
            "dispute.reply",
            "delivery",
            Some(d.delivery_id),
            serde_json::json!({"dispute_id": d.id}),
        );
        dispute
    }))
}

pub async fn resolve(
    db: &Db,
    actor: &Principal,
    d: &DisputeRow,
    resolution: Option<&str>,
    now: i64,
) -> DbResult<Dispute> {
    let (actor, d, resolution) = (actor.clone(), d.clone(), resolution.map(str::to_string));
    Ok(write_tx!(db, |tx, fx| {
        let changed = sqlx::query("UPDATE disputes SET status = 'resolved', resolved_at = $1, resolution = $2 WHERE id = $3 AND status = 'open'")
            .bind(now)
            .bind(resolution)
            .bind(d.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(DbError::conflict(
                "dispute_resolved",
                "争议已办结 / the dispute is already resolved",
            ));
        }
        let dispute = thread_in_tx!(tx, db, d.id);
        fx.event(event_types::DISPUTE_RESOLVED, d.audience(), &dispute, now);
        fx.audit(
            now,
            &actor.name,
            "dispute.resolve",
            "delivery",
            Some(d.delivery_id),
            serde_json::json!({"dispute_id": d.id}),
        );
        dispute
    }))
}

/// A thread whose answer deadline has come, with its first answer (if any).
#[derive(sqlx::FromRow)]
struct AnswerDue {
    id: i64,
    delivery_id: i64,
    raised_by: i64,
    dept: i64,
    subject: String,
    opened_at: i64,
    answer_due: i64,
    answered_at: Option<i64>,
}

/// Judge up to one batch of threads whose answer deadline has come (arts. 14–15): a thread
/// the answering department had not answered before `answer_due` (a message of its own, or
/// the thread resolved) is an accountability record against that department, rule
/// `dispute_answer_overdue`, with a `dispute.answer_overdue` event. Every thread is judged
/// exactly once (`answer_judged`), whoever sweeps; an answer after the deadline cannot undo
/// the record. Returns how many threads this call judged.
pub async fn judge_answers_batch(db: &Db, now: i64) -> DbResult<usize> {
    Ok(write_tx!(db, |tx, fx| {
        let due: Vec<AnswerDue> = sqlx::query_as(
            "SELECT t.id, t.delivery_id, t.raised_by_department_id AS raised_by, t.answering_department_id AS dept, \
               t.subject, t.opened_at, t.answer_due, \
               COALESCE((SELECT MIN(msg.at) FROM dispute_messages msg \
                         WHERE msg.dispute_id = t.id AND msg.department_id = t.answering_department_id), t.resolved_at) AS answered_at \
             FROM disputes t WHERE t.answer_judged = FALSE AND t.answer_due <= $1 \
             ORDER BY t.answer_due, t.id LIMIT $2",
        )
        .bind(now)
        .bind(super::deliveries::SWEEP_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        for AnswerDue {
            id,
            delivery_id,
            raised_by,
            dept,
            subject,
            opened_at,
            answer_due,
            answered_at,
        } in &due
        {
            let judged = sqlx::query(
                "UPDATE disputes SET answer_judged = TRUE WHERE id = $1 AND answer_judged = FALSE",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // Answered strictly before the deadline is on time (acting at the instant is late).
            if judged == 0 || answered_at.is_some_and(|at| at < *answer_due) {
                continue;
            }
            sqlx::query(
                "INSERT INTO accountability (department_id, rule, article, delivery_id, dispute_id, item, received_at, occurred_at) \
                 VALUES ($1, 'dispute_answer_overdue', '7', NULL, $2, $3, $4, $5) ON CONFLICT (dispute_id) DO NOTHING",
            )
            .bind(dept)
            .bind(id)
            .bind(subject)
            .bind(opened_at)
            .bind(answer_due)
            .execute(&mut *tx)
            .await?;
            let dispute = thread_in_tx!(tx, db, *id);
            let audience = crate::domain::Audience::Between {
                recipient: *raised_by,
                sender: *dept,
            };
            fx.event(
                event_types::DISPUTE_ANSWER_OVERDUE,
                audience,
                &dispute,
                *answer_due,
            );
            fx.audit(
                now,
                "system",
                "dispute.answer_overdue",
                "delivery",
                Some(*delivery_id),
                serde_json::json!({"dispute_id": id}),
            );
        }
        due.len()
    }))
}
