//! Load benchmark for the central server (issue 2, "Performance").
//!
//! One process: the server runs in-process on 127.0.0.1:0 over a fresh SQLite file in a temp
//! dir (WAL, synchronous=FULL, BEGIN IMMEDIATE — the server's own settings), driven over real
//! HTTP by the typed client. Run with `cargo bench --bench load`. Sizes come from env vars
//! (see `Cfg::from_env`); the defaults are the sizes in the spec. Set `SG_BENCH_OUT=FILE` to
//! also write the results table as Markdown.
//!
//! The phases, each in its module: [`pushes`] (pushes, then the raw-sqlx limit), [`claims`],
//! [`sse`] (fan-out), [`sweep`], [`stats`] (monthly statistics), [`paging`] (the queue); the
//! set-up in [`setup`], the load driver in [`drive`], SQL helpers in [`sql`] and [`raw`], the
//! results table in [`report`]. Shared fixtures come from `tests/support`.

#[path = "../../tests/support/mod.rs"]
mod support;

mod claims;
mod drive;
mod https;
mod paging;
mod pushes;
mod raw;
mod report;
mod setup;
mod sql;
mod sse;
mod stats;
mod sweep;

/// What every phase module uses.
#[allow(unused_imports)]
mod prelude {
    pub use std::collections::HashMap;
    pub use std::sync::atomic::{AtomicUsize, Ordering};
    pub use std::sync::{Arc, Mutex};
    pub use std::time::{Duration, Instant};

    pub use chrono::{Datelike, TimeZone};
    pub use futures::StreamExt;
    pub use shenguan::api::*;
    pub use shenguan::client::{Client, StreamItem};
    pub use shenguan::db::{Db, Pool};
    pub use shenguan::server::{RunningServer, ServerConfig};

    pub use crate::Bench;
    pub use crate::drive::*;
    pub use crate::raw::*;
    pub use crate::report::*;
    pub use crate::setup::*;
    pub use crate::sql::*;
}

use prelude::*;

/// The running benchmark: its settings, data directory, server and results so far.
pub struct Bench {
    pub cfg: Cfg,
    pub dir: tempfile::TempDir,
    pub report: Report,
    pub s: Setup,
    pub state: shenguan::server::AppState,
    pub pool: sqlx::SqlitePool,
    /// The two departments every push goes to.
    pub recipients: [String; 2],
    /// The supervision departments' ids.
    pub dept_ids: Vec<i64>,
    /// The approval bureau's id.
    pub source_id: i64,
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
    let mut b = Bench {
        cfg,
        dir,
        report,
        s,
        state,
        pool,
        recipients,
        dept_ids,
        source_id,
    };

    let (push_rate, created) = pushes::run(&mut b).await?;
    if b.cfg.https {
        pushes::https(&mut b, push_rate).await?;
    }
    pushes::raw(&mut b, push_rate).await?;
    let sse_ids = claims::run(&mut b, created).await?;
    sse::run(&mut b, &sse_ids).await?;
    sweep::run(&mut b).await?;
    stats::run(&mut b).await?;
    paging::run(&mut b).await?;

    let Bench {
        cfg,
        dir,
        report,
        s,
        ..
    } = b;
    s.server.shutdown().await;
    println!("\nResults\n\n{}", report.markdown());
    if let Some(path) = &cfg.out {
        std::fs::write(path, report.markdown())?;
        println!("(written to {path})");
    }
    drop(dir);
    Ok(())
}
