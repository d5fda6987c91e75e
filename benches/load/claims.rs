//! Claims of distinct pending deliveries.

use crate::prelude::*;

/// Claims of distinct pending deliveries, 16 clients. Keeps back `2 × sse_events` deliveries
/// and returns them for the SSE phase.
pub async fn run(
    b: &mut Bench,
    created: Arc<Mutex<Vec<(String, i64)>>>,
) -> anyhow::Result<Vec<(String, i64)>> {
    let cfg = &b.cfg;
    let s = &b.s;
    let state = &b.state;
    let pool = &b.pool;
    let recipients = &b.recipients;
    let dept_ids = &b.dept_ids;
    let source_id = b.source_id;
    let report = &mut b.report;
    let mut by_dept: HashMap<String, Vec<i64>> = HashMap::new();
    for (d, id) in created.lock().unwrap().drain(..) {
        by_dept.entry(d).or_default().push(id);
    }
    // Keep 2 × sse_events deliveries for the SSE test; the rest may be claimed.
    let mut sse_ids: Vec<(String, i64)> = Vec::new();
    for _ in 0..cfg.sse_events {
        for d in recipients {
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
        let ids = bulk_insert(pool, extra, source_id, &dept_ids[..2], true, |_| {
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
        report,
        "claims",
        &run,
        ("claims, 16 clients: throughput", "≥ 3,000/s", 3000.0),
        ("claims: p50 / p99 latency", "p99 ≤ 30 ms", 30.0),
    );
    Ok(sse_ids)
}
