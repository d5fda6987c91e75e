//! Monthly statistics (art. 7: "每月通报…上传认领情况"), the accountability ledger
//! (arts. 14–15) and the audit trail.

use std::collections::HashMap;

use crate::api::*;
use crate::db::DbResult;
use crate::domain::{from_millis, to_cst};

use super::Db;

#[derive(sqlx::FromRow)]
struct MonthRow {
    department_id: i64,
    received: i64,
    claimed: i64,
    auto_claimed: i64,
    pending: i64,
    claim_ms: i64,
}

/// Per-department figures for deliveries received in `[from, to)` (see docs/STATISTICS.md).
/// A range scan of the covering index `deliveries_month`: no table rows are read.
pub async fn monthly(
    db: &Db,
    month: &str,
    from: i64,
    to: i64,
    only_dept: Option<i64>,
) -> DbResult<MonthlyStats> {
    let rows: Vec<MonthRow> = read!(db, |c| {
        sqlx::query_as(
        "SELECT department_id, claimed + auto_claimed + pending AS received, claimed, auto_claimed, pending, claim_ms FROM ( \
           SELECT dep.id AS department_id, \
             (SELECT COUNT(*) FROM deliveries d WHERE d.department_id = dep.id AND d.status = 'claimed' AND d.received_at >= $1 AND d.received_at < $2) AS claimed, \
             (SELECT COUNT(*) FROM deliveries d WHERE d.department_id = dep.id AND d.status = 'auto_claimed' AND d.received_at >= $1 AND d.received_at < $2) AS auto_claimed, \
             (SELECT COUNT(*) FROM deliveries d WHERE d.department_id = dep.id AND d.status = 'pending' AND d.received_at >= $1 AND d.received_at < $2) AS pending, \
             CAST(COALESCE((SELECT SUM(d.claimed_at - d.received_at) FROM deliveries d WHERE d.department_id = dep.id AND d.status = 'claimed' AND d.received_at >= $1 AND d.received_at < $2), 0) AS BIGINT) AS claim_ms \
           FROM departments dep) per_dept"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?;
    let disputes: Vec<(i64, i64)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT raised_by_department_id, COUNT(*) FROM disputes WHERE opened_at >= $1 AND opened_at < $2 GROUP BY raised_by_department_id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?;
    let disputes: HashMap<i64, i64> = disputes.into_iter().collect();
    // A range scan of the partial index `pushes_admission`.
    let acks: Vec<(i64, i64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT source_department_id, COUNT(*) FROM pushes WHERE admission_mode IS NOT NULL AND kind = 'approval' AND created_at >= $1 AND created_at < $2 GROUP BY source_department_id",
        )
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?;
    let acks: HashMap<i64, i64> = acks.into_iter().collect();
    let mut deadlines = super::duties::monthly_figures(db, from, to).await?;
    let revocations: HashMap<i64, i64> = super::verifications::revocations(db, from, to)
        .await?
        .into_iter()
        .collect();
    let mut letters = super::license_actions::monthly_figures(db, from, to).await?;
    let by_dept: HashMap<i64, MonthRow> = rows.into_iter().map(|r| (r.department_id, r)).collect();
    let mut departments = Vec::new();
    // Every department appears, including those that received nothing: a zero is a fact.
    for (id, dept) in db.departments() {
        if only_dept.is_some_and(|d| d != id) {
            continue;
        }
        let r = by_dept.get(&id);
        let received = r.map_or(0, |r| r.received);
        let claimed = r.map_or(0, |r| r.claimed);
        let auto = r.map_or(0, |r| r.auto_claimed);
        let decided = claimed + auto;
        departments.push(DepartmentMonth {
            department: dept.code,
            name: dept.name,
            received,
            claimed_on_time: claimed,
            auto_claimed: auto,
            pending: r.map_or(0, |r| r.pending),
            on_time_rate: (decided > 0).then(|| claimed as f64 / decided as f64),
            avg_claim_seconds: (claimed > 0)
                .then(|| r.map_or(0, |r| r.claim_ms) as f64 / claimed as f64 / 1000.0),
            disputes_opened: disputes.get(&id).copied().unwrap_or(0),
            deadlines: deadlines.remove(&id).unwrap_or_default(),
            revocations: revocations.get(&id).copied().unwrap_or(0),
            admission_acknowledgements: acks.get(&id).copied().unwrap_or(0),
            license_actions: letters.remove(&id).unwrap_or_default(),
        });
    }
    Ok(MonthlyStats {
        month: month.to_string(),
        departments,
    })
}

/// The ledger's records whose item was received in `[from, to)` — the month rule of the
/// statistics, so a month's auto-claims and its ledger agree (docs/STATISTICS.md). With their
/// annotations; filters in [`super::ledger::list`].
pub async fn accountability(
    db: &Db,
    from: i64,
    to: i64,
    only_dept: Option<i64>,
) -> DbResult<Vec<AccountabilityRecord>> {
    super::ledger::list(
        db,
        &super::ledger::LedgerQuery {
            from,
            to,
            department: only_dept,
            ..Default::default()
        },
    )
    .await
}

/// A delivery's history from the audit trail.
pub async fn history(db: &Db, delivery_id: i64) -> DbResult<Vec<HistoryEntry>> {
    let rows: Vec<(i64, String, String)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT at, actor, action FROM audit_log WHERE entity = 'delivery' AND entity_id = $1 ORDER BY id"
    )
    .bind(delivery_id)
    .fetch_all(c)
    .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(at, actor, action)| HistoryEntry {
            at: to_cst(from_millis(at)),
            actor,
            action,
        })
        .collect())
}
