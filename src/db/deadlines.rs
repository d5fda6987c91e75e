//! Re-deriving stored deadlines when the calendar changes (DESIGN.md, "Deadlines").
//!
//! A deadline is stored when its period starts, computed on the calendar of that moment. When
//! a year's notice is loaded (or corrected), a deadline still running may lawfully end later
//! than the stored one — typically a provisional deadline into a year that was not yet
//! published. Every running deadline is then computed again from its origin: a later one
//! replaces the stored one; an earlier one does **not** (the department relied on what it was
//! told); the provisional mark becomes the new computation's. Each change is an event and an
//! audit line, in the same transaction.
//!
//! [`KINDS`] is the one list of stored deadline kinds: a new kind of deadline joins the
//! re-derivation by adding its entry (and its event payload in [`changed_payloads`]).

use std::collections::BTreeMap;

use crate::api::{
    DeliveryDeadlineChanged, DeliveryDeadlines, DisputeDeadline, DisputeDeadlineChanged,
    event_types,
};
use crate::db::DbResult;
use crate::domain::Calendar;
use crate::domain::{from_millis, to_cst, to_millis};

use super::Db;
use super::rows::{DELIVERY_COLUMNS, DeliveryRow, DisputeRow, MessageRow};

/// One deadline column of a kind.
pub struct DeadlineColumn {
    pub column: &'static str,
    /// SQL condition under which this deadline is still running (`$1` is now, in ms).
    pub running: &'static str,
    /// Extra `SET` clause when this deadline moves (a reminder sent for the old deadline is
    /// sent again for the new one).
    pub on_move: &'static str,
}

/// A stored kind of deadline: which rows, from which instant, by how many working days.
pub struct DeadlineKind {
    pub resource: Resource,
    pub table: &'static str,
    /// The instant the period runs from (the day of it is not counted).
    pub origin: &'static str,
    pub working_days: u32,
    /// Deadlines derived from `origin`, sharing one provisional mark.
    pub deadlines: &'static [DeadlineColumn],
    pub provisional: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Delivery,
    Dispute,
}

/// Every stored deadline the calendar decides.
pub const KINDS: &[DeadlineKind] = &[
    // Claim and feedback: 1 working day from receipt (art. 7(1)1, 7(2)1).
    DeadlineKind {
        resource: Resource::Delivery,
        table: "deliveries",
        origin: "received_at",
        working_days: 1,
        deadlines: &[
            DeadlineColumn {
                column: "claim_deadline",
                running: "status = 'pending' AND claim_deadline > $1",
                on_move: ", reminded_at = NULL",
            },
            DeadlineColumn {
                column: "feedback_deadline",
                running: "feedback_deadline > $1",
                on_move: "",
            },
        ],
        provisional: "deadline_provisional",
    },
    // A dispute's answer: 1 working day from opening.
    DeadlineKind {
        resource: Resource::Dispute,
        table: "disputes",
        origin: "opened_at",
        working_days: 1,
        deadlines: &[DeadlineColumn {
            column: "answer_due",
            running: "status = 'open' AND answer_due > $1",
            on_move: "",
        }],
        provisional: "answer_due_provisional",
    },
];

/// One re-derived record: its id and, per deadline column, the old value when it moved.
#[derive(Debug, Clone)]
struct Change {
    id: i64,
    /// (column index, old ms) of each deadline that moved.
    moved: Vec<(usize, i64)>,
    old_provisional: bool,
}

/// What a re-derivation changed, per kind (for logs and tests).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rederived {
    pub deliveries: usize,
    pub disputes: usize,
    pub duties: usize,
}

/// Re-derive every running deadline on `calendar` at `now`. Safe with several instances: each
/// change is a conditional update on the value read, so one instance makes it and emits it.
pub async fn rederive(db: &Db, calendar: &Calendar, now: i64) -> DbResult<Rederived> {
    let mut out = Rederived::default();
    for kind in KINDS {
        let n = rederive_kind(db, kind, calendar.clone(), now).await?;
        match kind.resource {
            Resource::Delivery => out.deliveries += n,
            Resource::Dispute => out.disputes += n,
        }
    }
    out.duties = rederive_duties(db, calendar.clone(), now).await?;
    if out != Rederived::default() {
        tracing::info!(
            deliveries = out.deliveries,
            disputes = out.disputes,
            duties = out.duties,
            "running deadlines re-derived on the new calendar"
        );
    }
    Ok(out)
}

/// Emit the event and audit line of each change, with the record as it now stands.
macro_rules! changed_payloads {
    ($tx:ident, $db:ident, $fx:ident, $kind:expr, $changes:expr, $now:expr) => {{
        let kind: &DeadlineKind = $kind;
        for c in &$changes {
            let old = |i: usize, current: i64| {
                c.moved
                    .iter()
                    .find(|(j, _)| *j == i)
                    .map_or(current, |(_, v)| *v)
            };
            let detail = match kind.resource {
                Resource::Delivery => {
                    let sql = format!(
                        "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN pushes p ON p.id = d.push_id WHERE d.id = $1"
                    );
                    let row: DeliveryRow = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(c.id)
                        .fetch_one(&mut *$tx)
                        .await?;
                    let previous = DeliveryDeadlines {
                        claim_deadline: to_cst(from_millis(old(0, row.claim_deadline))),
                        feedback_deadline: to_cst(from_millis(old(1, row.feedback_deadline))),
                        deadline_provisional: c.old_provisional,
                    };
                    let data = DeliveryDeadlineChanged {
                        delivery: row.to_api($db),
                        previous,
                    };
                    $fx.event(
                        event_types::DELIVERY_DEADLINE_CHANGED,
                        row.audience(),
                        &data,
                        $now,
                    );
                    serde_json::json!({
                        "previous": data.previous,
                        "claim_deadline": data.delivery.claim_deadline,
                        "feedback_deadline": data.delivery.feedback_deadline,
                        "deadline_provisional": data.delivery.deadline_provisional,
                    })
                }
                Resource::Dispute => {
                    let row: DisputeRow = sqlx::query_as(
                        "SELECT id, delivery_id, raised_by_department_id, answering_department_id, subject, status, \
                         opened_at, answer_due, answer_due_provisional, resolved_at, resolution FROM disputes WHERE id = $1",
                    )
                    .bind(c.id)
                    .fetch_one(&mut *$tx)
                    .await?;
                    let msgs: Vec<MessageRow> = sqlx::query_as(
                        "SELECT id, dispute_id, author, department_id, body, at FROM dispute_messages WHERE dispute_id = $1 ORDER BY id",
                    )
                    .bind(c.id)
                    .fetch_all(&mut *$tx)
                    .await?;
                    let data = DisputeDeadlineChanged {
                        dispute: row.to_api($db, msgs.iter().map(|m| m.to_api($db)).collect()),
                        previous: DisputeDeadline {
                            answer_due: to_cst(from_millis(old(0, row.answer_due))),
                            answer_due_provisional: c.old_provisional,
                        },
                    };
                    $fx.event(
                        event_types::DISPUTE_DEADLINE_CHANGED,
                        row.audience(),
                        &data,
                        $now,
                    );
                    serde_json::json!({
                        "previous": data.previous,
                        "answer_due": data.dispute.answer_due,
                        "answer_due_provisional": data.dispute.answer_due_provisional,
                    })
                }
            };
            let (action, entity) = match kind.resource {
                Resource::Delivery => ("delivery.deadline_change", "delivery"),
                Resource::Dispute => ("dispute.deadline_change", "dispute"),
            };
            $fx.audit($now, "system", action, entity, Some(c.id), detail);
        }
    }};
}

async fn rederive_kind(
    db: &Db,
    kind: &'static DeadlineKind,
    calendar: Calendar,
    now: i64,
) -> DbResult<usize> {
    Ok(write_tx!(db, |tx, fx| {
        // Every record with at least one running deadline: (origin, old value per column).
        let mut rows: BTreeMap<i64, (i64, bool, Vec<Option<i64>>)> = BTreeMap::new();
        for (i, col) in kind.deadlines.iter().enumerate() {
            let sql = format!(
                "SELECT id, {origin}, {prov}, {c} FROM {t} WHERE {running}",
                origin = kind.origin,
                prov = kind.provisional,
                c = col.column,
                t = kind.table,
                running = col.running,
            );
            let found: Vec<(i64, i64, bool, i64)> =
                sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(now)
                    .fetch_all(&mut *tx)
                    .await?;
            for (id, origin, prov, old) in found {
                let e = rows
                    .entry(id)
                    .or_insert_with(|| (origin, prov, vec![None; kind.deadlines.len()]));
                e.2[i] = Some(old);
            }
        }
        let mut changes = vec![];
        for (id, (origin, old_prov, olds)) in rows {
            let lawful = match calendar.deadline(from_millis(origin), kind.working_days) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(table = kind.table, id, error = %e, "deadline not re-derived");
                    continue;
                }
            };
            let new = to_millis(lawful.utc());
            let mut moved = vec![];
            for (i, old) in olds.iter().enumerate() {
                // Never earlier than communicated: only a later lawful deadline replaces it.
                let Some(old) = *old else { continue };
                if new <= old {
                    continue;
                }
                let col = &kind.deadlines[i];
                let sql = format!(
                    "UPDATE {t} SET {c} = $1{extra} WHERE id = $2 AND {c} = $3",
                    t = kind.table,
                    c = col.column,
                    extra = col.on_move,
                );
                let done = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(new)
                    .bind(id)
                    .bind(old)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if done == 1 {
                    moved.push((i, old));
                }
            }
            let mut remarked = false;
            if lawful.provisional != old_prov {
                let sql = format!(
                    "UPDATE {t} SET {p} = $1 WHERE id = $2 AND {p} = $3",
                    t = kind.table,
                    p = kind.provisional,
                );
                remarked = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                    .bind(lawful.provisional)
                    .bind(id)
                    .bind(old_prov)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1;
            }
            if !moved.is_empty() || remarked {
                changes.push(Change {
                    id,
                    moved,
                    old_provisional: old_prov,
                });
            }
        }
        changed_payloads!(tx, db, fx, kind, changes, now);
        changes.len()
    }))
}

/// Duties carry their own number of working days (`working_days`; NULL for a fixed instant,
/// which the calendar does not decide): every open one is computed again from its origin, by
/// the same rule as the kinds above — later extends, earlier never shortens.
async fn rederive_duties(db: &Db, calendar: Calendar, now: i64) -> DbResult<usize> {
    use super::duties::{DutyRow, duty_columns};
    Ok(write_tx!(db, |tx, fx| {
        let running: Vec<DutyRow> = sqlx::query_as(concat!(
            "SELECT ",
            duty_columns!(),
            " FROM duties WHERE state = 'open' AND working_days IS NOT NULL AND due_at > $1"
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut changed = 0;
        for old in running {
            let n = old.working_days.unwrap_or(0).max(0) as u32;
            let lawful = match calendar.deadline(from_millis(old.origin_at), n) {
                Ok(d) => d,
                Err(e) => {
                    tracing::warn!(duty = old.id, error = %e, "deadline not re-derived");
                    continue;
                }
            };
            let new_due = to_millis(lawful.utc()).max(old.due_at);
            if new_due == old.due_at && lawful.provisional == old.provisional {
                continue;
            }
            let done = sqlx::query(
                "UPDATE duties SET due_at = $1, provisional = $2, reminded_at = CASE WHEN due_at = $1 THEN reminded_at ELSE NULL END \
                 WHERE id = $3 AND due_at = $4 AND state = 'open'",
            )
            .bind(new_due)
            .bind(lawful.provisional)
            .bind(old.id)
            .bind(old.due_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done != 1 {
                continue;
            }
            changed += 1;
            let new = DutyRow {
                due_at: new_due,
                provisional: lawful.provisional,
                ..old.clone()
            };
            let data = crate::api::DutyDeadlineChanged {
                duty: new.to_api(db),
                previous_due: to_cst(from_millis(old.due_at)),
                previous_provisional: old.provisional,
            };
            fx.event(
                event_types::DUTY_DEADLINE_CHANGED,
                new.audience(),
                &data,
                now,
            );
            fx.audit(
                now,
                "system",
                "duty.deadline_change",
                "duty",
                Some(new.id),
                serde_json::json!({
                    "previous": data.previous_due,
                    "due": data.duty.due,
                    "provisional": data.duty.provisional,
                }),
            );
        }
        changed
    }))
}
