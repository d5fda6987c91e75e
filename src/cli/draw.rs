//! `shenguan draw verify`: recompute a draw of experts from its record (docs/DRAWS.md).
//!
//! Three sources of the record: the server (through the API, with the caller's login like
//! the console), a database directly (`--database`), or an exported record (`--record`, the
//! JSON of `GET /api/v1/draws/{id}`) — the last needs nothing of the system that made it.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::api::{Draw, DrawVerification};

#[derive(Subcommand, Debug)]
pub enum DrawCommand {
    /// Recompute a draw and say whether it matches its record (exit 0 only on a match).
    Verify(VerifyArgs),
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The draw's id (not with --record).
    #[arg(required_unless_present = "record", conflicts_with = "record")]
    pub id: Option<i64>,
    /// Server URL (default: the one saved by `shenguan login`); the token is the saved one
    /// or SHENGUAN_TOKEN.
    #[arg(long, env = "SHENGUAN_SERVER", conflicts_with_all = ["database", "record"])]
    pub server: Option<String>,
    /// Trust this CA (PEM) for an https:// server.
    #[arg(long, env = "SHENGUAN_CA_FILE")]
    pub ca_file: Option<PathBuf>,
    /// Read the record from this database instead of a server (sqlite://… or postgres://…).
    #[arg(long, conflicts_with = "record")]
    pub database: Option<String>,
    /// Verify an exported record (the JSON of GET /api/v1/draws/{id}; `-` for stdin).
    #[arg(long)]
    pub record: Option<PathBuf>,
    /// Print the verification as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(cmd: DrawCommand) -> anyhow::Result<()> {
    let DrawCommand::Verify(args) = cmd;
    let draw = load(&args).await?;
    let v = crate::domain::draw::verify_draw(&draw);
    if args.json {
        println!("{}", serde_json::to_string(&v)?);
    } else {
        print!("{}", report(&draw, &v));
    }
    if v.matches {
        Ok(())
    } else {
        anyhow::bail!(
            "抽取记录 #{} 复算不一致 / draw #{} does not match its record",
            draw.id,
            draw.id
        )
    }
}

async fn load(args: &VerifyArgs) -> anyhow::Result<Draw> {
    if let Some(path) = &args.record {
        let text = if path.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        } else {
            std::fs::read_to_string(path)?
        };
        return Ok(serde_json::from_str(&text)?);
    }
    let id = args
        .id
        .ok_or_else(|| anyhow::anyhow!("a draw id is required"))?;
    if let Some(url) = &args.database {
        let db = crate::db::Db::connect(url).await?;
        let d = crate::db::draws::get(&db, id).await;
        db.close().await;
        return d?.ok_or_else(|| anyhow::anyhow!("没有抽取记录 #{id} / no draw #{id}"));
    }
    let saved = crate::console::config::load_login()?;
    let token = match std::env::var("SHENGUAN_TOKEN") {
        Ok(t) if !t.is_empty() => t,
        _ => saved.as_ref().map(|l| l.token.clone()).ok_or_else(|| {
            anyhow::anyhow!("尚未登录：请先运行 shenguan login / not logged in: run `shenguan login` first, or use --database or --record")
        })?,
    };
    let ca_file = args
        .ca_file
        .clone()
        .or_else(|| saved.as_ref().and_then(|l| l.ca_file.clone()));
    let server = args
        .server
        .clone()
        .or_else(|| saved.map(|l| l.server))
        .ok_or_else(|| anyhow::anyhow!("--server is required (no saved server)"))?;
    crate::tls::install_provider();
    let trust = crate::client::Trust::from_option(ca_file.as_deref())?;
    let client = crate::client::Client::with_trust(&server, Some(token), &trust)?;
    Ok(client.draw(id).await?)
}

/// What the command prints: the record's inputs and each check.
pub fn report(d: &Draw, v: &DrawVerification) -> String {
    let yes = |b: bool| if b { "是 / yes" } else { "否 / NO" };
    let ids = |v: &[i64]| v.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    format!(
        "抽取 / draw #{id} (event {ev}, sequence {seq})\n\
         算法 / algorithm: {alg}\n\
         种子 / seed: {seed}\n\
         候选 / candidates: {n}\n\
         承诺一致 / commitment matches: {cm}\n\
         承诺先于抽取 / committed before the draw: {cb}\n\
         种子一致 / seed matches: {sm}\n\
         候选顺序规范 / candidates canonical: {cc}\n\
         记录 / recorded:   [{rec}]\n\
         复算 / recomputed: [{re}]\n\
         结论 / result: {res}\n",
        id = d.id,
        ev = d.event_id,
        seq = d.sequence,
        alg = d.algorithm,
        seed = d.seed,
        n = d.candidates.len(),
        cm = yes(v.commitment_matches),
        cb = yes(v.committed_before),
        sm = yes(v.seed_matches),
        cc = yes(v.candidates_canonical),
        rec = ids(&v.recorded),
        re = ids(&v.recomputed),
        res = if v.matches {
            "一致 / MATCH"
        } else {
            "不一致 / MISMATCH"
        },
    )
}
