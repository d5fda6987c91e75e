//! The disk probe, waiting for the event tailer, and bulk inserts by SQL.

use crate::prelude::*;

/// The disk's durable-write latency: what one SQLite commit (WAL, synchronous=FULL) waits for.
pub fn fsync_probe(dir: &std::path::Path) -> anyhow::Result<Vec<Duration>> {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut f = std::fs::File::create(&path)?;
    let block = [7u8; 4096];
    let mut lat = Vec::with_capacity(200);
    for _ in 0..200 {
        let t = Instant::now();
        f.write_all(&block)?;
        f.sync_all()?;
        lat.push(t.elapsed());
    }
    drop(f);
    std::fs::remove_file(&path)?;
    lat.sort();
    Ok(lat)
}

/// Wait until the event tailer has broadcast everything in the log.
pub async fn settle_tailer(
    state: &shenguan::server::AppState,
    pool: &sqlx::SqlitePool,
) -> anyhow::Result<()> {
    let (max,): (Option<i64>,) = sqlx::query_as("SELECT MAX(id) FROM events")
        .fetch_one(pool)
        .await?;
    let max = max.unwrap_or(0);
    let t = Instant::now();
    while state.hub.head() < max && t.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}

/// Insert `n` pushes with one delivery each, straight into the server's database, in big
/// transactions. `row(i)` gives (status, received_at, claim_deadline, claimed_at).
/// Returns the new delivery ids in order.
/// One bulk-inserted delivery: (status, received_at, claim_deadline, claimed_at).
pub type BulkRow = (&'static str, i64, i64, Option<i64>);

pub async fn bulk_insert(
    pool: &sqlx::SqlitePool,
    n: usize,
    source_id: i64,
    dept_ids: &[i64],
    full_content: bool,
    row: impl Fn(usize) -> (&'static str, i64, i64, Option<i64>),
) -> anyhow::Result<Vec<i64>> {
    const CHUNK: usize = 2000;
    // The statistics rows get a stub content (the query never reads pushes) to keep the
    // million-row set-up short; the sweeper's rows get a real one.
    let content = if full_content {
        serde_json::to_string(&PushContent::Approval(approval_push(
            0,
            &["market", "health"],
            chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid"),
        )))?
    } else {
        "{}".to_string()
    };
    let mut ids = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
        let end = (i + 50_000).min(n);
        while i < end {
            let m = CHUNK.min(end - i);
            let rows: Vec<(usize, BulkRow)> = (i..i + m).map(|k| (k, row(k))).collect();
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO pushes (kind, source_department_id, title, counterparty_name, license_no, important, content, created_at, created_by) ",
            );
            qb.push_values(&rows, |mut b, (k, r)| {
                b.push("'approval', ")
                    .push_bind_unseparated(source_id)
                    .push_unseparated(", ")
                    .push_bind_unseparated(format!("食品经营许可（新办）#b{k}"))
                    .push_unseparated(", '福州市示例餐饮管理有限公司', ")
                    .push_bind_unseparated(format!("JYB{k:09}"))
                    .push_unseparated(", FALSE, ")
                    .push_bind_unseparated(&content)
                    .push_unseparated(", ")
                    .push_bind_unseparated(r.1)
                    .push_unseparated(", 'pusher'");
            });
            qb.push(" RETURNING id");
            let push_ids: Vec<(i64,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
            let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                "INSERT INTO deliveries (push_id, department_id, source_department_id, status, received_at, claim_deadline, feedback_deadline, deadline_provisional, claimed_at, claimed_by, escalated) ",
            );
            qb.push_values(rows.iter().zip(&push_ids), |mut b, ((k, r), (pid,))| {
                let claimed_by = match r.0 {
                    "claimed" => Some("staff"),
                    "auto_claimed" => Some("system"),
                    _ => None,
                };
                b.push_bind(*pid)
                    .push_bind(dept_ids[k % dept_ids.len()])
                    .push_bind(source_id)
                    .push_bind(r.0)
                    .push_bind(r.1)
                    .push_bind(r.2)
                    .push_bind(r.2)
                    .push("FALSE")
                    .push_bind(r.3)
                    .push_bind(claimed_by)
                    .push("FALSE");
            });
            qb.push(" RETURNING id");
            let d: Vec<(i64,)> = qb.build_query_as().fetch_all(&mut *tx).await?;
            ids.extend(d.into_iter().map(|(id,)| id));
            i += m;
        }
        tx.commit().await?;
    }
    Ok(ids)
}
