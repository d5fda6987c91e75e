//! `shenguan report monthly`: the monthly bulletin as a file, fetched through the API with the
//! caller's own login and rights (a department gets only what it may read), like the console.

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};

use crate::api::ReportFormat;

#[derive(Subcommand, Debug)]
pub enum ReportCommand {
    /// Export a month's bulletin (每月通报): the latest issued version, `--version N`, or the
    /// live draft (marked 草稿 / draft) when none was issued or with `--version live`.
    Monthly {
        /// YYYY-MM.
        #[arg(long)]
        month: String,
        /// A version number, or `live`.
        #[arg(long)]
        version: Option<String>,
        #[arg(long, value_enum)]
        format: Format,
        /// The file to write (replaced if it exists).
        #[arg(long)]
        out: PathBuf,
        /// Server URL (default: the one saved by `shenguan login`).
        #[arg(long, env = "SHENGUAN_SERVER")]
        server: Option<String>,
        /// Trust this CA (PEM) besides the system's roots (default: the one saved by login).
        #[arg(long, env = "SHENGUAN_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
}

#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum Format {
    Xlsx,
    Csv,
    Md,
}

impl From<Format> for ReportFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Xlsx => Self::Xlsx,
            Format::Csv => Self::Csv,
            Format::Md => Self::Md,
        }
    }
}

/// The client of the signed-in user: `SHENGUAN_TOKEN` or the saved login's token.
pub fn signed_in(
    server: Option<String>,
    ca_file: Option<PathBuf>,
) -> anyhow::Result<crate::client::Client> {
    let saved = crate::console::config::load_login()?;
    let token = match std::env::var("SHENGUAN_TOKEN") {
        Ok(t) if !t.is_empty() => t,
        _ => saved.as_ref().map(|l| l.token.clone()).ok_or_else(|| {
            anyhow::anyhow!("尚未登录：请先运行 shenguan login / not logged in: run `shenguan login --server URL --user NAME` first")
        })?,
    };
    let ca_file = ca_file.or_else(|| saved.as_ref().and_then(|l| l.ca_file.clone()));
    let server = server
        .or_else(|| saved.map(|l| l.server))
        .ok_or_else(|| anyhow::anyhow!("--server is required (no saved server)"))?;
    let trust = crate::client::Trust::from_option(ca_file.as_deref())?;
    Ok(crate::client::Client::with_trust(
        &server,
        Some(token),
        &trust,
    )?)
}

pub async fn run(cmd: ReportCommand) -> anyhow::Result<()> {
    match cmd {
        ReportCommand::Monthly {
            month,
            version,
            format,
            out,
            server,
            ca_file,
        } => {
            let client = signed_in(server, ca_file)?;
            let bytes = client
                .monthly_report(&month, format.into(), version.as_deref())
                .await?;
            std::fs::write(&out, &bytes)?;
            eprintln!(
                "已导出 {} 字节到 {} / wrote {} bytes to {}",
                bytes.len(),
                out.display(),
                bytes.len(),
                out.display()
            );
            Ok(())
        }
    }
}
