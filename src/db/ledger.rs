//! The accountability ledger's annotations (arts. 14–15, docs/STATISTICS.md): a duty officer's
//! decision about a record, kept beside it. Records and annotations are only ever inserted
//! (migration 0020 refuses deletes with triggers; nothing here deletes or updates).

use std::collections::HashMap;

use crate::api::{AccountabilityRecord, Annotation, AnnotationDecision};
use crate::db::{DbError, DbResult};
use crate::domain::{Principal, from_millis, to_cst};

use super::Db;

/// The ledger's rules besides the duty kinds' (`db::duties::SPECS`): a delivery not claimed
/// in time, a thread not answered in time, an approval push uploaded late.
pub const RULES: &[&str] = &["claim_overdue", "dispute_answer_overdue", "upload_late"];

#[derive(sqlx::FromRow)]
struct AnnotationRow {
    id: i64,
    accountability_id: i64,
    #[sqlx(try_from = "String")]
    decision: AnnotationDecision,
    text: String,
    by_name: String,
    at: i64,
}

impl AnnotationRow {
    fn into_api(self) -> Annotation {
        Annotation {
            id: self.id,
            decision: self.decision,
            text: self.text,
            by: self.by_name,
            at: to_cst(from_millis(self.at)),
        }
    }
}

/// Annotate record `id` (`text` already validated). The annotation is an audit line of its
/// own, in the chain. `NotFound` when there is no such record.
pub async fn annotate(
    db: &Db,
    by: &Principal,
    id: i64,
    decision: AnnotationDecision,
    text: String,
    now: i64,
) -> DbResult<Annotation> {
    let by = by.name.clone();
    let row = write_tx!(db, |tx, fx| {
        let exists: Option<(i64,)> =
            sqlx::query_as("SELECT department_id FROM accountability WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_none() {
            return Err(DbError::NotFound {
                zh: "问责记录",
                en: "accountability record",
            });
        }
        let row: AnnotationRow = sqlx::query_as(
            "INSERT INTO accountability_annotations (accountability_id, decision, text, by_name, at) \
             VALUES ($1, $2, $3, $4, $5) \
             RETURNING id, accountability_id, decision, text, by_name, at",
        )
        .bind(id)
        .bind(decision.as_str())
        .bind(&text)
        .bind(&by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        fx.audit(
            now,
            &by,
            "accountability.annotate",
            "accountability",
            Some(id),
            serde_json::json!({
                "annotation": row.id,
                "decision": decision.as_str(),
                "text": &text,
            }),
        );
        row
    });
    Ok(row.into_api())
}

/// The annotations of these records, oldest first, by record id.
pub async fn annotations(db: &Db, ids: &[i64]) -> DbResult<HashMap<i64, Vec<Annotation>>> {
    let mut out: HashMap<i64, Vec<Annotation>> = HashMap::new();
    // Bounded IN lists: a month's ledger can hold thousands of records.
    for chunk in ids.chunks(500) {
        let rows: Vec<AnnotationRow> = read!(db, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT id, accountability_id, decision, text, by_name, at \
                 FROM accountability_annotations WHERE accountability_id IN (",
            );
            let mut list = qb.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY id");
            qb.build_query_as().fetch_all(c).await
        })?;
        for r in rows {
            out.entry(r.accountability_id)
                .or_default()
                .push(r.into_api());
        }
    }
    Ok(out)
}

/// `GET /api/v1/accountability`'s filters. `from`/`to`: the month, by the record's month
/// instant (`received_at`); the rest narrow it.
#[derive(Debug, Clone, Default)]
pub struct LedgerQuery {
    pub from: i64,
    pub to: i64,
    pub department: Option<i64>,
    pub rule: Option<String>,
    pub person: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RecordRow {
    id: i64,
    department_id: i64,
    rule: String,
    article: String,
    delivery_id: Option<i64>,
    push_id: Option<i64>,
    duty_id: Option<i64>,
    dispute_id: Option<i64>,
    person: Option<String>,
    item: String,
    received_at: i64,
    occurred_at: i64,
}

/// The month's records matching the filters, each with its annotations, in month order.
pub async fn list(db: &Db, q: &LedgerQuery) -> DbResult<Vec<AccountabilityRecord>> {
    let rows: Vec<RecordRow> = read!(db, |c| {
        sqlx::query_as(
            "SELECT id, department_id, rule, article, delivery_id, push_id, duty_id, dispute_id, person, item, \
             received_at, occurred_at FROM accountability \
             WHERE received_at >= $1 AND received_at < $2 AND ($3 IS NULL OR department_id = $3) \
             AND ($4 IS NULL OR rule = $4) AND ($5 IS NULL OR person = $5) \
             ORDER BY received_at, id",
        )
        .bind(q.from)
        .bind(q.to)
        .bind(q.department)
        .bind(q.rule.as_deref())
        .bind(q.person.as_deref())
        .fetch_all(c)
        .await
    })?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut notes = annotations(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| AccountabilityRecord {
            id: r.id,
            department: db.dept_code(r.department_id),
            rule: r.rule,
            article: r.article,
            delivery_id: r.delivery_id,
            push_id: r.push_id,
            duty_id: r.duty_id,
            dispute_id: r.dispute_id,
            person: r.person,
            item: r.item,
            received_at: to_cst(from_millis(r.received_at)),
            occurred_at: to_cst(from_millis(r.occurred_at)),
            annotations: notes.remove(&r.id).unwrap_or_default(),
        })
        .collect())
}
