//! Approval pushes, and the raw-sqlx limit they are compared with.

use crate::prelude::*;

/// Approval pushes with 2 recipients, 16 clients: the server's push throughput and latency.
pub async fn run(b: &mut Bench) -> anyhow::Result<(f64, Arc<Mutex<Vec<(String, i64)>>>)> {
    let cfg = &b.cfg;
    let s = &b.s;
    let recipients = &b.recipients;
    let report = &mut b.report;
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
        report,
        "pushes",
        &run,
        (
            "approval pushes (2 recipients), 16 clients: throughput",
            "≥ 2,000/s",
            2000.0,
        ),
        ("approval pushes: p50 / p99 latency", "p99 ≤ 50 ms", 50.0),
    );
    Ok((push_rate, created))
}

/// The limit: the same rows straight through sqlx, and the server's ratio to it.
pub async fn raw(b: &mut Bench, push_rate: f64) -> anyhow::Result<()> {
    let cfg = &b.cfg;
    let s = &b.s;
    let dir = &b.dir;
    let report = &mut b.report;
    println!(
        "\n[raw sqlx] {} tasks, {}s, one BEGIN IMMEDIATE transaction per push",
        cfg.concurrency, cfg.raw_secs
    );
    let (raw_rate, raw50, raw99) = raw_limit(dir.path(), cfg, s, RawMode::PerPush).await?;
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
            let (r, p50, p99) = raw_limit(dir.path(), cfg, s, mode).await?;
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
    Ok(())
}

/// Phase 1 again over HTTPS (see `https.rs`): a second instance on the same database serves
/// TLS; reported beside the plain phase as a ratio.
pub async fn https(b: &mut Bench, plain_rate: f64) -> anyhow::Result<()> {
    let cfg = &b.cfg;
    println!(
        "\n[pushes over HTTPS] {} clients, {}s (after a 1s warm-up), a second instance serving TLS",
        cfg.concurrency, cfg.push_secs
    );
    let (rec, today) = (b.recipients.clone(), b.s.today);
    let database = format!("sqlite://{}", b.dir.path().join("server.db").display());
    let token = b.s.pusher.token().expect("logged in").to_string();
    let run = crate::https::pushes(
        b.dir.path(),
        &database,
        &token,
        cfg.concurrency,
        cfg.push_secs,
        // Numbers past the plain phase's: every push is a new licence.
        move |n| approval_push(10_000_000 + n, &[&rec[0], &rec[1]], today),
    )
    .await?;
    let rate = report_phase(
        &mut b.report,
        "pushes over HTTPS",
        &run,
        (
            "approval pushes over HTTPS (rustls, keep-alive), 16 clients: throughput",
            "≥ 2,000/s",
            2000.0,
        ),
        (
            "approval pushes over HTTPS: p50 / p99 latency",
            "p99 ≤ 50 ms",
            50.0,
        ),
    );
    let ratio = rate / plain_rate;
    b.report.add(
        "HTTPS / plain push throughput, same run (TLS cost)",
        "≥ 0.80",
        format!("{ratio:.2}"),
        Some(ratio >= 0.8),
    );
    Ok(())
}
