//! The load driver: workers repeating an operation until a deadline, and their report.

use crate::prelude::*;

/// What [`drive`] measured: (ops, elapsed, sorted latencies, errors).
pub type Run = (usize, Duration, Vec<Duration>, usize);

/// Run `concurrency` workers until `stop` says so; each call returns `Ok(true)` for a counted
/// operation. Returns (ops, elapsed, sorted latencies, errors).
pub async fn drive<F, Fut>(concurrency: usize, deadline: Option<Instant>, op: F) -> Run
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
pub async fn warm_then_drive<F, Fut>(concurrency: usize, secs: f64, op: F) -> Run
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
pub fn report_phase(
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
