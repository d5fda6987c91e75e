//! Month-end benchmark (issue 13): issuing and exporting the bulletin of a month with 100,000
//! deliveries across 20 departments, including the XLSX. Plain `Instant`, prints numbers.
//!
//!     cargo bench --bench bulletin
//!     SG_BENCH_PG=postgres://postgres@127.0.0.1:5432/test cargo bench --bench bulletin
//!
//! The month is written straight into the database (one transaction, not the API: the
//! seeding is not what is measured): 50,000 approval pushes of two deliveries each, over
//! November 2026; 85 % claimed by a person, 15 % auto-claimed with a ledger record; one
//! dispute per 100 deliveries, answered. Then, timed: computing the figures, issuing (the
//! frozen JSON stored), and exporting the issued bulletin as XLSX, CSV and Markdown.

use std::time::Instant;

use shenguan::api::{Bulletin, ReportFormat};
use shenguan::db::bulletins::Month;
use shenguan::db::{Db, Pool};
use shenguan::domain::{Calendar, Principal};

const DEPTS: i64 = 20;
const PUSHES: i64 = 50_000;
/// 2026-11-01T00:00+08:00 and 2026-12-01T00:00+08:00 in milliseconds.
const FROM: i64 = 1_793_462_400_000;
const TO: i64 = 1_796_054_400_000;

macro_rules! exec {
    ($db:expr, $sql:expr) => {
        match $db.pool() {
            Pool::Sqlite(p) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe($sql))
                    .execute(p)
                    .await
                    .unwrap();
            }
            Pool::Postgres(p) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe($sql))
                    .execute(p)
                    .await
                    .unwrap();
            }
        }
    };
}

async fn seed(db: &Db) {
    let mut sql = String::from("BEGIN;\n");
    sql.push_str("INSERT INTO departments (code, name, kind, created_at) VALUES ('approval', '行政审批服务局', 'approval', 0);\n");
    for d in 1..=DEPTS {
        sql.push_str(&format!(
            "INSERT INTO departments (code, name, kind, created_at) VALUES ('dept{d:02}', '监管部门{d:02}', 'supervision', 0);\n"
        ));
    }
    sql.push_str("COMMIT;");
    exec!(db, sql);
    db.reload_departments().await.unwrap();
    let approval = db.department_id("approval").await.unwrap().unwrap().0;
    let span = TO - FROM - 3 * 86_400_000;
    // PostgreSQL's identity columns take the ids written here only when told to.
    let ov = if db.pg_pool().is_some() {
        "OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    let content = r#"{"item_name":"食品经营许可","license_date":"2026-11-02"}"#;
    for chunk in 0..(PUSHES / 1000) {
        let mut sql = String::from("BEGIN;\n");
        let mut pushes = Vec::new();
        let mut deliveries = Vec::new();
        let mut ledger = Vec::new();
        let mut disputes = Vec::new();
        for i in chunk * 1000..(chunk + 1) * 1000 {
            let id = i + 1;
            let at = FROM + span * i / PUSHES;
            pushes.push(format!(
                "({id}, 'approval', {approval}, '食品经营许可 {id}', '{content}', {at}, 'shenpi1', FALSE)"
            ));
            for k in 0..2 {
                let did = id * 2 + k;
                let dept = approval + 1 + (id * 2 + k) % DEPTS;
                let deadline = at + 86_400_000 * 2;
                if did % 100 < 85 {
                    deliveries.push(format!(
                        "({did}, {id}, {dept}, {approval}, 'claimed', {at}, {deadline}, {deadline}, FALSE, {}, 'u')",
                        at + 3_600_000 + did % 7_200_000
                    ));
                } else {
                    deliveries.push(format!(
                        "({did}, {id}, {dept}, {approval}, 'auto_claimed', {at}, {deadline}, {deadline}, FALSE, {deadline}, 'system')"
                    ));
                    ledger.push(format!(
                        "({dept}, 'claim_overdue', '7(1)1', {did}, {id}, '食品经营许可 {id}', {deadline}, {at})"
                    ));
                }
                if did % 100 == 1 {
                    disputes.push(format!(
                        "({did}, {dept}, {approval}, '疑问', 'resolved', {}, {}, FALSE, {}, '已答复')",
                        at + 4_000_000,
                        at + 86_400_000,
                        at + 5_000_000
                    ));
                }
            }
        }
        sql.push_str(&format!(
            "INSERT INTO pushes (id, kind, source_department_id, title, content, created_at, created_by, important) {ov} VALUES {};\n",
            pushes.join(",")
        ));
        sql.push_str(&format!(
            "INSERT INTO deliveries (id, push_id, department_id, source_department_id, status, received_at, claim_deadline, feedback_deadline, deadline_provisional, claimed_at, claimed_by) {ov} VALUES {};\n",
            deliveries.join(",")
        ));
        if !ledger.is_empty() {
            sql.push_str(&format!(
                "INSERT INTO accountability (department_id, rule, article, delivery_id, push_id, item, occurred_at, received_at) VALUES {};\n",
                ledger.join(",")
            ));
        }
        if !disputes.is_empty() {
            sql.push_str(&format!(
                "INSERT INTO disputes (delivery_id, raised_by_department_id, answering_department_id, subject, status, opened_at, answer_due, answer_due_provisional, resolved_at, resolution) VALUES {};\n",
                disputes.join(",")
            ));
        }
        sql.push_str("COMMIT;");
        exec!(db, sql);
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("SG_BENCH_PG")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bulletin.db").display()));
    if url.starts_with("postgres") {
        // A fresh schema, so the ids written above are free.
        let admin = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::raw_sql("DROP SCHEMA IF EXISTS bench_bulletin CASCADE; CREATE SCHEMA bench_bulletin")
            .execute(&admin)
            .await
            .unwrap();
    }
    let url = if url.starts_with("postgres") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}options=-c%20search_path%3Dbench_bulletin")
    } else {
        url
    };
    let db = Db::connect(&url).await.unwrap();
    let t = Instant::now();
    seed(&db).await;
    println!(
        "seeded {} deliveries across {DEPTS} departments ({}) in {:.0} ms",
        PUSHES * 2,
        db.kind(),
        ms(t)
    );
    let cal = Calendar::shipped();
    let m = Month {
        name: "2026-11".into(),
        from: FROM,
        to: TO,
    };
    let now = TO + 10 * 86_400_000;
    let duty = Principal {
        user_id: Some(1),
        api_key_id: None,
        name: "zhiban1".into(),
        role: shenguan::api::Role::DutyOfficer,
        department_id: None,
    };

    let total = Instant::now();
    let t = Instant::now();
    let contents = shenguan::db::bulletins::contents(&db, &cal, &m, now, 1, None)
        .await
        .unwrap();
    let compute = ms(t);
    let t = Instant::now();
    shenguan::db::bulletins::issue(&db, &duty, contents, None, now)
        .await
        .unwrap();
    let store = ms(t);
    let t = Instant::now();
    let b: Bulletin = shenguan::db::bulletins::get(&db, "2026-11", None)
        .await
        .unwrap()
        .unwrap();
    let read = ms(t);
    let mut sizes = Vec::new();
    let mut times = Vec::new();
    for f in [ReportFormat::Xlsx, ReportFormat::Csv, ReportFormat::Md] {
        let t = Instant::now();
        let bytes = shenguan::bulletin::export(&b, f).unwrap();
        times.push(ms(t));
        sizes.push(bytes.len());
    }
    let all = ms(total);
    println!(
        "ledger records: {}, received: {}",
        b.contents.ledger.len(),
        b.contents
            .departments
            .iter()
            .map(|d| d.stats.received)
            .sum::<i64>()
    );
    println!("| step | ms |\n|---|---|");
    println!("| compute the figures | {compute:.0} |");
    println!("| issue (store frozen JSON) | {store:.0} |");
    println!("| read the issued version | {read:.0} |");
    println!("| XLSX ({} KiB) | {:.0} |", sizes[0] / 1024, times[0]);
    println!("| CSV ({} KiB) | {:.0} |", sizes[1] / 1024, times[1]);
    println!("| Markdown ({} KiB) | {:.0} |", sizes[2] / 1024, times[2]);
    println!("| **total** | **{all:.0}** (target ≤ 2000) |");
    db.close().await;
}
