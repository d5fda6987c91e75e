//! Backups that restore: `shenguan admin backup` copies a running SQLite database online,
//! `shenguan admin verify-backup` proves a copy (or any database) is whole before anyone needs it.
//!
//! The copy is SQLite's `VACUUM INTO`: it reads one snapshot inside a single read transaction,
//! so in WAL mode the server keeps committing while it runs, and the copy holds exactly the
//! transactions committed before it began — every push the server acknowledged by then
//! (acknowledgements follow a `synchronous=FULL` commit). PostgreSQL is backed up with
//! `pg_dump`/`pg_restore` (README); `verify-backup URL` checks a restored PostgreSQL database.
//!
//! Verification is a list of [`Check`]s run in order; a later check (the audit chain, once the
//! audit log is chained) is one more variant and one more arm in [`run_check`].

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, PgConnection};

/// What `verify` runs, in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `PRAGMA integrity_check` (SQLite; PostgreSQL checksums its own pages).
    Integrity,
    /// `PRAGMA foreign_key_check` (SQLite; PostgreSQL enforces foreign keys on every write).
    ForeignKeys,
    /// The applied migrations against the ones this binary carries.
    Migrations,
    /// Records agree with each other: deliveries ↔ pushes ↔ events ↔ audit lines.
    Consistency,
}

pub const CHECKS: &[Check] = &[
    Check::Integrity,
    Check::ForeignKeys,
    Check::Migrations,
    Check::Consistency,
];

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Integrity => "integrity",
            Check::ForeignKeys => "foreign-keys",
            Check::Migrations => "migrations",
            Check::Consistency => "consistency",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(String),
    /// Not applicable to this database, or fine with a remark.
    Note(String),
    Failed(Vec<String>),
}

#[derive(Debug)]
pub struct Report {
    pub results: Vec<(Check, Outcome)>,
}

impl Report {
    pub fn ok(&self) -> bool {
        !self
            .results
            .iter()
            .any(|(_, o)| matches!(o, Outcome::Failed(_)))
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (check, outcome) in &self.results {
            match outcome {
                Outcome::Ok(info) => writeln!(
                    f,
                    "{}",
                    format!("{:<13} ok      {info}", check.name()).trim_end()
                )?,
                Outcome::Note(info) => writeln!(f, "{:<13} note    {info}", check.name())?,
                Outcome::Failed(problems) => {
                    writeln!(f, "{:<13} FAILED", check.name())?;
                    for p in problems {
                        writeln!(f, "    {p}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

mod consistency;

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Copy the SQLite database at `database` (a `sqlite://` URL) to the new file `out`, while
/// the server keeps running, then verify the copy. The file appears only when complete.
pub async fn backup(database: &str, out: &Path) -> anyhow::Result<Report> {
    if database.starts_with("postgres://") || database.starts_with("postgresql://") {
        anyhow::bail!(
            "PostgreSQL 数据库请用 pg_dump 备份（见 README）/ back PostgreSQL up with pg_dump -Fc (see the README's Backups section)"
        );
    }
    if !database.starts_with("sqlite:") {
        anyhow::bail!("unsupported database URL (expected sqlite://FILE)");
    }
    if out.exists() {
        anyhow::bail!(
            "{} 已存在，不覆盖 / {} exists; not overwriting",
            out.display(),
            out.display()
        );
    }
    let opts = SqliteConnectOptions::from_str(database)?
        .create_if_missing(false)
        .busy_timeout(Duration::from_secs(30));
    let mut conn = SqliteConnection::connect_with(&opts)
        .await
        .map_err(|e| anyhow::anyhow!("{database}: {e}"))?;
    let partial = partial_path(out);
    let _ = std::fs::remove_file(&partial);
    let target = partial
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{}: not a UTF-8 path", out.display()))?
        .to_string();
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(&target)
        .execute(&mut conn)
        .await;
    conn.close().await?;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        anyhow::bail!("VACUUM INTO {}: {e}", out.display());
    }
    // Durable before it takes its name: a crash leaves either no backup or a whole one.
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, out)?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)?.sync_all()?;
    }
    verify(&out.display().to_string()).await
}

fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

/// Verify a backup file (a path or `sqlite://` URL, opened read-only) or a restored
/// PostgreSQL database (`postgres://` URL).
pub async fn verify(target: &str) -> anyhow::Result<Report> {
    let mut conn = if target.starts_with("postgres://") || target.starts_with("postgresql://") {
        Conn::Postgres(PgConnection::connect(target).await?)
    } else {
        let opts = if target.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(target)?
        } else {
            SqliteConnectOptions::new().filename(target)
        };
        let opts = opts.create_if_missing(false).read_only(true);
        Conn::Sqlite(
            SqliteConnection::connect_with(&opts)
                .await
                .map_err(|e| anyhow::anyhow!("{target}: {e}"))?,
        )
    };
    let mut results = Vec::new();
    for check in CHECKS {
        let outcome = match run_check(*check, &mut conn).await {
            Ok(o) => o,
            Err(e) => Outcome::Failed(vec![e.to_string()]),
        };
        // Without the expected tables the later checks only repeat the same failure.
        let stop = *check == Check::Migrations && matches!(outcome, Outcome::Failed(_));
        results.push((*check, outcome));
        if stop {
            break;
        }
    }
    match conn {
        Conn::Sqlite(c) => c.close().await?,
        Conn::Postgres(c) => c.close().await?,
    }
    Ok(Report { results })
}

async fn run_check(check: Check, conn: &mut Conn) -> anyhow::Result<Outcome> {
    match (check, conn) {
        (Check::Integrity, Conn::Sqlite(c)) => {
            let lines: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                .fetch_all(&mut *c)
                .await?;
            Ok(match lines.as_slice() {
                [(ok,)] if ok == "ok" => Outcome::Ok(String::new()),
                _ => Outcome::Failed(lines.into_iter().map(|(l,)| l).collect()),
            })
        }
        (Check::ForeignKeys, Conn::Sqlite(c)) => {
            let rows: Vec<(String, Option<i64>, String)> =
                sqlx::query_as("SELECT \"table\", rowid, parent FROM pragma_foreign_key_check")
                    .fetch_all(&mut *c)
                    .await?;
            Ok(if rows.is_empty() {
                Outcome::Ok(String::new())
            } else {
                Outcome::Failed(
                    rows.iter()
                        .take(20)
                        .map(|(t, id, parent)| {
                            format!("{t} row {} refers to a missing {parent}", id.unwrap_or(-1))
                        })
                        .collect(),
                )
            })
        }
        (Check::Integrity | Check::ForeignKeys, Conn::Postgres(_)) => Ok(Outcome::Note(
            "PostgreSQL enforces this itself / 由 PostgreSQL 自身保证".into(),
        )),
        (Check::Migrations, conn) => migrations(conn).await,
        (Check::Consistency, conn) => consistency::check(conn).await,
    }
}

async fn migrations(conn: &mut Conn) -> anyhow::Result<Outcome> {
    // (version, checksum, success) of each applied migration.
    type Applied = Result<Vec<(i64, Vec<u8>, bool)>, sqlx::Error>;
    let (known, applied): (_, Applied) = match conn {
        Conn::Sqlite(c) => (
            sqlx::migrate!("migrations/sqlite"),
            sqlx::query_as(
                "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&mut *c)
            .await,
        ),
        Conn::Postgres(c) => (
            sqlx::migrate!("migrations/postgres"),
            sqlx::query_as(
                "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version",
            )
            .fetch_all(&mut *c)
            .await,
        ),
    };
    let Ok(applied) = applied else {
        return Ok(Outcome::Failed(vec![
            "no migration table: not a shenguan database / 不是审管数据库".into(),
        ]));
    };
    let known_max = known.iter().map(|m| m.version).max().unwrap_or(0);
    let mut problems = Vec::new();
    for (version, checksum, success) in &applied {
        if !success {
            problems.push(format!("migration {version} did not complete"));
        }
        match known.iter().find(|m| m.version == *version) {
            Some(m) if m.checksum.as_ref() != checksum.as_slice() => {
                problems.push(format!("migration {version} differs from this binary's"))
            }
            _ => {}
        }
    }
    let version = applied.iter().map(|(v, _, _)| *v).max().unwrap_or(0);
    if version > known_max {
        problems.push(format!(
            "version {version} is newer than this binary's {known_max}: restore it with a newer shenguan / 备份比本程序新"
        ));
    }
    if !problems.is_empty() {
        return Ok(Outcome::Failed(problems));
    }
    Ok(if version < known_max {
        Outcome::Note(format!(
            "version {version}, older than this binary's {known_max}: the server migrates it on start / 备份较旧，启动时自动迁移"
        ))
    } else {
        Outcome::Ok(format!("version {version}"))
    })
}
