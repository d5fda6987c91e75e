//! Deliveries: listing, claiming, escalating, and the sweeper's auto-claims and reminders.
//!
//! Every state change is one conditional statement (`… WHERE status = 'pending' …`), so a
//! claim racing the sweeper, or two instances sweeping, change a row exactly once — and only
//! the statement that changed it writes the event.

use sqlx::QueryBuilder;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::Principal;

use super::Db;
use super::rows::{DELIVERY_COLUMNS, DeliveryRow, EscalationRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing,
}

#[derive(Debug, Clone)]
pub struct ListFilter {
    pub status: Option<DeliveryStatus>,
    /// Restrict to one department (its incoming or outgoing side).
    pub department: Option<(i64, Direction)>,
    /// Keyset cursor: (claim_deadline, id) of the last row of the previous page.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

pub async fn list(db: &Db, f: &ListFilter) -> DbResult<Vec<DeliveryRow>> {
    Ok(read!(db, |c| {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN pushes p ON p.id = d.push_id WHERE 1 = 1"
        ));
        if let Some((dept, dir)) = f.department {
            qb.push(match dir {
                Direction::Incoming => " AND d.department_id = ",
                Direction::Outgoing => " AND d.source_department_id = ",
            });
            qb.push_bind(dept);
        }
        if let Some(s) = f.status {
            qb.push(" AND d.status = ").push_bind(s.as_str());
        }
        if let Some((deadline, id)) = f.after {
            qb.push(" AND (d.claim_deadline > ")
                .push_bind(deadline)
                .push(" OR (d.claim_deadline = ")
                .push_bind(deadline)
                .push(" AND d.id > ")
                .push_bind(id)
                .push("))");
        }
        qb.push(" ORDER BY d.claim_deadline, d.id LIMIT ")
            .push_bind(f.limit);
        qb.build_query_as::<DeliveryRow>().fetch_all(c).await
    })?)
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<DeliveryRow>> {
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN pushes p ON p.id = d.push_id WHERE d.id = $1"
    );
    Ok(read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Claim by a person, strictly before the deadline (acting at the deadline instant is late).
/// `seen` is the delivery as the caller read it (to check visibility): the push's fields never
/// change, so a successful claim needs one statement, which returns the one field that may
/// have changed meanwhile. Only a refused claim reads the row again, to say why.
pub async fn claim(
    db: &Db,
    actor: &Principal,
    seen: DeliveryRow,
    now: i64,
) -> DbResult<DeliveryRow> {
    let actor = actor.clone();
    Ok(write_tx!(db, |tx, fx| {
        let changed: Option<(bool,)> = sqlx::query_as(
            "UPDATE deliveries SET status = 'claimed', claimed_at = $1, claimed_by = $2 \
             WHERE id = $3 AND status = 'pending' AND claim_deadline > $1 RETURNING escalated",
        )
        .bind(now)
        .bind(&actor.name)
        .bind(seen.id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((escalated,)) = changed else {
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN pushes p ON p.id = d.push_id WHERE d.id = $1"
            );
            let row: DeliveryRow = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(seen.id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(DbError::NotFound {
                    zh: "推送",
                    en: "delivery",
                })?;
            return Err(refused_claim(&row));
        };
        let row = DeliveryRow {
            status: DeliveryStatus::Claimed,
            claimed_at: Some(now),
            claimed_by: Some(actor.name.clone()),
            escalated,
            ..seen
        };
        let d = row.to_api(db);
        fx.event(event_types::DELIVERY_CLAIMED, row.audience(), &d, now);
        fx.audit(
            now,
            &actor.name,
            "delivery.claim",
            "delivery",
            Some(row.id),
            serde_json::json!({}),
        );
        row
    }))
}

/// Why a claim changed nothing: someone claimed it, the sweeper did, or time ran out.
fn refused_claim(row: &DeliveryRow) -> DbError {
    match row.status {
        DeliveryStatus::Claimed => {
            let by = row.claimed_by.as_deref().unwrap_or("?");
            DbError::conflict(
                "already_claimed",
                format!("已被 {by} 认领 / already claimed by {by}"),
            )
        }
        DeliveryStatus::AutoClaimed => DbError::conflict(
            "already_auto_claimed",
            "已超时自动认领 / already auto-claimed at the deadline",
        ),
        _ => DbError::conflict(
            "claim_window_closed",
            "认领时限已过，将自动认领 / the claim deadline has passed",
        ),
    }
}

pub async fn escalate(
    db: &Db,
    actor: &Principal,
    row: &DeliveryRow,
    reason: &str,
    now: i64,
) -> DbResult<Escalation> {
    let (actor, row, reason) = (actor.clone(), row.clone(), reason.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let (eid,): (i64,) =
            sqlx::query_as("INSERT INTO escalations (delivery_id, by_name, reason, at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(row.id)
                .bind(&actor.name)
                .bind(&reason)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
        sqlx::query("UPDATE deliveries SET escalated = TRUE WHERE id = $1")
            .bind(row.id)
            .execute(&mut *tx)
            .await?;
        let mut updated = row.clone();
        updated.escalated = true;
        let delivery = updated.to_api(db);
        let esc = Escalation {
            id: eid,
            delivery_id: row.id,
            by: actor.name.clone(),
            reason: reason.to_string(),
            at: crate::domain::to_cst(crate::domain::from_millis(now)),
        };
        fx.event(
            event_types::DELIVERY_ESCALATED,
            row.audience(),
            &serde_json::json!({"delivery": delivery, "escalation": esc}),
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "delivery.escalate",
            "delivery",
            Some(row.id),
            serde_json::json!({"reason": reason}),
        );
        esc
    }))
}

pub async fn escalations(db: &Db, delivery_id: i64) -> DbResult<Vec<Escalation>> {
    let rows: Vec<EscalationRow> = read!(db, |c| {
        sqlx::query_as(
        "SELECT id, delivery_id, by_name, reason, at FROM escalations WHERE delivery_id = $1 ORDER BY id"
    )
    .bind(delivery_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows.iter().map(EscalationRow::to_api).collect())
}

/// The joined delivery rows for the ids a sweep statement returned, in the current transaction.
macro_rules! rows_by_ids {
    ($tx:ident, $ids:expr) => {{
        let mut qb = QueryBuilder::new(format!(
            "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN pushes p ON p.id = d.push_id WHERE d.id IN ("
        ));
        let mut sep = qb.separated(", ");
        for (id,) in $ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        let rows: Vec<DeliveryRow> = qb.build_query_as().fetch_all(&mut *$tx).await?;
        rows
    }};
}

/// Rows per sweeper transaction: large enough to be fast, small enough not to hold the
/// SQLite write lock for long while people are claiming.
pub const SWEEP_BATCH: i64 = 5000;

/// Auto-claim up to one batch of overdue deliveries (art. 7(1)1: "超时未接收的视为自动认领"),
/// with an accountability record for each. Returns how many this call changed.
pub async fn auto_claim_batch(db: &Db, now: i64) -> DbResult<usize> {
    Ok(write_tx!(db, |tx, fx| {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "UPDATE deliveries SET status = 'auto_claimed', claimed_at = claim_deadline \
             WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND claim_deadline <= $1 \
                          ORDER BY claim_deadline, id LIMIT $2) \
             AND status = 'pending' RETURNING id",
        )
        .bind(now)
        .bind(SWEEP_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if !ids.is_empty() {
            let rows = rows_by_ids!(tx, &ids);
            for chunk in rows.chunks(1000) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO accountability (department_id, rule, article, delivery_id, push_id, item, received_at, occurred_at) ",
                );
                qb.push_values(chunk, |mut b, r| {
                    b.push_bind(r.department_id)
                        .push_bind("claim_overdue")
                        .push_bind(if r.push_kind == PushKind::Supervision {
                            "7(2)1"
                        } else {
                            "7(1)1"
                        })
                        .push_bind(r.id)
                        .push_bind(r.push_id)
                        .push_bind(&r.title)
                        .push_bind(r.received_at)
                        .push_bind(r.claim_deadline);
                });
                qb.push(" ON CONFLICT (rule, delivery_id) DO NOTHING");
                qb.build().execute(&mut *tx).await?;
            }
            for r in &rows {
                let d = r.to_api(db);
                fx.event(
                    event_types::DELIVERY_AUTO_CLAIMED,
                    r.audience(),
                    &d,
                    r.claim_deadline,
                );
                fx.audit(
                    now,
                    "system",
                    "delivery.auto_claim",
                    "delivery",
                    Some(r.id),
                    serde_json::json!({}),
                );
            }
        }
        ids.len()
    }))
}

/// Send the 催办 reminder due at `now` (see [`crate::domain::reminders::due_reminders`]) to
/// every running delivery whose last working day is today and that was last reminded before
/// the reminder time that has come. Setting `reminded_at` in the same conditional statement
/// makes each reminder go out once, whoever sweeps.
pub async fn remind_batch(
    db: &Db,
    now: i64,
    due: &crate::domain::reminders::DueReminders,
) -> DbResult<usize> {
    let slot = crate::domain::to_millis(due.slot);
    let after = crate::domain::to_millis(due.deadlines_after);
    let until = crate::domain::to_millis(due.deadlines_until);
    Ok(write_tx!(db, |tx, fx| {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "UPDATE deliveries SET reminded_at = $1 \
             WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' \
                          AND claim_deadline > $2 AND claim_deadline <= $3 AND claim_deadline > $1 \
                          AND (reminded_at IS NULL OR reminded_at < $4) ORDER BY claim_deadline, id LIMIT $5) \
             AND status = 'pending' AND (reminded_at IS NULL OR reminded_at < $4) RETURNING id",
        )
        .bind(now)
        .bind(after)
        .bind(until)
        .bind(slot)
        .bind(SWEEP_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        if !ids.is_empty() {
            let rows = rows_by_ids!(tx, &ids);
            for r in &rows {
                fx.event(
                    event_types::DELIVERY_REMINDER,
                    r.audience(),
                    &r.to_api(db),
                    now,
                );
            }
        }
        ids.len()
    }))
}
