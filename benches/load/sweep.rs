//! The sweeper over overdue deliveries.

use crate::prelude::*;

/// The sweeper: overdue deliveries inserted by SQL, then one clock change sweeps them all.
pub async fn run(b: &mut Bench) -> anyhow::Result<()> {
    let cfg = &b.cfg;
    let s = &b.s;
    let state = &b.state;
    let pool = &b.pool;
    let dept_ids = &b.dept_ids;
    let source_id = b.source_id;
    let report = &mut b.report;
    println!(
        "\n[sweeper] inserting {} overdue pending deliveries",
        cfg.sweep_rows
    );
    let now = shenguan::domain::to_millis(state.clock.now());
    let t = Instant::now();
    bulk_insert(pool, cfg.sweep_rows, source_id, dept_ids, true, |i| {
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
            .fetch_one(pool)
            .await?;
    let (left,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM deliveries WHERE status = 'pending' AND claim_deadline <= $1",
    )
    .bind(shenguan::domain::to_millis(new_now))
    .fetch_one(pool)
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
    settle_tailer(state, pool).await?;
    Ok(())
}
