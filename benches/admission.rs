//! `GET /api/v1/counterparties/{code}/admission` over a large register (issue 10: p99 ≤ 5 ms
//! with 1,000,000 licences and 100,000 credit records).
//!
//! `cargo bench --bench admission` — a real server in-process on 127.0.0.1:0 over a fresh
//! SQLite file (the server's own settings), one real approval push as the source of every
//! bulk row, then the register bulk-inserted directly in one transaction (multi-row inserts),
//! then the admission of random holders (listed and not) asked over real HTTP by the typed
//! client, one request at a time, as the bureau's window staff would. Sizes from env vars:
//! `SG_ADMISSION_LICENSES` (default 1,000,000), `SG_ADMISSION_CREDIT` (default 100,000),
//! `SG_ADMISSION_QUERIES` (default 5,000).

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use shenguan::api::Admission;
use shenguan::db::Pool;
use support::server::{Backend, TestApp};

const BATCH: usize = 1_000;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// Holder `i`'s code (the shape of a 统一社会信用代码; lookups need no check digit).
fn holder(i: usize) -> String {
    format!("91370322{i:010}")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let licences = env("SG_ADMISSION_LICENSES", 1_000_000);
    let credit = env("SG_ADMISSION_CREDIT", 100_000);
    let queries = env("SG_ADMISSION_QUERIES", 5_000);
    // About three licences a holder; half of the listed holders have two records.
    let holders = (licences / 3).max(1);
    let listed = (credit / 2).max(1).min(holders);
    // Listed holders are every `step`-th one.
    let step = (holders / listed).max(1);

    let app = TestApp::spawn(Backend::Sqlite)
        .await
        .expect("SQLite is always available");
    // One real push: the source every bulk row refers to.
    let push = app.push(&["market"]).await;
    let depts = app.state().db.departments();
    let dept = |code: &str| depts.iter().find(|(_, d)| d.code == code).unwrap().0;
    let (bureau, market) = (dept("approval"), dept("market"));
    let Pool::Sqlite(pool) = app.state().db.pool() else {
        unreachable!()
    };

    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM licenses")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let ids: Vec<usize> = (0..licences).collect();
    for chunk in ids.chunks(BATCH) {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO licenses (id, license_no, item_name, holder_code, holder_name, issue_date, valid_until, state, \
             approval_department_id, source_push_id, revision, created_at, updated_at) ",
        );
        qb.push_values(chunk, |mut b, i| {
            b.push_bind(base + 1 + *i as i64)
                .push_bind(format!("JYB{i:013}"))
                .push_bind("食品经营许可")
                .push_bind(holder(i % holders))
                .push_bind(format!("高青县第{}号企业", i % holders))
                .push_bind("2025-01-01")
                .push_bind(if i % 7 == 0 { "长期" } else { "2030-12-31" })
                .push_bind("active")
                .push_bind(bureau)
                .push_bind(push.id)
                .push_bind(1i64)
                .push_bind(1_735_700_000_000i64)
                .push_bind(1_735_700_000_000i64);
        });
        qb.build().execute(&mut *tx).await.unwrap();
        let mut qb =
            sqlx::QueryBuilder::new("INSERT INTO license_departments (license_id, department_id) ");
        qb.push_values(chunk, |mut b, i| {
            b.push_bind(base + 1 + *i as i64).push_bind(market);
        });
        qb.build().execute(&mut *tx).await.unwrap();
    }
    let records: Vec<usize> = (0..credit).collect();
    for chunk in records.chunks(BATCH) {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO credit_records (holder_code, holder_name, status, authority, decision_no, start_date, end_date, \
             push_id, department_id, created_at) ",
        );
        qb.push_values(chunk, |mut b, r| {
            // Spread over the holders; a mix of listings in force, ended and cleared.
            let h = (r * 7919) % listed * step;
            let (status, end) = match r % 5 {
                0 => ("dishonest", None),
                1 | 2 => ("abnormal_operation", None),
                3 => ("abnormal_operation", Some("2026-01-31")),
                _ => ("cleared", None),
            };
            b.push_bind(holder(h))
                .push_bind(format!("高青县第{h}号企业"))
                .push_bind(status)
                .push_bind("高青县市场监督管理局")
                .push_bind(format!("高市监〔2026〕{r}号"))
                .push_bind(format!("2026-{:02}-{:02}", 1 + r % 10, 1 + r % 28))
                .push_bind(end)
                .push_bind(push.id)
                .push_bind(market)
                .push_bind(1_764_000_000_000i64);
        });
        qb.build().execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    let filled = started.elapsed();

    // Warm-up, then the timed requests: half for listed holders, half for any holder.
    let mut rng = rand::rngs::StdRng::seed_from_u64(10);
    let pick = |rng: &mut rand::rngs::StdRng| {
        if rng.random_bool(0.5) {
            holder(rng.random_range(0..listed) * step)
        } else {
            holder(rng.random_range(0..holders))
        }
    };
    for _ in 0..200.min(queries) {
        app.approval.admission(&pick(&mut rng)).await.unwrap();
    }
    let mut times = Vec::with_capacity(queries);
    let mut seen = [0usize; 3];
    for _ in 0..queries {
        let code = pick(&mut rng);
        let t = Instant::now();
        let a = app.approval.admission(&code).await.unwrap();
        times.push(t.elapsed());
        seen[match a.admission {
            Admission::Normal => 0,
            Admission::Restricted => 1,
            Admission::Strict => 2,
        }] += 1;
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let (p50, p99) = (at(0.50), at(0.99));
    println!(
        "| licences | credit records | bulk insert | requests | normal / restricted / strict | p50 | p99 | max | target p99 ≤ 5 ms |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    println!(
        "| {licences} | {credit} | {:.1} s | {queries} | {} / {} / {} | {:.2} ms | {:.2} ms | {:.2} ms | {} |",
        filled.as_secs_f64(),
        seen[0],
        seen[1],
        seen[2],
        ms(p50),
        ms(p99),
        ms(*times.last().unwrap()),
        if p99 <= Duration::from_millis(5) {
            "met"
        } else {
            "MISSED"
        }
    );
    app.finish().await;
}
