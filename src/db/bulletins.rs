//! The monthly bulletin (每月通报, art. 7): the figures of a month (computed here from the
//! records; definitions in docs/STATISTICS.md), and issued versions, stored frozen as JSON.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, Calendar, Principal, from_millis, to_cst};

use super::{Db, unique_violation};

/// A month as the bulletin reads it: `YYYY-MM` and its China-time instants `[from, to)`.
#[derive(Debug, Clone)]
pub struct Month {
    pub name: String,
    pub from: i64,
    pub to: i64,
}

/// The latest deadline of anything received in the month: the bulletin may be issued once it
/// has passed (and the month has ended). Claim and feedback deadlines of the month's
/// deliveries, answer deadlines of the question/dispute threads opened in it.
pub async fn last_deadline(db: &Db, m: &Month) -> DbResult<i64> {
    let (max,): (Option<i64>,) = read!(db, |c| {
        sqlx::query_as(
            "SELECT MAX(x) FROM ( \
               SELECT MAX(claim_deadline) AS x FROM deliveries WHERE received_at >= $1 AND received_at < $2 \
               UNION ALL SELECT MAX(feedback_deadline) AS x FROM deliveries WHERE received_at >= $1 AND received_at < $2 \
               UNION ALL SELECT MAX(answer_due) AS x FROM disputes WHERE opened_at >= $1 AND opened_at < $2 \
               UNION ALL SELECT MAX(due_at) AS x FROM duties WHERE origin_at >= $1 AND origin_at < $2 AND state <> 'cancelled' \
             ) deadlines",
        )
        .bind(m.from)
        .bind(m.to)
        .fetch_one(c)
        .await
    })?;
    Ok(max.unwrap_or(m.to).max(m.to))
}

#[derive(sqlx::FromRow)]
struct PushLine {
    id: i64,
    kind: PushKind,
    source_department_id: i64,
    title: String,
    created_at: i64,
    license_date: Option<String>,
    deliveries: i64,
}

#[derive(sqlx::FromRow)]
struct AnswerLine {
    answering_department_id: i64,
    answer_due: i64,
    answered_at: Option<i64>,
}

/// Everything a bulletin holds, computed now. `late_days`: the late-upload rule's working
/// days; `chain_head`: the audit chain's head (read by the caller).
pub async fn contents(
    db: &Db,
    cal: &Calendar,
    m: &Month,
    now: i64,
    late_days: u32,
    chain_head: Option<ChainHead>,
) -> DbResult<BulletinContents> {
    let stats = super::reports::monthly(db, &m.name, m.from, m.to, None).await?;
    let ledger = super::reports::accountability(db, m.from, m.to, None).await?;

    // Working time to claim: every person's claim of the month, measured on the calendar.
    let claims: Vec<(i64, i64, i64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT department_id, received_at, claimed_at FROM deliveries \
             WHERE received_at >= $1 AND received_at < $2 AND status = 'claimed' AND claimed_at IS NOT NULL",
        )
        .bind(m.from)
        .bind(m.to)
        .fetch_all(c)
        .await
    })?;
    let mut claim_ms: HashMap<i64, (i64, i64)> = HashMap::new();
    for (dept, received, claimed) in claims {
        let e = claim_ms.entry(dept).or_default();
        e.0 += cal.working_millis(from_millis(received), from_millis(claimed));
        e.1 += 1;
    }

    // Answers owed on the threads opened in the month: the first message of the answering
    // department, or the thread's resolution when it was closed without one.
    let answers: Vec<AnswerLine> = read!(db, |c| {
        sqlx::query_as(
            "SELECT t.answering_department_id, t.answer_due, \
               COALESCE((SELECT MIN(msg.at) FROM dispute_messages msg \
                         WHERE msg.dispute_id = t.id AND msg.department_id = t.answering_department_id), t.resolved_at) AS answered_at \
             FROM disputes t WHERE t.opened_at >= $1 AND t.opened_at < $2",
        )
        .bind(m.from)
        .bind(m.to)
        .fetch_all(c)
        .await
    })?;
    // (due, on time, late, open)
    let mut owed: HashMap<i64, [i64; 4]> = HashMap::new();
    for a in answers {
        let e = owed.entry(a.answering_department_id).or_default();
        e[0] += 1;
        match a.answered_at {
            Some(at) if at < a.answer_due => e[1] += 1,
            Some(_) => e[2] += 1,
            None if now >= a.answer_due => e[2] += 1,
            None => e[3] += 1,
        }
    }

    let uploads_rows = push_lines(db, m).await?;
    let (uploads, late_uploads) = uploads(db, cal, uploads_rows, late_days);

    let mut departments: Vec<DepartmentLine> = stats
        .departments
        .into_iter()
        .map(|s| {
            let id = db_id(db, &s.department);
            let (ms, n) = id.and_then(|i| claim_ms.get(&i)).copied().unwrap_or((0, 0));
            let o = id.and_then(|i| owed.get(&i)).copied().unwrap_or_default();
            DepartmentLine {
                stats: s,
                avg_claim_working_hours: (n > 0).then(|| ms as f64 / n as f64 / 3_600_000.0),
                answers_due: o[0],
                answered_on_time: o[1],
                answered_late: o[2],
                answers_open: o[3],
                rank: None,
            }
        })
        .collect();
    let ranking = crate::bulletin::rank(&mut departments);
    Ok(BulletinContents {
        month: m.name.clone(),
        generated_at: to_cst(from_millis(now)),
        uploads,
        departments,
        ranking,
        ledger,
        late_uploads,
        chain_head,
    })
}

fn db_id(db: &Db, code: &str) -> Option<i64> {
    db.departments()
        .into_iter()
        .find(|(_, d)| d.code == code)
        .map(|(id, _)| id)
}

/// The month's pushes with their licence date (approval pushes) and delivery count.
async fn push_lines(db: &Db, m: &Month) -> DbResult<Vec<PushLine>> {
    // The licence date lives in the push's content as submitted (JSON); the one dialect
    // difference is how to read a field of it.
    let sql = |license: &str| {
        format!(
            "SELECT p.id, p.kind, p.source_department_id, p.title, p.created_at, {license} AS license_date, \
               (SELECT COUNT(*) FROM deliveries d WHERE d.push_id = p.id) AS deliveries \
             FROM pushes p WHERE p.created_at >= $1 AND p.created_at < $2 ORDER BY p.id"
        )
    };
    Ok(match db.pool() {
        super::Pool::Sqlite(c) => {
            let q = sql("json_extract(p.content, '$.license_date')");
            sqlx::query_as(sqlx::AssertSqlSafe(q))
                .bind(m.from)
                .bind(m.to)
                .fetch_all(c)
                .await?
        }
        super::Pool::Postgres(c) => {
            let q = sql("(p.content::jsonb ->> 'license_date')");
            sqlx::query_as(sqlx::AssertSqlSafe(q))
                .bind(m.from)
                .bind(m.to)
                .fetch_all(c)
                .await?
        }
    })
}

fn uploads(
    db: &Db,
    cal: &Calendar,
    rows: Vec<PushLine>,
    late_days: u32,
) -> (Uploads, Vec<LateUpload>) {
    let mut by_sender: BTreeMap<(i64, &'static str), SenderUploads> = BTreeMap::new();
    let mut late_list = Vec::new();
    let mut u = Uploads {
        approval_pushes: 0,
        approval_deliveries: 0,
        supervision_pushes: 0,
        supervision_deliveries: 0,
        late_approval_pushes: 0,
        late_rule_working_days: late_days,
        by_sender: Vec::new(),
    };
    let depts: HashMap<i64, Department> = db.departments().into_iter().collect();
    for r in rows {
        let (code, name) = depts
            .get(&r.source_department_id)
            .map(|d| (d.code.clone(), d.name.clone()))
            .unwrap_or_else(|| (format!("#{}", r.source_department_id), String::new()));
        let line = by_sender
            .entry((r.source_department_id, r.kind.as_str()))
            .or_insert_with(|| SenderUploads {
                department: code.clone(),
                name,
                direction: r.kind,
                pushes: 0,
                deliveries: 0,
                late: 0,
            });
        line.pushes += 1;
        line.deliveries += r.deliveries;
        match r.kind {
            PushKind::Approval => {
                u.approval_pushes += 1;
                u.approval_deliveries += r.deliveries;
            }
            PushKind::Supervision => {
                u.supervision_pushes += 1;
                u.supervision_deliveries += r.deliveries;
            }
        }
        let license = r
            .license_date
            .as_deref()
            .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok());
        if let (PushKind::Approval, Some(date), true) = (r.kind, license, late_days > 0)
            && let Some(due) = crate::bulletin::upload_due(cal, date, late_days)
            // Acting exactly at the deadline instant is late (DESIGN.md).
            && r.created_at >= due.timestamp_millis()
        {
            line.late += 1;
            u.late_approval_pushes += 1;
            late_list.push(LateUpload {
                push_id: r.id,
                department: code,
                item: r.title,
                license_date: date,
                due,
                pushed_at: to_cst(from_millis(r.created_at)),
            });
        }
    }
    u.by_sender = by_sender.into_values().collect();
    (u, late_list)
}

#[derive(sqlx::FromRow)]
struct BulletinRow {
    month: String,
    version: i32,
    issued_at: i64,
    issued_by: String,
    reason: Option<String>,
    chain_record: Option<i64>,
    chain_hash: Option<String>,
}

impl BulletinRow {
    fn to_api(&self) -> BulletinIssued {
        BulletinIssued {
            month: self.month.clone(),
            version: self.version,
            issued_at: to_cst(from_millis(self.issued_at)),
            issued_by: self.issued_by.clone(),
            reason: self.reason.clone(),
            chain_head: match (self.chain_record, &self.chain_hash) {
                (Some(record), Some(hash)) => Some(ChainHead {
                    record,
                    hash: hash.clone(),
                }),
                _ => None,
            },
        }
    }
}

const COLUMNS: &str = "month, version, issued_at, issued_by, reason, chain_record, chain_hash";

/// Store a new version of a month's bulletin with its frozen contents. `correction`: the
/// reason, for a version after the first. Refused (409, nothing written) when the month was
/// already issued and this is no correction, or a correction of a month never issued.
pub async fn issue(
    db: &Db,
    actor: &Principal,
    contents: BulletinContents,
    correction: Option<String>,
    now: i64,
) -> DbResult<BulletinIssued> {
    let actor = actor.clone();
    let json = serde_json::to_string(&contents)?;
    Ok(write_tx!(db, |tx, fx| {
        let (latest,): (Option<i32>,) =
            sqlx::query_as("SELECT MAX(version) FROM bulletins WHERE month = $1")
                .bind(&contents.month)
                .fetch_one(&mut *tx)
                .await?;
        let version = match (latest, &correction) {
            (Some(v), None) => {
                return Err(already_issued(&contents.month, v));
            }
            (None, Some(_)) => {
                return Err(DbError::conflict(
                    "bulletin_not_issued",
                    format!(
                        "{} 的通报尚未发布，无从更正 / the bulletin of {} has not been issued: nothing to correct",
                        contents.month, contents.month
                    ),
                ));
            }
            (None, None) => 1,
            (Some(v), Some(_)) => v + 1,
        };
        let head = contents.chain_head.clone();
        let inserted = sqlx::query(
            "INSERT INTO bulletins (month, version, issued_at, issued_by, reason, chain_record, chain_hash, contents) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&contents.month)
        .bind(version)
        .bind(now)
        .bind(&actor.name)
        .bind(&correction)
        .bind(head.as_ref().map(|h| h.record))
        .bind(head.as_ref().map(|h| h.hash.clone()))
        .bind(&json)
        .execute(&mut *tx)
        .await;
        match inserted {
            // Another duty officer issued this version a moment ago (PostgreSQL race).
            Err(e) if unique_violation(&e) => {
                return Err(already_issued(&contents.month, version));
            }
            other => other?,
        };
        let issued = BulletinRow {
            month: contents.month.clone(),
            version,
            issued_at: now,
            issued_by: actor.name.clone(),
            reason: correction.clone(),
            chain_record: head.as_ref().map(|h| h.record),
            chain_hash: head.as_ref().map(|h| h.hash.clone()),
        }
        .to_api();
        fx.event(
            event_types::BULLETIN_ISSUED,
            Audience::Everyone,
            &issued,
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "bulletin.issue",
            "bulletin",
            None,
            serde_json::json!({
                "month": issued.month,
                "version": version,
                "reason": correction,
                "chain_head": head,
            }),
        );
        issued
    }))
}

fn already_issued(month: &str, version: i32) -> DbError {
    DbError::conflict(
        "bulletin_issued",
        format!(
            "{month} 的通报已发布（第 {version} 版）；如需更正请附更正理由 / the bulletin of {month} was already issued (version {version}); a correction needs a reason"
        ),
    )
}

/// The issued versions of a month (all months when `None`), oldest first.
pub async fn versions(db: &Db, month: Option<&str>) -> DbResult<Vec<BulletinIssued>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM bulletins WHERE ($1 IS NULL OR month = $1) ORDER BY month, version"
    );
    let rows: Vec<BulletinRow> = read!(db, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(month)
            .fetch_all(c)
            .await
    })?;
    Ok(rows.iter().map(BulletinRow::to_api).collect())
}

/// A `bulletins` row: the `BulletinRow` columns and the frozen contents (JSON).
type StoredBulletin = (
    String,
    i32,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    String,
);

/// One issued version (the latest when `version` is `None`) with its frozen contents.
pub async fn get(db: &Db, month: &str, version: Option<i32>) -> DbResult<Option<Bulletin>> {
    let sql = format!(
        "SELECT {COLUMNS}, contents FROM bulletins WHERE month = $1 AND ($2 IS NULL OR version = $2) \
         ORDER BY version DESC LIMIT 1"
    );
    let row: Option<StoredBulletin> = read!(db, |c| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(month)
            .bind(version)
            .fetch_optional(c)
            .await
    })?;
    let Some((month, version, issued_at, issued_by, reason, chain_record, chain_hash, json)) = row
    else {
        return Ok(None);
    };
    let issued = BulletinRow {
        month: month.clone(),
        version,
        issued_at,
        issued_by,
        reason,
        chain_record,
        chain_hash,
    }
    .to_api();
    Ok(Some(Bulletin {
        month,
        issued: Some(issued),
        draft: false,
        contents: serde_json::from_str(&json)?,
    }))
}
