//! `shenguan generate completions|man|all --out DIR` (hidden): shell completions and man pages
//! written from the CLI definition itself, so they cannot drift from the flags. The package
//! build runs it with the binary it just built; nothing is downloaded.

use std::path::{Path, PathBuf};

use clap::{CommandFactory, ValueEnum};
use clap_complete::Shell;

use crate::cli::Cli;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum What {
    /// bash, zsh and fish completions.
    Completions,
    /// A man page for `shenguan` and one per subcommand.
    Man,
    /// Both.
    All,
}

const BIN: &str = "shenguan";

pub fn run(what: What, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let mut written = Vec::new();
    if matches!(what, What::Completions | What::All) {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let mut cmd = Cli::command();
            written.push(clap_complete::generate_to(shell, &mut cmd, BIN, out)?);
        }
    }
    if matches!(what, What::Man | What::All) {
        written.extend(man_pages(Cli::command(), out)?);
    }
    Ok(written)
}

/// `shenguan.1`, `shenguan-server.1`, `shenguan-admin-backup.1`, … (hidden commands skipped).
fn man_pages(cmd: clap::Command, out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut cmd = cmd;
    cmd.build();
    let mut written = Vec::new();
    write_page(&cmd, BIN, out, &mut written)?;
    Ok(written)
}

fn write_page(
    cmd: &clap::Command,
    name: &str,
    out: &Path,
    written: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    let path = out.join(format!("{name}.1"));
    let mut buf = Vec::new();
    // After `build()` a subcommand's display name is `shenguan-server` etc.
    clap_mangen::Man::new(cmd.clone())
        .title(name.to_string())
        .render(&mut buf)?;
    std::fs::write(&path, buf)?;
    written.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        write_page(sub, &format!("{name}-{}", sub.get_name()), out, written)?;
    }
    Ok(())
}
