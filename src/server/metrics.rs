//! Prometheus metrics, hand-rolled: a few counters do not need a metrics framework.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;

#[derive(Debug, Default)]
pub struct Metrics {
    pub requests_2xx: AtomicU64,
    pub requests_4xx: AtomicU64,
    pub requests_5xx: AtomicU64,
    pub request_micros: AtomicU64,
    pub pushes_created: AtomicU64,
    pub claims: AtomicU64,
    pub login_failures: AtomicU64,
    pub login_lockouts: AtomicU64,
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let resp = next.run(req).await;
    let m = &state.metrics;
    let counter = match resp.status().as_u16() {
        500..=599 => &m.requests_5xx,
        400..=499 => &m.requests_4xx,
        _ => &m.requests_2xx,
    };
    counter.fetch_add(1, Ordering::Relaxed);
    m.request_micros
        .fetch_add(start.elapsed().as_micros() as u64, Ordering::Relaxed);
    resp
}

pub fn render(state: &AppState) -> String {
    let m = &state.metrics;
    let mut out = String::new();
    let mut line = |name: &str, help: &str, kind: &str, labels: &str, v: u64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name}{labels} {v}"
        );
    };
    line(
        "shenguan_http_requests_total",
        "HTTP requests answered",
        "counter",
        "{class=\"2xx\"}",
        m.requests_2xx.load(Ordering::Relaxed),
    );
    let _ = writeln!(
        out,
        "shenguan_http_requests_total{{class=\"4xx\"}} {}",
        m.requests_4xx.load(Ordering::Relaxed)
    );
    let _ = writeln!(
        out,
        "shenguan_http_requests_total{{class=\"5xx\"}} {}",
        m.requests_5xx.load(Ordering::Relaxed)
    );
    let mut line = |name: &str, help: &str, kind: &str, v: u64| {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}"
        );
    };
    line(
        "shenguan_http_request_seconds_sum_micros",
        "Total request handling time in microseconds",
        "counter",
        m.request_micros.load(Ordering::Relaxed),
    );
    line(
        "shenguan_pushes_created_total",
        "Pushes created on this instance",
        "counter",
        m.pushes_created.load(Ordering::Relaxed),
    );
    line(
        "shenguan_claims_total",
        "Deliveries claimed by people on this instance",
        "counter",
        m.claims.load(Ordering::Relaxed),
    );
    line(
        "shenguan_login_failures_total",
        "Failed logins (wrong password, unknown or deactivated account) on this instance",
        "counter",
        m.login_failures.load(Ordering::Relaxed),
    );
    line(
        "shenguan_login_lockouts_total",
        "Usernames locked after repeated failed logins on this instance",
        "counter",
        m.login_lockouts.load(Ordering::Relaxed),
    );
    line(
        "shenguan_event_subscribers",
        "Open event streams on this instance",
        "gauge",
        state.hub.subscriber_count().load(Ordering::Relaxed).max(0) as u64,
    );
    line(
        "shenguan_event_head",
        "Id of the last event broadcast by this instance",
        "gauge",
        state.hub.head().max(0) as u64,
    );
    out
}
