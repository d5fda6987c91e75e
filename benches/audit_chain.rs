//! `audit verify` over a large chained log (issue 13: 1,000,000 records ≤ 10 s).
//!
//! `cargo bench --bench audit_chain` — a fresh SQLite file in a temp dir (the server's own
//! settings, through `Db::connect`), and the same on PostgreSQL when `SHENGUAN_TEST_PG` is set
//! (a schema of its own, dropped afterwards). `SG_AUDIT_RECORDS` sets the size (default
//! 1,000,000). The log is bulk-inserted already chained, with the server's own hash function
//! (`db::audit::link`), in multi-row inserts; then the walk is timed: the same code as
//! `shenguan audit verify`. Results in docs/BENCHMARKS.md, "Audit chain".

use std::time::Instant;

use shenguan::db::audit::{Verdict, link, verify};
use shenguan::db::{Db, NewAudit, Pool};

const BATCH: usize = 20_000;

fn lines(from: i64, n: usize) -> Vec<NewAudit> {
    // Shaped like real lines: a claim, a push, a login, with JSON detail of typical length.
    (0..n as i64)
        .map(|i| {
            let k = from + i;
            let (action, entity) = match k % 3 {
                0 => ("push.create", "push"),
                1 => ("delivery.claim", "delivery"),
                _ => ("session.login", "user"),
            };
            NewAudit {
                at: 1_764_460_800_000 + k * 1_000,
                actor: format!("staff{}", k % 40),
                action,
                entity,
                entity_id: Some(k),
                detail: format!(
                    "{{\"kind\":\"approval\",\"recipients\":[{},{}],\"n\":{k}}}",
                    k % 20,
                    (k + 1) % 20
                ),
            }
        })
        .collect()
}

macro_rules! fill {
    ($pool:expr, $records:expr) => {{
        let mut head: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_chain WHERE id = 1")
            .fetch_one($pool)
            .await
            .unwrap();
        let mut done = 0usize;
        while done < $records {
            let n = BATCH.min($records - done);
            let batch = lines(done as i64, n);
            let (links, new_head) = link(&head, &batch).unwrap();
            let mut tx = $pool.begin().await.unwrap();
            let rows: Vec<_> = batch.iter().zip(&links).collect();
            for chunk in rows.chunks(1000) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail, seq, prev_hash, hash) ",
                );
                qb.push_values(chunk, |mut b, (a, l)| {
                    b.push_bind(a.at)
                        .push_bind(&a.actor)
                        .push_bind(a.action)
                        .push_bind(a.entity)
                        .push_bind(a.entity_id)
                        .push_bind(&a.detail)
                        .push_bind(l.seq)
                        .push_bind(&l.prev_hash)
                        .push_bind(&l.hash);
                });
                qb.build().execute(&mut *tx).await.unwrap();
            }
            sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
                .bind(new_head.0)
                .bind(&new_head.1)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            head = new_head;
            done += n;
        }
    }};
}

async fn run(label: &str, url: &str, records: usize) {
    let db = Db::connect(url).await.unwrap();
    let started = Instant::now();
    match db.pool() {
        Pool::Sqlite(p) => fill!(p, records),
        Pool::Postgres(p) => fill!(p, records),
    }
    let filled = started.elapsed();
    if let Pool::Postgres(p) = db.pool() {
        // As a live database would be after autovacuum: statistics and visibility map current.
        sqlx::query("VACUUM ANALYZE audit_log")
            .execute(p)
            .await
            .unwrap();
    }
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let v = verify(db.pool()).await.unwrap();
        times.push(t.elapsed());
        assert!(
            matches!(v, Verdict::Holds { records: n, .. } if n == records as i64),
            "{v}"
        );
    }
    db.close().await;
    let best = times.iter().min().unwrap();
    let runs: Vec<String> = times
        .iter()
        .map(|t| format!("{:.2}", t.as_secs_f64()))
        .collect();
    println!(
        "| {label} | {records} | {:.1} s | {} s | {:.2} s | {:.0} |",
        filled.as_secs_f64(),
        runs.join(" / "),
        best.as_secs_f64(),
        records as f64 / best.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let records: usize = std::env::var("SG_AUDIT_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("| database | records | bulk insert | verify (3 runs) | best | records/s |");
    println!("|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("audit.db").display());
    run("SQLite", &url, records).await;
    if let Ok(base) = std::env::var("SHENGUAN_TEST_PG")
        && !base.is_empty()
    {
        let schema = format!("sg_bench_audit_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&base).await.unwrap();
        let create = format!("CREATE SCHEMA {schema}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&admin)
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        run("PostgreSQL", &url, records).await;
        let drop = format!("DROP SCHEMA {schema} CASCADE");
        sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
    }
}
