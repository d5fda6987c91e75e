//! Reading the durable event log (writing happens in `write_tx!`).

use crate::db::DbResult;

use super::Db;
use super::rows::EventRow;

pub async fn after(db: &Db, last_id: i64, limit: i64) -> DbResult<Vec<EventRow>> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT id, kind, dept_a, dept_b, data, at FROM events WHERE id > $1 ORDER BY id LIMIT $2"
    )
    .bind(last_id)
    .bind(limit)
    .fetch_all(c)
    .await)?)
}

/// The id of the newest event (0 when the log is empty).
pub async fn head(db: &Db) -> DbResult<i64> {
    let (max,): (Option<i64>,) = read!(db, |c| sqlx::query_as("SELECT MAX(id) FROM events")
        .fetch_one(c)
        .await)?;
    Ok(max.unwrap_or(0))
}
