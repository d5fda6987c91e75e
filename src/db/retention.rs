//! Housekeeping by age: `Idempotency-Key` records (a retry window, not a record of anything)
//! and sessions long past their expiry. Pushes, deliveries, the audit log and everything else
//! are records and are never purged here.

use super::Db;
use crate::db::DbResult;

/// Rows deleted per statement, so a large backlog never holds the writer for long.
const BATCH: i64 = 5_000;

/// Delete idempotency records created before `idempotency_before` and sessions that expired
/// before `sessions_before`. Returns how many of each went.
pub async fn purge(db: &Db, idempotency_before: i64, sessions_before: i64) -> DbResult<(u64, u64)> {
    let mut totals = (0, 0);
    loop {
        let (idem, sessions) = write_tx!(db, |tx, _fx| {
            let idem = sqlx::query(
                "DELETE FROM idempotency WHERE (principal, key) IN \
                 (SELECT principal, key FROM idempotency WHERE created_at < $1 LIMIT $2)",
            )
            .bind(idempotency_before)
            .bind(BATCH)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let sessions = sqlx::query(
                "DELETE FROM sessions WHERE id IN \
                 (SELECT id FROM sessions WHERE expires_at < $1 LIMIT $2)",
            )
            .bind(sessions_before)
            .bind(BATCH)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            (idem, sessions)
        });
        totals.0 += idem;
        totals.1 += sessions;
        if idem < BATCH as u64 && sessions < BATCH as u64 {
            return Ok(totals);
        }
    }
}
