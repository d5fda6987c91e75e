//! Settings from the environment, percentiles, and the results table.

use crate::prelude::*;

pub struct Cfg {
    pub concurrency: usize,
    pub push_secs: f64,
    pub raw_secs: f64,
    pub claims: usize,
    pub sse_subscribers: usize,
    pub sse_events: usize,
    pub sweep_rows: usize,
    pub stats_rows: usize,
    pub stats_runs: usize,
    pub raw_variants: bool,
    pub https: bool,
    pub out: Option<String>,
}

pub fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: not a valid value")),
        Err(_) => default,
    }
}

impl Cfg {
    pub fn from_env() -> Self {
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
            https: env("SG_BENCH_HTTPS", true),
            out: std::env::var("SG_BENCH_OUT").ok(),
        }
    }
}

/// Nearest-rank percentile of sorted samples.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// "p50 …, p99 …, max …" of sorted latencies, in ms with two decimals.
pub fn latency_line(sorted: &[Duration]) -> String {
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(pct(sorted, 50.0)),
        ms(pct(sorted, 99.0)),
        ms(pct(sorted, 100.0))
    )
}

pub struct Row {
    pub what: String,
    pub target: String,
    pub measured: String,
    pub pass: Option<bool>,
}

#[derive(Default)]
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    pub fn add(&mut self, what: &str, target: &str, measured: String, pass: Option<bool>) {
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
    pub fn markdown(&self) -> String {
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

pub fn verdict(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "PASS",
        Some(false) => "FAIL",
        None => "info",
    }
}
