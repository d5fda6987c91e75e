//! `shenguan audit`: the tamper-evident audit chain (docs/AUDIT.md).

use clap::Subcommand;

use super::DatabaseArg;

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Walk the audit chain and report the first record that does not match. Exit status: 0
    /// the chain holds, 2 it is broken, 1 it could not be checked.
    Verify {
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// Exit status of a broken chain (1 is any other failure: the check could not be made).
pub const BROKEN: i32 = 2;

pub async fn run(cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify { database } => {
            let started = std::time::Instant::now();
            let verdict = crate::db::audit::verify_url(&database.url).await?;
            println!("{verdict}");
            eprintln!("({:.1} s)", started.elapsed().as_secs_f64());
            if matches!(verdict, crate::db::audit::Verdict::Broken(_)) {
                // A distinct status, so a scheduled check can tell tampering from an outage.
                std::process::exit(BROKEN);
            }
            Ok(())
        }
    }
}
