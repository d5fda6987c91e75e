//! SSE fan-out: subscribers following the event stream while claims are made.

use crate::prelude::*;

/// `sse_subscribers` supervisors follow GET /api/v1/events; for each delivery in `ids`, a
/// claim is made and every subscriber's receipt of its `delivery.claimed` event is timed from
/// just before the claim request was sent, and from the claim response.
/// Returns (latencies from send, latencies from response, missing receipts).
pub async fn sse_fanout(
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

/// SSE fan-out: every subscriber's receipt of each claim's event.
pub async fn run(b: &mut Bench, sse_ids: &[(String, i64)]) -> anyhow::Result<()> {
    let cfg = &b.cfg;
    let s = &b.s;
    let report = &mut b.report;
    println!(
        "\n[sse] {} subscribers (supervisor), {} claims",
        cfg.sse_subscribers,
        sse_ids.len()
    );
    let (lat_send, lat_resp, missing) = sse_fanout(cfg, s, sse_ids).await?;
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
    Ok(())
}
