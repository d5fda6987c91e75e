//! Command-line interface. Logs always go to stderr; stdout carries only command output.

use std::io::Read;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::console::Lang;

mod audit;
mod draw;
mod report;
mod server_args;
pub use audit::AuditCommand;
pub use report::ReportCommand;
pub use server_args::ServerArgs;
use server_args::parse_close_of_business;

#[derive(Parser, Debug)]
#[command(
    name = "shenguan",
    version,
    about = "审管 — 审批监管互动平台 (approval–supervision interaction platform)"
)]
pub struct Cli {
    /// Log format on stderr.
    #[arg(long, global = true, default_value = "text", value_parser = ["text", "json"])]
    pub log_format: String,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the central HTTP API server.
    Server(ServerArgs),
    /// Administration: create the first admin.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// The working-day calendar: load a new year's notice, compute deadlines.
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// The tamper-evident audit chain: verify it.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Log in to a server and store the token for the console (file mode 0600).
    Login {
        #[arg(long, env = "SHENGUAN_SERVER")]
        server: String,
        #[arg(long)]
        user: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
        /// Trust this CA (PEM) for an https:// server besides the system's roots; saved with
        /// the login for the console.
        #[arg(long, env = "SHENGUAN_CA_FILE")]
        ca_file: Option<PathBuf>,
    },
    /// Expert draws: recompute one from its record.
    #[command(subcommand)]
    Draw(draw::DrawCommand),
    /// The operations console.
    Console {
        /// Server URL (default: the one saved by `shenguan login`).
        #[arg(long, env = "SHENGUAN_SERVER")]
        server: Option<String>,
        /// Trust this CA (PEM) besides the system's roots (default: the one saved by
        /// `shenguan login`).
        #[arg(long, env = "SHENGUAN_CA_FILE")]
        ca_file: Option<PathBuf>,
        #[command(flatten)]
        ui: ConsoleArgs,
    },
    /// The whole system on a seeded county: an in-process server and the console.
    Demo {
        /// Log in to the console as this demo account.
        #[arg(long = "as", default_value = "market1")]
        as_user: String,
        /// Run only the seeded server, print its URL and the demo accounts.
        #[arg(long)]
        headless: bool,
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
        #[command(flatten)]
        ui: ConsoleArgs,
    },
    /// Reports through the API with your login: the monthly bulletin as XLSX, CSV or Markdown.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Write shell completions and man pages generated from this CLI (packaging).
    #[command(hide = true)]
    Generate {
        #[arg(value_enum, default_value = "all")]
        what: crate::generate::What,
        /// Directory to write them into (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct ConsoleArgs {
    /// Keymap: default, vim, emacs, or a TOML file.
    #[arg(long)]
    pub keymap: Option<String>,
    /// Theme: default, 256, light, mono, or a TOML file.
    #[arg(long)]
    pub theme: Option<String>,
    /// Interface language.
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// Disable every action (wallboards).
    #[arg(long)]
    pub readonly: bool,
    /// ASCII borders, for terminals that draw box characters double-width.
    #[arg(long)]
    pub ascii: bool,
}

impl ConsoleArgs {
    fn options(
        &self,
        server: String,
        token: String,
        ca_file: Option<PathBuf>,
    ) -> crate::console::ConsoleOptions {
        crate::console::ConsoleOptions {
            server,
            token,
            ca_file,
            keymap: self.keymap.clone(),
            theme: self.theme.clone(),
            lang: self.lang,
            readonly: self.readonly,
            ascii: self.ascii,
        }
    }
}

impl Command {
    /// Full-screen commands must not log onto the terminal they draw.
    pub fn draws_terminal(&self) -> bool {
        matches!(
            self,
            Command::Console { .. }
                | Command::Demo {
                    headless: false,
                    ..
                }
        )
    }
}

/// The database a command works on: the same flag, variable and default everywhere.
#[derive(Args, Debug, Clone)]
pub struct DatabaseArg {
    /// sqlite://FILE (created if missing) or postgres://…
    #[arg(
        long = "database",
        default_value = "sqlite://shenguan.db",
        env = "SHENGUAN_DATABASE"
    )]
    pub url: String,
}

/// The account an admin command works on, straight on the database.
#[derive(Args, Debug)]
pub struct AccountArgs {
    #[command(flatten)]
    pub database: DatabaseArg,
    #[arg(long)]
    pub username: String,
    /// Read the password from standard input (required: never on the command line).
    #[arg(long, required = true)]
    pub password_stdin: bool,
}

/// A password piped on standard input (`--password-stdin`), without its line ending.
fn read_password_stdin() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password)?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create the first admin account (refuses if an admin exists).
    Bootstrap {
        #[command(flatten)]
        account: AccountArgs,
        #[arg(long, default_value = "系统管理员")]
        display_name: String,
    },
    /// Set a new password for an account and end its sessions (e.g. a forgotten admin password).
    ResetPassword(AccountArgs),
    /// Copy a running SQLite database to a new file (online, consistent), then verify the copy.
    Backup {
        #[command(flatten)]
        database: DatabaseArg,
        /// The backup file to create (refused if it exists).
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a backup: integrity, foreign keys, migration version, records agree.
    VerifyBackup {
        /// A backup file, or the URL of a restored database (sqlite://… or postgres://…).
        target: String,
    },
    /// Lift the login lock of a username (from every client address) and forget its failures.
    Unlock {
        #[command(flatten)]
        database: DatabaseArg,
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum CalendarCommand {
    /// Load a State Council holiday notice (JSON: {"year", "days": [{"date","name","isOffDay"}]}).
    Import {
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArg,
        /// Import a notice that lacks a statutory holiday, gives fewer days off than the law or
        /// moves work to a weekday (refused otherwise); recorded in the audit log.
        #[arg(long)]
        force: bool,
    },
    /// Compute "within N working days" of an instant by the legal rule.
    Deadline {
        /// RFC 3339 instant, e.g. 2026-09-30T15:00:00+08:00
        #[arg(long)]
        from: String,
        #[arg(long)]
        working_days: u32,
        /// Print {"deadline", "provisional"} as JSON.
        #[arg(long)]
        json: bool,
        /// Use the calendar stored in this database (with any imported years) instead of the shipped one.
        #[arg(long)]
        database: Option<String>,
        /// Close of business (HH:MM, 12:00–23:59) instead of 24:00.
        #[arg(long, value_parser = parse_close_of_business)]
        close_of_business: Option<chrono::NaiveTime>,
    },
}

/// Logs go to stderr; for full-screen commands to a file in the temp directory instead.
pub fn init_logging(format: &str, to_file: bool) {
    use tracing_subscriber::fmt::writer::BoxMakeWriter;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    // `plain`: no colour codes. Otherwise the subscriber's default applies (colour unless
    // NO_COLOR is set).
    let (writer, plain) = if to_file {
        let path = std::env::temp_dir().join("shenguan-console.log");
        let Ok(file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        else {
            return;
        };
        (BoxMakeWriter::new(std::sync::Mutex::new(file)), true)
    } else {
        (BoxMakeWriter::new(std::io::stderr), false)
    };
    let mut builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    if plain {
        builder = builder.with_ansi(false);
    }
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Login {
            server,
            user,
            password_stdin,
            ca_file,
        } => {
            // Saved as an absolute path: the console may run from another directory.
            let ca_file = ca_file.map(std::path::absolute).transpose()?;
            let trust = crate::client::Trust::from_option(ca_file.as_deref())?;
            let password = if password_stdin {
                read_password_stdin()?
            } else {
                rpassword::prompt_password("密码 / password: ")?
            };
            let client = crate::client::Client::with_trust(&server, None, &trust)?;
            let session = client.login(&user, &password).await?;
            let path = crate::console::config::save_login(&crate::console::config::SavedLogin {
                server: server.clone(),
                token: session.token.clone(),
                ca_file,
            })?;
            eprintln!(
                "已登录为 {} / logged in as {}; token saved to {}",
                session.user.display_name,
                session.user.username,
                path.display()
            );
            Ok(())
        }
        Command::Console {
            server,
            ca_file,
            ui,
        } => {
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
            crate::console::run(ui.options(server, token, ca_file)).await
        }
        Command::Demo {
            as_user,
            headless,
            listen,
            ui,
        } => {
            eprintln!(
                "正在生成演示县的数据（一个月的历史）… / seeding the demo county (a month of history)…"
            );
            let demo = crate::demo::start(&listen).await?;
            if headless {
                crate::demo::print_accounts(&demo.url);
                shutdown_signal().await;
                demo.server.shutdown().await;
                return Ok(());
            }
            let client = crate::client::Client::new(&demo.url, None);
            let session = client
                .login(&as_user, crate::demo::DEMO_PASSWORD)
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "--as {as_user}: {e} (demo accounts: shenguan demo --headless lists them)"
                    )
                })?;
            let result =
                crate::console::run(ui.options(demo.url.clone(), session.token, None)).await;
            demo.server.shutdown().await;
            result
        }
        Command::Server(args) => run_server(args).await,
        Command::Report(cmd) => report::run(cmd).await,
        Command::Draw(cmd) => draw::run(cmd).await,
        Command::Audit(cmd) => audit::run(cmd).await,
        Command::Admin(AdminCommand::Bootstrap {
            account,
            display_name,
        }) => {
            let password = read_password_stdin()?;
            let username = &account.username;
            crate::admin::bootstrap(&account.database.url, username, &display_name, &password)
                .await?;
            eprintln!("已创建管理员 {username} / admin {username} created");
            Ok(())
        }
        Command::Admin(AdminCommand::ResetPassword(account)) => {
            let password = read_password_stdin()?;
            let username = &account.username;
            crate::admin::reset_password(&account.database.url, username, &password).await?;
            eprintln!(
                "已重置 {username} 的密码，其会话已全部注销 / password of {username} reset; its sessions ended"
            );
            Ok(())
        }
        Command::Admin(AdminCommand::Backup { database, out }) => {
            let report = crate::backup::backup(&database.url, &out).await?;
            finish_verify(&out.display().to_string(), report)
        }
        Command::Admin(AdminCommand::VerifyBackup { target }) => {
            let report = crate::backup::verify(&target).await?;
            finish_verify(&target, report)
        }
        Command::Generate { what, out } => {
            for path in crate::generate::run(what, &out)? {
                println!("{}", path.display());
            }
            Ok(())
        }
        Command::Admin(AdminCommand::Unlock { database, username }) => {
            let n = crate::admin::unlock(&database.url, &username).await?;
            eprintln!(
                "已解除 {username} 的登录锁定（{n} 个来源地址） / login lock of {username} lifted ({n} client addresses)"
            );
            Ok(())
        }
        Command::Calendar(CalendarCommand::Import {
            file,
            database,
            force,
        }) => {
            let text = std::fs::read_to_string(&file)?;
            let years = crate::admin::import_calendar(&database.url, &text, force).await?;
            eprintln!("已导入 {years:?} / imported {years:?}");
            Ok(())
        }
        Command::Calendar(CalendarCommand::Deadline {
            from,
            working_days,
            json,
            database,
            close_of_business,
        }) => {
            let from = chrono::DateTime::parse_from_rfc3339(&from)
                .map_err(|e| anyhow::anyhow!("--from must be an RFC 3339 instant: {e}"))?;
            let calendar = match database {
                Some(url) => crate::admin::stored_calendar(&url).await?,
                None => crate::domain::Calendar::shipped(),
            }
            .with_close_of_business(close_of_business);
            let dl = calendar.deadline(from.with_timezone(&chrono::Utc), working_days)?;
            if json {
                let answer = crate::api::DeadlineAnswer {
                    deadline: dl.at,
                    provisional: dl.provisional,
                };
                println!("{}", serde_json::to_string(&answer)?);
            } else {
                println!(
                    "{}{}",
                    dl.at.to_rfc3339(),
                    if dl.provisional { " (provisional)" } else { "" }
                );
            }
            Ok(())
        }
    }
}

/// Print a verification report on stdout; fail (exit code 1) when a check failed.
fn finish_verify(target: &str, report: crate::backup::Report) -> anyhow::Result<()> {
    print!("{report}");
    if report.ok() {
        eprintln!("备份完好 / {target}: verified");
        Ok(())
    } else {
        anyhow::bail!("备份校验失败 / {target}: verification failed")
    }
}

async fn run_server(args: ServerArgs) -> anyhow::Result<()> {
    crate::tls::install_provider();
    let config = args.config()?;
    let server = crate::server::start(config.clone(), None).await?;
    // Print the URL on stdout so scripts (and tests) can find a port-0 server.
    println!("{}", server.url());
    #[cfg(unix)]
    if let Some(files) = config.tls {
        // SIGHUP re-reads the certificate files (a renewal): new connections get the new
        // certificate, established ones and their streams carry on.
        let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
        let store = server.tls_store();
        tokio::spawn(async move {
            while hup.recv().await.is_some() {
                match store.as_ref().map(|s| s.reload()) {
                    Some(Ok(())) => {
                        tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded")
                    }
                    Some(Err(e)) => {
                        tracing::error!(error = %format!("{e:#}"), "TLS certificate not reloaded; keeping the current one")
                    }
                    None => {}
                }
            }
        });
    }
    let stop = server.state.shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down");
        stop.cancel();
    });
    server.wait().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler installs");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
