//! The expert draw recomputed over a pool of 10,000 candidates (target: ≤ 10 ms).
//!
//!     cargo bench --bench draws
//!
//! Three measures, each the median and the slowest of 200 runs after 20 warm-ups:
//! 1. `verify_draw` on a record of 10,000 candidates drawing 5 (commitment, seed, shuffle,
//!    comparison) — what `GET /api/v1/draws/{id}/verification` does after reading the row;
//! 2. the same from the exported JSON (parse, then verify) — `shenguan draw verify --record`;
//! 3. the worst case: all 10,000 drawn (a full Fisher–Yates shuffle), verified.
//!
//! Exits non-zero when the median of a recomputation (1 or 3) exceeds the target; 2 adds
//! the JSON parsing of a 10,000-candidate record and is reported for information.

use std::time::{Duration, Instant};

use shenguan::api::{Draw, DrawCandidate, DrawnExpert, ExpertPool};
use shenguan::domain::draw::{self, verify_draw};

const POOL: usize = 10_000;
const RUNS: usize = 200;
const TARGET: Duration = Duration::from_millis(10);

fn record(count: usize) -> Draw {
    let secret = [0x5a; 32];
    let (event_id, sequence) = (1234, 1);
    let seed = draw::seed(event_id, sequence, &secret);
    let candidates: Vec<DrawCandidate> = (1..=POOL as i64)
        .map(|id| DrawCandidate {
            id,
            department: format!("dept{:03}", id % 300),
        })
        .collect();
    let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
    let drawn = draw::draw(&seed, &ids, count)
        .unwrap()
        .into_iter()
        .map(|id| DrawnExpert {
            id,
            name: format!("专家{id}"),
            department: format!("dept{:03}", id % 300),
            qualification: "注册安全工程师".into(),
        })
        .collect();
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-26T10:00:00+08:00").unwrap();
    Draw {
        id: 1,
        event_id,
        sequence,
        seed: draw::to_hex(&seed),
        algorithm: draw::ALGORITHM.into(),
        pool: ExpertPool::SiteInspection,
        event_date: t.date_naive(),
        exclude_departments: vec![],
        candidates,
        drawn,
        reason: None,
        commitment: draw::to_hex(&draw::commitment(&secret)),
        committed_at: t,
        secret: draw::to_hex(&secret),
        made_by: "shenpi1".into(),
        made_at: t + chrono::Duration::hours(1),
    }
}

fn measure(name: &str, mut f: impl FnMut() -> bool) -> (Duration, Duration) {
    for _ in 0..20 {
        assert!(f(), "{name}: the record must verify");
    }
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            assert!(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    let (median, max) = (times[RUNS / 2], times[RUNS - 1]);
    println!(
        "| {name} | {:.3} ms | {:.3} ms |",
        median.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    (median, max)
}

fn main() {
    println!("pool of {POOL} candidates, {RUNS} runs each, target ≤ {TARGET:?}\n");
    println!("| measure | median | slowest |\n|---|---|---|");
    let five = record(5);
    let json = serde_json::to_string(&five).unwrap();
    let all = record(POOL);
    let recompute_five = measure("verify, 5 drawn", || verify_draw(&five).matches);
    measure("parse exported JSON + verify, 5 drawn", || {
        let d: Draw = serde_json::from_str(&json).unwrap();
        verify_draw(&d).matches
    });
    let recompute_all = measure("verify, all 10,000 drawn", || verify_draw(&all).matches);
    if [recompute_five, recompute_all]
        .iter()
        .any(|(median, _)| *median > TARGET)
    {
        eprintln!("a median exceeds {TARGET:?}");
        std::process::exit(1);
    }
}
