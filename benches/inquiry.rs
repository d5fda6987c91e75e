//! Deemed consent (art. 12) at scale: many inquiry replies reaching their deadline in ONE
//! sweep (issue 11: 1,000 letters ≤ 1 s).
//!
//! `cargo bench --bench inquiry` — a fresh SQLite file in a temp dir (the server's own
//! settings, through `Db::connect`), and the same on PostgreSQL when `SHENGUAN_TEST_PG` is set
//! (a schema of its own, dropped afterwards). Each round sends `SG_INQUIRY_LETTERS` letters
//! (default 1,000) to `SG_INQUIRY_RECIPIENTS` departments each (default 1) through the
//! server's own storage code (`db::inquiry::create`: the letter, its reply rows, one
//! `inquiry_reply` duty per recipient), all due at the same instant; then the clock is set to
//! that instant and one `Sweeper::sweep` is timed: every duty lapses, its lapse hook marks the
//! reply deemed consent, the ledger gets its records and the events are written.
//! `SG_INQUIRY_ROUNDS` rounds (default 3), each on new letters after the last.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use shenguan::api::Role;
use shenguan::db::inquiry::{NewLetter, create};
use shenguan::db::{Db, Pool};
use shenguan::domain::{Clock, ManualClock, Principal, to_millis};
use shenguan::jobs::Sweeper;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

macro_rules! count {
    ($db:expr, $sql:expr) => {{
        let (n,): (i64,) = match $db.pool() {
            Pool::Sqlite(p) => sqlx::query_as($sql).fetch_one(p).await.unwrap(),
            Pool::Postgres(p) => sqlx::query_as($sql).fetch_one(p).await.unwrap(),
        };
        n
    }};
}

macro_rules! exec {
    ($db:expr, $sql:expr, $($b:expr),*) => {{
        match $db.pool() {
            Pool::Sqlite(p) => { sqlx::query($sql)$(.bind($b))*.execute(p).await.unwrap(); }
            Pool::Postgres(p) => { sqlx::query($sql)$(.bind($b))*.execute(p).await.unwrap(); }
        }
    }};
}

async fn run(label: &str, url: &str, letters: usize, recipients: usize, rounds: usize) {
    let db = Db::connect(url).await.unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 2, 0, 0).unwrap();
    for i in 0..=recipients.max(1) {
        let (code, kind) = if i == 0 {
            ("approval".to_string(), "approval")
        } else {
            (format!("dept{i}"), "supervision")
        };
        exec!(
            db,
            "INSERT INTO departments (code, name, kind, created_at) VALUES ($1, $2, $3, $4)",
            code.clone(),
            code,
            kind,
            to_millis(t0)
        );
    }
    db.reload_departments().await.unwrap();
    let id = |code: &str| {
        let db = db.clone();
        let code = code.to_string();
        async move { db.department_id(&code).await.unwrap().unwrap().0 }
    };
    let bureau = id("approval").await;
    let mut depts = Vec::new();
    for i in 1..=recipients {
        depts.push(id(&format!("dept{i}")).await);
    }
    depts.sort_unstable();
    let actor = Principal {
        user_id: None,
        api_key_id: None,
        name: "bench".into(),
        role: Role::ApprovalStaff,
        department_id: Some(bureau),
    };
    let clock = Arc::new(ManualClock::new(t0));
    let sweeper = Sweeper::new(db.clone(), clock.clone(), Vec::new());
    let mut times = Vec::new();
    let mut sent_at = t0;
    for round in 0..rounds {
        let due = sent_at + Duration::days(3);
        let started = Instant::now();
        for n in 0..letters {
            create(
                &db,
                &actor,
                NewLetter {
                    sender: bureau,
                    subject: format!("函询 {round}-{n}"),
                    body: "请就所附标准提出意见。".into(),
                    recipients: depts.clone(),
                    working_days: 3,
                    due_at: to_millis(due),
                    provisional: false,
                },
                to_millis(sent_at),
            )
            .await
            .unwrap();
        }
        let filled = started.elapsed();
        // One second early: nothing lapses.
        clock.set(due - Duration::seconds(1));
        assert_eq!(sweeper.sweep().await.unwrap().duties_missed, 0);
        clock.set(due);
        let t = Instant::now();
        let report = sweeper.sweep().await.unwrap();
        let took = t.elapsed();
        assert_eq!(report.duties_missed, letters * recipients, "one sweep");
        times.push(took);
        println!(
            "| {label} | round {} | {letters} × {recipients} | {:.1} s | {:.3} s |",
            round + 1,
            filled.as_secs_f64(),
            took.as_secs_f64()
        );
        sent_at = due + Duration::hours(1);
        clock.set(sent_at);
    }
    let total = (letters * recipients * rounds) as i64;
    assert_eq!(
        count!(
            db,
            "SELECT COUNT(*) FROM inquiry_recipients WHERE status = 'deemed_consent'"
        ),
        total
    );
    assert_eq!(
        count!(
            db,
            "SELECT COUNT(*) FROM accountability WHERE rule = 'inquiry_deemed_consent'"
        ),
        total
    );
    assert_eq!(
        count!(
            db,
            "SELECT COUNT(*) FROM events WHERE kind = 'inquiry.deemed_consent'"
        ),
        total
    );
    db.close().await;
    let best = times.iter().min().unwrap();
    println!(
        "| {label} | best | {letters} × {recipients} | | {:.3} s |",
        best.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    let letters = env("SG_INQUIRY_LETTERS", 1000);
    let recipients = env("SG_INQUIRY_RECIPIENTS", 1).max(1);
    let rounds = env("SG_INQUIRY_ROUNDS", 3).max(1);
    println!("| database | run | letters × recipients | sending | one sweep |");
    println!("|---|---|---|---|---|");
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("inquiry.db").display());
    run("SQLite", &url, letters, recipients, rounds).await;
    if let Ok(base) = std::env::var("SHENGUAN_TEST_PG")
        && !base.is_empty()
    {
        let schema = format!("sg_bench_inquiry_{}", std::process::id());
        let admin = sqlx::PgPool::connect(&base).await.unwrap();
        let create = format!("CREATE SCHEMA {schema}");
        sqlx::query(sqlx::AssertSqlSafe(create))
            .execute(&admin)
            .await
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
        run("PostgreSQL", &url, letters, recipients, rounds).await;
        let drop = format!("DROP SCHEMA {schema} CASCADE");
        sqlx::query(sqlx::AssertSqlSafe(drop))
            .execute(&admin)
            .await
            .unwrap();
        admin.close().await;
    }
}
