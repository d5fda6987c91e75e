//! Load benchmark for the central server (issue 2, "Performance").
//!
//! One process: the server runs in-process on 127.0.0.1:0 over a fresh SQLite file in a temp
//! dir (WAL, synchronous=FULL, BEGIN IMMEDIATE — the server's own settings), driven over real
//! HTTP by the typed client. Run with `cargo bench --bench load`. Sizes come from env vars
//! (see `Cfg::from_env`); the defaults are the sizes in the spec. Set `SG_BENCH_OUT=FILE` to
//! also write the results table as Markdown.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, TimeZone};
use futures::StreamExt;
use shenguan::api::*;
use shenguan::client::{Client, StreamItem};
use shenguan::db::{Db, Pool};
use shenguan::server::{RunningServer, ServerConfig};

const CREDIT_CODE: &str = "91350100M000100Y43";
const PHONE: &str = "13800138000";
const PASSWORD: &str = "bench-password-1";

struct Cfg {
    concurrency: usize,
    push_secs: f64,
    raw_secs: f64,
    claims: usize,
    sse_subscribers: usize,
    sse_events: usize,
    sweep_rows: usize,
    stats_rows: usize,
    stats_runs: usize,
    raw_variants: bool,
    out: Option<String>,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a valid value")),
        Err(_) => default,
    }
}

impl Cfg {
    fn from_env() -> Self {
        Self {
            concurrency: env("SG_BENCH_CONCURRENCY", 16),
            push_secs: env("SG_BENCH_PUSH_SECS", 10.0),
            raw_secs: env("SG_BENCH_RAW_SECS", 10.0),
            claims: env("SG_BENCH_CLAIMS", 30_000),
            sse_subscribers: env("SG_BENCH_SSE_SUBSCRIBERS", 500),
            sse_events: env("SG_BENCH_SSE_EVENTS", 20),
            sweep_rows: env("SG_BENCH_SWEEP_ROWS", 100_000),
            stats_rows: env("SG_BENCH_STATS_ROWS", 1_000_000),
            stats_runs: env("SG_BENCH_STATS_RUNS", 7),
            raw_variants: env("SG_BENCH_RAW_VARIANTS", true),
            out: std::env::var("SG_BENCH_OUT").ok(),
        }
    }
}

/// Nearest-rank percentile of sorted samples.
fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "p50 …, p99 …, max …" of sorted latencies, in ms with two decimals.
fn latency_line(sorted: &[Duration]) -> String {
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(pct(sorted, 50.0)),
        ms(pct(sorted, 99.0)),
        ms(pct(sorted, 100.0))
    )
}

struct Row {
    what: String,
    target: String,
    measured: String,
    pass: Option<bool>,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
}

impl Report {
    fn add(&mut self, what: &str, target: &str, measured: String, pass: Option<bool>) {
        println!(
            "  -> {what}: {measured} (target {target}) {}",
            verdict(pass)
        );
        self.rows.push(Row {
            what: what.into(),
            target: target.into(),
            measured,
            pass,
        });
    }
    fn markdown(&self) -> String {
        let mut s = String::from("| measure | target | measured | result |\n|---|---|---|---|\n");
        for r in &self.rows {
            s += &format!(
                "| {} | {} | {} | {} |\n",
                r.what,
                r.target,
                r.measured,
                verdict(r.pass)
            );
        }
        s
    }
}

fn verdict(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "PASS",
        Some(false) => "FAIL",
        None => "info",
    }
}

fn approval_push(n: u64, recipients: &[&str], today: chrono::NaiveDate) -> NewApprovalPush {
    NewApprovalPush {
        item_name: format!("食品经营许可（新办）#{n}"),
        counterparty: Counterparty {
            name: format!("福州市示例餐饮管理有限公司{n}"),
            credit_code: Some(CREDIT_CODE.into()),
            id_number: None,
            contact_name: "张三".into(),
            contact_phone: PHONE.into(),
        },
        license_no: format!("JY1350100{n:08}"),
        license_date: today,
        valid_until: ValidUntil::Date(today.with_year(today.year() + 5).unwrap_or(today)),
        mode: PushMode::Standard,
        comprehensive_license: None,
        commitment_letter: None,
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        important: false,
    }
}

fn sqlite_pool(db: &Db) -> sqlx::SqlitePool {
    match db.pool() {
        Pool::Sqlite(p) => p.clone(),
        Pool::Postgres(_) => panic!("the benchmark runs on SQLite"),
    }
}

struct Setup {
    server: RunningServer,
    admin: Client,
    pusher: Client,
    /// Supervision staff, by department code.
    staff: HashMap<String, Client>,
    watcher: Client,
    sup_codes: Vec<String>,
    today: chrono::NaiveDate,
}

async fn setup(dir: &std::path::Path) -> anyhow::Result<Setup> {
    let url = format!("sqlite://{}", dir.join("server.db").display());
    shenguan::admin::bootstrap(&url, "admin", "管理员", PASSWORD).await?;
    let server = shenguan::server::start(
        ServerConfig {
            listen: "127.0.0.1:0".into(),
            database: url,
            test_clock: true,
            sweep_interval: Duration::from_secs(24 * 3600),
            ..ServerConfig::default()
        },
        None,
    )
    .await?;
    let anon = Client::new(&server.url(), None);
    let admin = anon.with_token(anon.login("admin", PASSWORD).await?.token);
    let mut depts = vec![("approval", "行政审批服务局", DepartmentKind::Approval)];
    let sup: [(&str, &str); 6] = [
        ("market", "市场监督管理局"),
        ("health", "卫生健康局"),
        ("culture", "文化和旅游局"),
        ("transport", "交通运输局"),
        ("housing", "住房和城乡建设局"),
        ("ecology", "生态环境局"),
    ];
    for (c, n) in sup {
        depts.push((c, n, DepartmentKind::Supervision));
    }
    for (code, name, kind) in &depts {
        let _: Department = admin
            .post(
                "/api/v1/departments",
                &NewDepartment {
                    code: (*code).into(),
                    name: (*name).into(),
                    kind: *kind,
                },
            )
            .await?;
    }
    let mut users = vec![(
        "pusher".to_string(),
        Role::ApprovalStaff,
        Some("approval".to_string()),
    )];
    users.push(("watcher".into(), Role::Supervisor, None));
    for (c, _) in sup {
        users.push((format!("staff-{c}"), Role::SupervisionStaff, Some(c.into())));
    }
    for (u, role, dept) in &users {
        let _: User = admin
            .post(
                "/api/v1/users",
                &NewUser {
                    username: u.clone(),
                    password: PASSWORD.into(),
                    display_name: u.clone(),
                    role: *role,
                    department: dept.clone(),
                },
            )
            .await?;
    }
    let login = |u: &str| {
        let anon = anon.clone();
        let u = u.to_string();
        async move {
            let t = anon.login(&u, PASSWORD).await?.token;
            anyhow::Ok(anon.with_token(t))
        }
    };
    let pusher = login("pusher").await?;
    let watcher = login("watcher").await?;
    let mut staff = HashMap::new();
    for (c, _) in sup {
        staff.insert(c.to_string(), login(&format!("staff-{c}")).await?);
    }
    let today = shenguan::domain::to_cst(server.state.clock.now()).date_naive();
    Ok(Setup {
        server,
        admin,
        pusher,
        staff,
        watcher,
        sup_codes: sup.iter().map(|(c, _)| c.to_string()).collect(),
        today,
    })
}

/// What [`drive`] measured: (ops, elapsed, sorted latencies, errors).
type Run = (usize, Duration, Vec<Duration>, usize);

/// Run `concurrency` workers until `stop` says so; each call returns `Ok(true)` for a counted
/// operation. Returns (ops, elapsed, sorted latencies, errors).
async fn drive<F, Fut>(concurrency: usize, deadline: Option<Instant>, op: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<anyhow::Result<()>>> + Send + 'static,
{
    let op = Arc::new(op);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0usize;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let t = Instant::now();
                match op(w).await {
                    None => break,
                    Some(Ok(())) => lat.push(t.elapsed()),
                    Some(Err(e)) => {
                        errors += 1;
                        if errors <= 3 {
                            eprintln!("worker {w}: {e:#}");
                        }
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("worker panicked");
        all.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    all.sort();
    (all.len(), elapsed, all, errors)
}

/// [`drive`] `op` for a 1 s warm-up, then for `secs` timed; returns the timed run. `op` is
/// dropped by the time this returns.
async fn warm_then_drive<F, Fut>(concurrency: usize, secs: f64, op: F) -> Run
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Option<anyhow::Result<()>>> + Send + 'static,
{
    let op = Arc::new(op);
    {
        let op = op.clone();
        drive(
            concurrency,
            Some(Instant::now() + Duration::from_secs(1)),
            move |w| op.as_ref()(w),
        )
        .await;
    }
    drive(
        concurrency,
        Some(Instant::now() + Duration::from_secs_f64(secs)),
        move |w| op.as_ref()(w),
    )
    .await
}

/// Print a timed phase ("  {n} {noun} in …s, … errors; p50 …") and add its throughput and
/// p50 / p99 rows. `throughput` is (row, target, minimum ops/s); `latency` is (row, target,
/// maximum p99 in ms). Returns ops/s.
fn report_phase(
    report: &mut Report,
    noun: &str,
    (n, el, lat, errs): &Run,
    throughput: (&str, &str, f64),
    latency: (&str, &str, f64),
) -> f64 {
    let rate = *n as f64 / el.as_secs_f64();
    println!(
        "  {n} {noun} in {:.2}s, {errs} errors; {}",
        el.as_secs_f64(),
        latency_line(lat)
    );
    let (what, target, min_rate) = throughput;
    report.add(
        what,
        target,
        format!("{rate:.0}/s"),
        Some(rate >= min_rate && *errs == 0),
    );
    let (what, target, max_p99) = latency;
    report.add(
        what,
        target,
        format!(
            "{:.1} ms / {:.1} ms",
            ms(pct(lat, 50.0)),
            ms(pct(lat, 99.0))
        ),
        Some(ms(pct(lat, 99.0)) <= max_p99),
    );
    rate
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cfg = Cfg::from_env();
    let dir = tempfile::Builder::new()
        .prefix("shenguan-bench")
        .tempdir_in(
            std::env::var("SG_BENCH_DIR")
                .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
        )?;
    println!("shenguan load benchmark — data in {}", dir.path().display());
    let mut report = Report::default();
    let fsync = fsync_probe(dir.path())?;
    println!(
        "fsync probe (4 KiB write + fsync, 200×): p50 {:.2} ms, p99 {:.2} ms",
        ms(pct(&fsync, 50.0)),
        ms(pct(&fsync, 99.0))
    );
    report.add(
        "disk: 4 KiB write + fsync in the data dir, p50 / p99 (one per commit)",
        "—",
        format!(
            "{:.2} ms / {:.2} ms",
            ms(pct(&fsync, 50.0)),
            ms(pct(&fsync, 99.0))
        ),
        None,
    );
    let s = setup(dir.path()).await?;
    let state = s.server.state.clone();
    let pool = sqlite_pool(&state.db);
    let recipients = [s.sup_codes[0].clone(), s.sup_codes[1].clone()];
    let mut dept_ids = Vec::new();
    for c in &s.sup_codes {
        let (id, _) = state.db.department_id(c).await?.expect("department exists");
        dept_ids.push(id);
    }
    let (source_id, _) = state.db.department_id("approval").await?.expect("exists");

    // ---- 1. Approval pushes with 2 recipients --------------------------------------------
    println!(
        "\n[pushes] {} clients, {}s (after a 1s warm-up)",
        cfg.concurrency, cfg.push_secs
    );
    let counter = Arc::new(AtomicUsize::new(0));
    let created: Arc<Mutex<Vec<(String, i64)>>> = Arc::default();
    let push_op = {
        let (pusher, counter, created, today) =
            (s.pusher.clone(), counter.clone(), created.clone(), s.today);
        let rec = recipients.clone();
        move |_w: usize| {
            let (pusher, counter, created) = (pusher.clone(), counter.clone(), created.clone());
            let n = counter.fetch_add(1, Ordering::Relaxed) as u64;
            let body = approval_push(n, &[&rec[0], &rec[1]], today);
            async move {
                let r = pusher.create_approval_push(&body, None).await;
                Some(r.map_err(Into::into).and_then(|p| {
                    anyhow::ensure!(p.deliveries.len() == 2, "expected 2 deliveries");
                    let mut c = created.lock().unwrap();
                    c.extend(p.deliveries.into_iter().map(|d| (d.department, d.id)));
                    Ok(())
                }))
            }
        }
    };
    let run = warm_then_drive(cfg.concurrency, cfg.push_secs, push_op).await;
    let push_rate = report_phase(
        &mut report,
        "pushes",
        &run,
        (
            "approval pushes (2 recipients), 16 clients: throughput",
            "≥ 2,000/s",
            2000.0,
        ),
        ("approval pushes: p50 / p99 latency", "p99 ≤ 50 ms", 50.0),
    );

    // ---- 2. The limit: the same rows straight through sqlx --------------------------------
    println!(
        "\n[raw sqlx] {} tasks, {}s, one BEGIN IMMEDIATE transaction per push",
        cfg.concurrency, cfg.raw_secs
    );
    let (raw_rate, raw50, raw99) = raw_limit(dir.path(), &cfg, &s, RawMode::PerPush).await?;
    let ratio = push_rate / raw_rate;
    report.add(
        "raw sqlx limit: one BEGIN IMMEDIATE tx per push, server's pool (the spec's limit)",
        "—",
        format!(
            "{raw_rate:.0} pushes/s (p50 {:.1} ms, p99 {:.1} ms)",
            ms(raw50),
            ms(raw99)
        ),
        None,
    );
    report.add(
        "server push throughput / raw limit",
        "≥ 0.5",
        format!("{ratio:.2}"),
        Some(ratio >= 0.5),
    );
    if cfg.raw_variants {
        for (mode, what) in [
            (
                RawMode::PerPushFifo,
                "raw sqlx, one tx per push, writers queued FIFO in-process (diagnostic)",
            ),
            (
                RawMode::Group,
                "raw sqlx, group commit as the server's writer (≤ 256 pushes/tx, SAVEPOINT each; diagnostic)",
            ),
        ] {
            let (r, p50, p99) = raw_limit(dir.path(), &cfg, &s, mode).await?;
            report.add(
                what,
                "—",
                format!(
                    "{r:.0} pushes/s (p50 {:.1} ms, p99 {:.1} ms)",
                    ms(p50),
                    ms(p99)
                ),
                None,
            );
        }
    }

    // ---- 3. Claims ----------------------------------------------------------------------
    let mut by_dept: HashMap<String, Vec<i64>> = HashMap::new();
    for (d, id) in created.lock().unwrap().drain(..) {
        by_dept.entry(d).or_default().push(id);
    }
    // Keep 2 × sse_events deliveries for the SSE test; the rest may be claimed.
    let mut sse_ids: Vec<(String, i64)> = Vec::new();
    for _ in 0..cfg.sse_events {
        for d in &recipients {
            if let Some(id) = by_dept.get_mut(d).and_then(Vec::pop) {
                sse_ids.push((d.clone(), id));
            }
        }
    }
    let available: usize = by_dept.values().map(Vec::len).sum();
    if available < cfg.claims {
        let extra = cfg.claims - available;
        println!("\n[claims] topping up {extra} pending deliveries by SQL");
        let now = shenguan::domain::to_millis(state.clock.now());
        let deadline = now + 7 * 24 * 3600 * 1000;
        let ids = bulk_insert(&pool, extra, source_id, &dept_ids[..2], true, |_| {
            ("pending", now, deadline, None)
        })
        .await?;
        for (i, id) in ids.into_iter().enumerate() {
            by_dept
                .entry(recipients[i % 2].clone())
                .or_default()
                .push(id);
        }
    }
    // Interleave the two departments' deliveries; worker w claims as staff of dept w % 2.
    let queues: Vec<Arc<(Client, Vec<i64>, AtomicUsize)>> = recipients
        .iter()
        .map(|d| {
            let mut ids = by_dept.remove(d).unwrap_or_default();
            ids.truncate(cfg.claims.div_ceil(2));
            Arc::new((s.staff[d].clone(), ids, AtomicUsize::new(0)))
        })
        .collect();
    let total: usize = queues.iter().map(|q| q.1.len()).sum();
    println!(
        "\n[claims] {} clients claiming {total} distinct deliveries",
        cfg.concurrency
    );
    let run = {
        let queues = queues.clone();
        drive(cfg.concurrency, None, move |w| {
            let q = queues[w % queues.len()].clone();
            async move {
                let i = q.2.fetch_add(1, Ordering::Relaxed);
                let id = *q.1.get(i)?;
                Some(
                    q.0.claim(id)
                        .await
                        .map_err(anyhow::Error::from)
                        .and_then(|d| {
                            anyhow::ensure!(d.status == DeliveryStatus::Claimed, "not claimed");
                            Ok(())
                        }),
                )
            }
        })
        .await
    };
    report_phase(
        &mut report,
        "claims",
        &run,
        ("claims, 16 clients: throughput", "≥ 3,000/s", 3000.0),
        ("claims: p50 / p99 latency", "p99 ≤ 30 ms", 30.0),
    );

    // ---- 4. SSE fan-out -------------------------------------------------------------------
    println!(
        "\n[sse] {} subscribers (supervisor), {} claims",
        cfg.sse_subscribers,
        sse_ids.len()
    );
    let (lat_send, lat_resp, missing) = sse_fanout(&cfg, &s, &sse_ids).await?;
    println!(
        "  from request sent: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; from claim response: p50 {:.1} ms, p99 {:.1} ms; {missing} missing",
        ms(pct(&lat_send, 50.0)),
        ms(pct(&lat_send, 99.0)),
        ms(pct(&lat_send, 100.0)),
        ms(pct(&lat_resp, 50.0)),
        ms(pct(&lat_resp, 99.0)),
    );
    report.add(
        &format!(
            "SSE: {} subscribers see a claim (from claim request sent), p50 / p99 / max",
            cfg.sse_subscribers
        ),
        "p99 ≤ 100 ms",
        format!(
            "{:.1} / {:.1} / {:.1} ms ({} samples, {missing} missing)",
            ms(pct(&lat_send, 50.0)),
            ms(pct(&lat_send, 99.0)),
            ms(pct(&lat_send, 100.0)),
            lat_send.len()
        ),
        Some(ms(pct(&lat_send, 99.0)) <= 100.0 && missing == 0),
    );

    // ---- 5. Sweeper -----------------------------------------------------------------------
    println!(
        "\n[sweeper] inserting {} overdue pending deliveries",
        cfg.sweep_rows
    );
    let now = shenguan::domain::to_millis(state.clock.now());
    let t = Instant::now();
    bulk_insert(&pool, cfg.sweep_rows, source_id, &dept_ids, true, |i| {
        let recv = now - 3 * 24 * 3600 * 1000 + i as i64;
        ("pending", recv, now - 60_000, None)
    })
    .await?;
    println!("  inserted in {:.1}s", t.elapsed().as_secs_f64());
    let new_now = state.clock.now() + chrono::Duration::seconds(1);
    let t = Instant::now();
    s.admin
        .set_test_clock(shenguan::domain::to_cst(new_now))
        .await?;
    let sweep = t.elapsed();
    let (auto,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE status = 'auto_claimed'")
            .fetch_one(&pool)
            .await?;
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND claim_deadline <= $1",
    )
    .bind(shenguan::domain::to_millis(new_now))
    .fetch_one(&pool)
    .await?;
    println!(
        "  PUT /api/v1/test/clock (sweep) took {:.2}s: {auto} auto_claimed, {left} overdue left",
        sweep.as_secs_f64()
    );
    report.add(
        &format!(
            "sweeper: {} overdue deliveries auto-claimed",
            cfg.sweep_rows
        ),
        "≤ 5 s",
        format!(
            "{:.2} s ({auto} auto_claimed, {left} left)",
            sweep.as_secs_f64()
        ),
        Some(sweep <= Duration::from_secs(5) && auto as usize >= cfg.sweep_rows && left == 0),
    );
    // Let the tailer broadcast the sweep's events before the statistics timings.
    settle_tailer(&state, &pool).await?;

    // ---- 6. Monthly statistics ------------------------------------------------------------
    let month = "2025-03";
    println!(
        "\n[stats] inserting {} deliveries received in {month}",
        cfg.stats_rows
    );
    let t = Instant::now();
    let start = shenguan::domain::cst()
        .with_ymd_and_hms(2025, 3, 1, 0, 0, 0)
        .single()
        .expect("valid")
        .timestamp_millis();
    let span = 30 * 24 * 3600 * 1000i64;
    let rows = cfg.stats_rows.max(1) as i64;
    bulk_insert(&pool, cfg.stats_rows, source_id, &dept_ids, false, |i| {
        let recv = start + (i as i64 * span) / rows;
        let deadline = recv + 24 * 3600 * 1000;
        match i % 10 {
            0..=6 => (
                "claimed",
                recv,
                deadline,
                Some(recv + 3_600_000 + (i as i64 % 7) * 60_000),
            ),
            7 | 8 => ("auto_claimed", recv, deadline, Some(deadline)),
            _ => ("pending", recv, deadline, None),
        }
    })
    .await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await?;
    println!("  inserted in {:.1}s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let first_stats = s.watcher.monthly_stats(month).await?;
    let first = t.elapsed();
    let received: i64 = first_stats.departments.iter().map(|d| d.received).sum();
    anyhow::ensure!(
        received as usize == cfg.stats_rows,
        "stats counted {received}, expected {}",
        cfg.stats_rows
    );
    let mut runs = Vec::new();
    for _ in 0..cfg.stats_runs {
        let t = Instant::now();
        let _ = s.watcher.monthly_stats(month).await?;
        runs.push(t.elapsed());
    }
    runs.sort();
    let median = pct(&runs, 50.0);
    println!(
        "  first {:.1} ms; median of {} {:.1} ms (min {:.1}, max {:.1})",
        ms(first),
        runs.len(),
        ms(median),
        ms(pct(&runs, 0.0)),
        ms(pct(&runs, 100.0))
    );
    report.add(
        &format!(
            "monthly statistics over {} deliveries (first run / median of {})",
            cfg.stats_rows, cfg.stats_runs
        ),
        "≤ 300 ms",
        format!("{:.0} ms / {:.0} ms", ms(first), ms(median)),
        Some(median <= Duration::from_millis(300)),
    );

    // ---- 7. The queue, cursor-paged, over the 1,000,000+ deliveries -------------------------
    println!("\n[list] paging GET /api/v1/deliveries 100 pages deep (50 rows each)");
    let staff = s.staff.values().next().expect("staff").clone();
    let views: [(&str, &Client, Option<DeliveryStatus>); 3] = [
        (
            "a department's pending queue",
            &staff,
            Some(DeliveryStatus::Pending),
        ),
        (
            "all departments, pending (supervisor)",
            &s.watcher,
            Some(DeliveryStatus::Pending),
        ),
        (
            "all departments, every status (supervisor)",
            &s.watcher,
            None,
        ),
    ];
    for (what, client, status) in views {
        let mut q = shenguan::client::DeliveryQuery {
            status,
            limit: Some(50),
            ..Default::default()
        };
        let mut lat = Vec::with_capacity(100);
        let mut rows = 0;
        for _ in 0..100 {
            let t = Instant::now();
            let page = client.deliveries(&q).await?;
            lat.push(t.elapsed());
            rows += page.items.len();
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        let first = lat[0];
        let deepest = *lat.last().expect("a page");
        lat.sort();
        println!(
            "  {what}: {rows} rows; first page {:.1} ms, page {} {:.1} ms, median {:.1} ms, p99 {:.1} ms",
            ms(first),
            lat.len(),
            ms(deepest),
            ms(pct(&lat, 50.0)),
            ms(pct(&lat, 99.0))
        );
        report.add(
            &format!("list {what}: page latency over 100 pages (median / p99 / deepest page)"),
            "fast at 1,000,000 rows",
            format!(
                "{:.1} / {:.1} / {:.1} ms",
                ms(pct(&lat, 50.0)),
                ms(pct(&lat, 99.0)),
                ms(deepest)
            ),
            None,
        );
    }

    s.server.shutdown().await;
    println!("\nResults\n\n{}", report.markdown());
    if let Some(path) = &cfg.out {
        std::fs::write(path, report.markdown())?;
        println!("(written to {path})");
    }
    drop(dir);
    Ok(())
}

/// The disk's durable-write latency: what one SQLite commit (WAL, synchronous=FULL) waits for.
fn fsync_probe(dir: &std::path::Path) -> anyhow::Result<Vec<Duration>> {
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
async fn settle_tailer(
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
type BulkRow = (&'static str, i64, i64, Option<i64>);

async fn bulk_insert(
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

/// The payloads the raw writer stores: the same JSON the server stores for a push and its
/// two `delivery.created` events.
struct RawPayload {
    content: String,
    ev_data: Vec<String>,
    now: i64,
    claim_deadline: i64,
    feedback_deadline: i64,
}

/// The same rows the server writes for one approval push with 2 recipients, with the same
/// statements (see src/db/pushes.rs): 1 pushes row, then both deliveries rows in one
/// `INSERT … RETURNING id, department_id`. Returns the push id.
async fn write_push_rows(
    conn: &mut sqlx::SqliteConnection,
    p: &RawPayload,
    n: usize,
) -> anyhow::Result<i64> {
    let (push_id,): (i64,) = sqlx::query_as(
        "INSERT INTO pushes (kind, source_department_id, title, counterparty_name, license_no, important, content, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind("approval")
    .bind(1i64)
    .bind(format!("食品经营许可（新办）#{n}"))
    .bind(format!("福州市示例餐饮管理有限公司{n}"))
    .bind(format!("JY1350100{n:08}"))
    .bind(false)
    .bind(p.content.as_str())
    .bind(p.now)
    .bind("pusher")
    .fetch_one(&mut *conn)
    .await?;
    let ids: Vec<(i64, i64)> = sqlx::query_as(
        "INSERT INTO deliveries (push_id, department_id, source_department_id, status, received_at, claim_deadline, feedback_deadline, deadline_provisional, escalated) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, FALSE), ($8, $9, $10, 'pending', $11, $12, $13, $14, FALSE) RETURNING id, department_id",
    )
    .bind(push_id)
    .bind(2i64)
    .bind(1i64)
    .bind(p.now)
    .bind(p.claim_deadline)
    .bind(p.feedback_deadline)
    .bind(false)
    .bind(push_id)
    .bind(3i64)
    .bind(1i64)
    .bind(p.now)
    .bind(p.claim_deadline)
    .bind(p.feedback_deadline)
    .bind(false)
    .fetch_all(&mut *conn)
    .await?;
    anyhow::ensure!(ids.len() == 2, "two deliveries");
    Ok(push_id)
}

/// The effects the server stores for these pushes (`flush_effects!` in src/db/mod.rs): one
/// audit_log row per push and two events rows per push, each table in one multi-row insert.
async fn write_push_effects(
    conn: &mut sqlx::SqliteConnection,
    p: &RawPayload,
    push_ids: &[i64],
) -> anyhow::Result<()> {
    let mut qb = sqlx::QueryBuilder::new(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) ",
    );
    qb.push_values(push_ids, |mut b, id| {
        b.push_bind(p.now)
            .push_bind("pusher")
            .push_bind("push.create")
            .push_bind("push")
            .push_bind(*id)
            .push_bind(r#"{"kind":"approval","recipients":[2,3]}"#);
    });
    qb.build().execute(&mut *conn).await?;
    let mut qb = sqlx::QueryBuilder::new("INSERT INTO events (kind, dept_a, dept_b, data, at) ");
    let events: Vec<(i64, &str)> = push_ids
        .iter()
        .flat_map(|_| [(2i64, p.ev_data[0].as_str()), (3, p.ev_data[1].as_str())])
        .collect();
    qb.push_values(&events, |mut b, (dept, data)| {
        b.push_bind("delivery.created")
            .push_bind(*dept)
            .push_bind(1i64)
            .push_bind(*data)
            .push_bind(p.now);
    });
    qb.build().execute(&mut *conn).await?;
    Ok(())
}

/// How the raw writer commits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RawMode {
    /// The spec's limit: one BEGIN IMMEDIATE transaction per push on the server's own pool
    /// (8 connections; waiting for the write lock is SQLite's sleeping busy handler).
    PerPush,
    /// One transaction per push, but writers queue FIFO on an in-process mutex before BEGIN.
    PerPushFifo,
    /// Group commit as the server's writer does it (src/db/writer.rs): one connection takes
    /// every queued push (up to 256) into one transaction, each in its own SAVEPOINT, stores
    /// the batch's effects together and answers each push after the durable COMMIT.
    Group,
}

/// Run the raw writer in `mode` for `raw_secs` on a fresh file with the server's connection
/// settings (`Db::connect`: WAL, synchronous=FULL). Returns (pushes/s, p50, p99).
async fn raw_limit(
    dir: &std::path::Path,
    cfg: &Cfg,
    s: &Setup,
    mode: RawMode,
) -> anyhow::Result<(f64, Duration, Duration)> {
    let file = dir.join(format!("raw-{mode:?}.db"));
    let db = Db::connect(&format!("sqlite://{}", file.display())).await?;
    let pool = sqlite_pool(&db);
    let now = shenguan::domain::to_millis(s.server.state.clock.now());
    for (i, (code, kind)) in [
        ("approval", "approval"),
        ("market", "supervision"),
        ("health", "supervision"),
    ]
    .iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO departments (id, code, name, kind, created_at) VALUES ($1, $2, $2, $3, $4)",
        )
        .bind(i as i64 + 1)
        .bind(code)
        .bind(kind)
        .bind(now)
        .execute(&pool)
        .await?;
    }
    let sample = s
        .pusher
        .create_approval_push(
            &approval_push(999_999_999, &["market", "health"], s.today),
            None,
        )
        .await?;
    let payload = Arc::new(RawPayload {
        content: serde_json::to_string(&sample.content)?,
        ev_data: sample
            .deliveries
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?,
        now,
        claim_deadline: sample.deliveries[0].claim_deadline.timestamp_millis(),
        feedback_deadline: sample.deliveries[0].feedback_deadline.timestamp_millis(),
    });
    type Job = (usize, tokio::sync::oneshot::Sender<Result<(), String>>);
    let (job_tx, mut job_rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
    let writer = if mode == RawMode::Group {
        let (pool, payload) = (pool.clone(), payload.clone());
        Some(tokio::spawn(async move {
            let mut conn = pool.acquire().await.expect("writer connection");
            while let Some(first) = job_rx.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < 256 {
                    match job_rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                let res: anyhow::Result<()> = async {
                    use sqlx::Executor;
                    conn.execute("BEGIN IMMEDIATE; SAVEPOINT push").await?;
                    let mut ids = Vec::with_capacity(jobs.len());
                    for (i, (n, _)) in jobs.iter().enumerate() {
                        if i > 0 {
                            conn.execute("RELEASE push; SAVEPOINT push").await?;
                        }
                        ids.push(write_push_rows(&mut conn, &payload, *n).await?);
                    }
                    write_push_effects(&mut conn, &payload, &ids).await?;
                    conn.execute("COMMIT").await?;
                    Ok(())
                }
                .await;
                if res.is_err() {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                }
                for (_, ack) in jobs {
                    let _ = ack.send(res.as_ref().map(|_| ()).map_err(|e| e.to_string()));
                }
            }
        }))
    } else {
        drop(job_rx);
        None
    };
    let counter = Arc::new(AtomicUsize::new(0));
    let fifo = Arc::new(tokio::sync::Mutex::new(()));
    let op = move |_w: usize| {
        let (pool, payload, fifo, job_tx) =
            (pool.clone(), payload.clone(), fifo.clone(), job_tx.clone());
        let n = counter.fetch_add(1, Ordering::Relaxed);
        async move {
            Some(
                async {
                    match mode {
                        RawMode::Group => {
                            let (ack, done) = tokio::sync::oneshot::channel();
                            job_tx
                                .send((n, ack))
                                .map_err(|_| anyhow::anyhow!("writer gone"))?;
                            done.await?.map_err(|e| anyhow::anyhow!(e))?;
                        }
                        RawMode::PerPush | RawMode::PerPushFifo => {
                            let _turn = match mode {
                                RawMode::PerPushFifo => Some(fifo.lock().await),
                                _ => None,
                            };
                            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                            let id = write_push_rows(&mut tx, &payload, n).await?;
                            write_push_effects(&mut tx, &payload, &[id]).await?;
                            tx.commit().await?;
                        }
                    }
                    anyhow::Ok(())
                }
                .await,
            )
        }
    };
    // `op` holds the writer's job sender; it is dropped once the drive is over, so the writer
    // sees its channel close and ends.
    let (n, el, lat, errs) = warm_then_drive(cfg.concurrency, cfg.raw_secs, op).await;
    if let Some(w) = writer {
        let _ = w.await;
    }
    let rate = n as f64 / el.as_secs_f64();
    println!(
        "  {mode:?}: {n} pushes in {:.2}s, {errs} errors: {rate:.0}/s; {}",
        el.as_secs_f64(),
        latency_line(&lat)
    );
    db.close().await;
    Ok((rate, pct(&lat, 50.0), pct(&lat, 99.0)))
}

/// `sse_subscribers` supervisors follow GET /api/v1/events; for each delivery in `ids`, a
/// claim is made and every subscriber's receipt of its `delivery.claimed` event is timed from
/// just before the claim request was sent, and from the claim response.
/// Returns (latencies from send, latencies from response, missing receipts).
async fn sse_fanout(
    cfg: &Cfg,
    s: &Setup,
    ids: &[(String, i64)],
) -> anyhow::Result<(Vec<Duration>, Vec<Duration>, usize)> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(i64, Instant)>();
    let connected = Arc::new(AtomicUsize::new(0));
    let mut subs = Vec::new();
    for _ in 0..cfg.sse_subscribers {
        // One HTTP connection each, as 500 browsers would have.
        let c = Client::new(s.watcher.base(), s.watcher.token().map(str::to_string));
        let (tx, connected) = (tx.clone(), connected.clone());
        subs.push(tokio::spawn(async move {
            let mut es = c.events(None);
            while let Some(item) = es.next().await {
                match item {
                    StreamItem::Connected => {
                        connected.fetch_add(1, Ordering::Relaxed);
                    }
                    StreamItem::Event(e) if e.kind == event_types::DELIVERY_CLAIMED => {
                        let at = Instant::now();
                        if let Some(id) = e.data.get("id").and_then(|v| v.as_i64()) {
                            let _ = tx.send((id, at));
                        }
                    }
                    StreamItem::Reconnecting { reason, .. } => {
                        eprintln!("sse subscriber reconnecting: {reason}");
                    }
                    _ => {}
                }
            }
        }));
    }
    drop(tx);
    let t = Instant::now();
    while (connected.load(Ordering::Relaxed) < cfg.sse_subscribers
        || s.server
            .state
            .hub
            .subscriber_count()
            .load(Ordering::Relaxed)
            < cfg.sse_subscribers as i64)
        && t.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "  {} subscribers connected in {:.2}s",
        connected.load(Ordering::Relaxed),
        t.elapsed().as_secs_f64()
    );
    // Let the connection burst settle.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut lat_send = Vec::new();
    let mut lat_resp = Vec::new();
    let mut missing = 0;
    for (dept, id) in ids {
        let staff = &s.staff[dept];
        let t0 = Instant::now();
        let d = staff.claim(*id).await?;
        let t1 = Instant::now();
        anyhow::ensure!(d.status == DeliveryStatus::Claimed, "SSE claim failed");
        let mut got = 0;
        let wait_until = Instant::now() + Duration::from_secs(10);
        while got < cfg.sse_subscribers {
            match tokio::time::timeout_at(wait_until.into(), rx.recv()).await {
                Ok(Some((eid, at))) if eid == *id => {
                    got += 1;
                    lat_send.push(at.duration_since(t0));
                    lat_resp.push(at.saturating_duration_since(t1));
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        missing += cfg.sse_subscribers - got;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for t in subs {
        t.abort();
    }
    lat_send.sort();
    lat_resp.sort();
    Ok((lat_send, lat_resp, missing))
}
