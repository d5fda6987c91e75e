//! The sweeper's side of duties: deadlines that passed, reminders, and the monthly figures.

use std::collections::BTreeMap;

use sqlx::QueryBuilder;

use crate::api::*;
use crate::db::DbResult;

use super::{DutyRow, OnMiss, SPECS, spec};
use crate::db::Db;

/// Duties per sweeper transaction (as for deliveries: short write-lock holds).
pub const SWEEP_BATCH: i64 = 5000;

/// Mark up to one batch of duties whose deadline has come (`due_at <= now`): `overdue` or,
/// for a [`OnMiss::Lapse`] kind, `lapsed` with its kind's hook run (deemed consent…). Each gets
/// its accountability record, naming the person responsible where there is one. Returns how
/// many this call changed; a duty is marked once whoever sweeps (conditional update).
pub async fn miss_batch(db: &Db, now: i64) -> DbResult<usize> {
    let lapsing: Vec<&'static str> = SPECS
        .iter()
        .filter(|s| s.on_miss == OnMiss::Lapse)
        .map(|s| s.kind.as_str())
        .collect();
    // The kind names are the enum's own constants, not input: safe to inline.
    let lapsing = lapsing
        .iter()
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE duties SET state = CASE WHEN kind IN ({lapsing}) THEN 'lapsed' ELSE 'overdue' END \
         WHERE id IN (SELECT id FROM duties WHERE state = 'open' AND due_at <= $1 ORDER BY due_at, id LIMIT $2) \
         AND state = 'open' RETURNING {cols}",
        cols = duty_columns!()
    );
    Ok(write_tx!(db, |tx, fx| {
        let rows: Vec<DutyRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(now)
            .bind(SWEEP_BATCH)
            .fetch_all(&mut *tx)
            .await?;
        for chunk in rows.chunks(1000) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO accountability (department_id, rule, article, duty_id, person, item, received_at, occurred_at) ",
            );
            qb.push_values(chunk, |mut b, r| {
                let s = spec(r.kind);
                b.push_bind(r.department_id)
                    .push_bind(s.rule)
                    .push_bind(s.article)
                    .push_bind(r.id)
                    .push_bind(&r.person)
                    .push_bind(&r.title)
                    .push_bind(r.origin_at)
                    .push_bind(r.due_at);
            });
            qb.push(" ON CONFLICT (duty_id) DO NOTHING");
            qb.build().execute(&mut *tx).await?;
        }
        for r in &rows {
            let s = spec(r.kind);
            let duty = r.to_api(db);
            let lapsed = r.state == DutyState::Lapsed;
            if lapsed && let Some(hook) = s.lapse_hook {
                sqlx::query(hook)
                    .bind(r.subject_id)
                    .bind(r.due_at)
                    .bind(r.department_id)
                    .execute(&mut *tx)
                    .await?;
            }
            let kind = if lapsed {
                event_types::DUTY_LAPSED
            } else {
                event_types::DUTY_OVERDUE
            };
            // The event is stamped with the deadline instant: that is when it happened.
            fx.event(kind, r.audience(), &duty, r.due_at);
            if lapsed && let Some(extra) = s.lapse_event {
                fx.event(extra, r.audience(), &duty, r.due_at);
            }
            fx.audit(
                now,
                "system",
                if lapsed { "duty.lapse" } else { "duty.overdue" },
                "duty",
                Some(r.id),
                serde_json::json!({"kind": r.kind, "subject_id": r.subject_id, "rule": s.rule}),
            );
        }
        rows.len()
    }))
}

/// Send the 催办 reminder due at `now` to every open duty whose last working day is today
/// (the same rule as a claim's, `domain::reminders`); `reminded_at` makes it go out once.
pub async fn remind_batch(
    db: &Db,
    now: i64,
    due: &crate::domain::reminders::DueReminders,
) -> DbResult<usize> {
    let slot = crate::domain::to_millis(due.slot);
    let after = crate::domain::to_millis(due.deadlines_after);
    let until = crate::domain::to_millis(due.deadlines_until);
    Ok(write_tx!(db, |tx, fx| {
        let rows: Vec<DutyRow> = sqlx::query_as(concat!(
            "UPDATE duties SET reminded_at = $1 \
             WHERE id IN (SELECT id FROM duties WHERE state = 'open' \
                          AND due_at > $2 AND due_at <= $3 AND due_at > $1 \
                          AND (reminded_at IS NULL OR reminded_at < $4) ORDER BY due_at, id LIMIT $5) \
             AND state = 'open' AND (reminded_at IS NULL OR reminded_at < $4) RETURNING ",
            duty_columns!()
        ))
        .bind(now)
        .bind(after)
        .bind(until)
        .bind(slot)
        .bind(SWEEP_BATCH)
        .fetch_all(&mut *tx)
        .await?;
        for r in &rows {
            fx.event(event_types::DUTY_REMINDER, r.audience(), &r.to_api(db), now);
        }
        rows.len()
    }))
}

/// Per department, per kind: the figures of the duties whose origin falls in `[from, to)`
/// (docs/STATISTICS.md). Kinds with no duty in the month are absent.
pub async fn monthly_figures(
    db: &Db,
    from: i64,
    to: i64,
) -> DbResult<BTreeMap<i64, Vec<DeadlineFigures>>> {
    let rows: Vec<(i64, DutyKind, DutyState, i64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT department_id, kind, state, COUNT(*) FROM duties \
             WHERE origin_at >= $1 AND origin_at < $2 AND state <> 'cancelled' \
             GROUP BY department_id, kind, state",
        )
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?;
    let mut by: BTreeMap<(i64, DutyKind), DeadlineFigures> = BTreeMap::new();
    for (dept, kind, state, n) in rows {
        let f = by.entry((dept, kind)).or_insert(DeadlineFigures {
            kind,
            due: 0,
            on_time: 0,
            late: 0,
            open: 0,
        });
        f.due += n;
        match state {
            DutyState::Done => f.on_time += n,
            DutyState::Open => f.open += n,
            DutyState::Overdue | DutyState::DoneLate | DutyState::Lapsed => f.late += n,
            DutyState::Cancelled => f.due -= n,
        }
    }
    let mut out: BTreeMap<i64, Vec<DeadlineFigures>> = BTreeMap::new();
    for ((dept, _), f) in by {
        out.entry(dept).or_default().push(f);
    }
    Ok(out)
}
