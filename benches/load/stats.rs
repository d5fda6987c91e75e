//! Monthly statistics over a large month.

use crate::prelude::*;

/// Monthly statistics over a month of deliveries inserted by SQL.
pub async fn run(b: &mut Bench) -> anyhow::Result<()> {
    let cfg = &b.cfg;
    let s = &b.s;
    let pool = &b.pool;
    let dept_ids = &b.dept_ids;
    let source_id = b.source_id;
    let report = &mut b.report;
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
    bulk_insert(pool, cfg.stats_rows, source_id, dept_ids, false, |i| {
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
        .execute(pool)
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
    Ok(())
}
