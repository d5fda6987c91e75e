//! `shenguan server`'s flags (also the keys of its config file, `config_file`) and their
//! checks: every value with a unit is refused at start-up when it makes no sense.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::DatabaseArg;

#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080", env = "SHENGUAN_LISTEN")]
    pub listen: String,
    #[command(flatten)]
    pub database: DatabaseArg,
    /// Enable PUT /api/v1/test/clock (tests and demos; never in production).
    #[arg(long)]
    pub test_clock: bool,
    /// Where the test clock starts (RFC 3339; default: now). Only with --test-clock.
    #[arg(long, requires = "test_clock", value_parser = parse_instant)]
    pub test_clock_start: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// How often the sweeper auto-claims overdue deliveries, in milliseconds (10–86400000).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=86_400_000))]
    pub sweep_interval_ms: u64,
    /// China times (HH:MM, comma-separated, 07:00–19:59, before the close of business) at which
    /// the 催办 reminder goes out on a claim deadline's last working day; `off`: none.
    /// Default 09:00,15:00 (those before the close of business).
    #[arg(long)]
    pub remind_at: Option<String>,
    /// End deadlines at this China-time close of business (HH:MM, 12:00–23:59) instead of 24:00.
    #[arg(long, value_parser = parse_close_of_business)]
    pub close_of_business: Option<chrono::NaiveTime>,
    /// The monthly bulletin's late-upload rule (迟报): an approval push is late when made at or
    /// after the end of this many working days after its licence date (0–30; 0: not counted).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(0..=30))]
    pub late_upload_working_days: u32,
    /// Session lifetime in hours (1–8760).
    #[arg(long, default_value_t = 168, value_parser = clap::value_parser!(u64).range(1..=8760))]
    pub session_ttl_hours: u64,
    /// End a session unused for this many minutes (登录连接超时自动退出; 1–525600).
    #[arg(long, default_value_t = 480, value_parser = clap::value_parser!(u64).range(1..=525_600))]
    pub session_idle_minutes: u64,
    /// Serve HTTPS with this certificate chain (PEM; re-read on SIGHUP). Needs --tls-key.
    #[arg(long, env = "SHENGUAN_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM; re-read on SIGHUP).
    #[arg(long, env = "SHENGUAN_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Failed logins for one username before it is locked (登录失败处理; 1–100).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub login_max_failures: u32,
    /// How long a username stays locked after too many failed logins, in minutes (1–10080).
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=10_080))]
    pub login_lockout_minutes: u64,
    /// How long an Idempotency-Key is honoured, in days (1–3650; then its record is purged).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub idempotency_retention_days: u64,
    /// Read settings from this TOML file: the keys are these flags' long names (see
    /// `config_file`); flags and environment variables override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print the effective settings (passwords masked) and exit.
    #[arg(long)]
    pub print_config: bool,
    /// Close a connection whose request head (request line and headers) has not arrived
    /// within this many seconds (1–3600); also how long an idle keep-alive connection is kept.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout_secs: u64,
    /// Answer 408 when a request (body upload and handling) takes longer than this many
    /// seconds (1–86400). The event stream is exempt.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub request_timeout_secs: u64,
    /// A reverse proxy's address whose X-Forwarded-For header names the client (repeatable);
    /// the login guard counts failures per username and client address.
    #[arg(long = "trusted-proxy")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Working days each participating department has to sign a joint report once the
    /// bureau has recorded it (art. 11); a missed signature is a ledger record.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub report_sign_working_days: u32,
    /// Working days a recipient has to answer an inquiry letter (函询, art. 12) when the
    /// letter does not say; no answer by then is deemed consent and a ledger record.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub inquiry_reply_working_days: u32,
    /// Working days the supervision department has to give its written review opinion on a
    /// legacy case (art. 13).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub legacy_opinion_working_days: u32,
    /// Working days the supervision department has to verify a legacy case's rectification.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub legacy_verification_working_days: u32,
    /// Working days the bureau has to take its handling decision on a legacy case.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub legacy_decision_working_days: u32,
    /// Working days a holder has to rectify after a failed commitment verification before
    /// the bureau verifies again (art. 8); a missed re-verification is a ledger record.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub rectification_working_days: u32,
    /// Working days the bureau has to decide a licence-action letter (函告, art. 7(2)3); a
    /// missed decision stays owed and is a ledger record.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub license_action_working_days: u32,
    /// The largest evidence file a licence-action letter may carry, in bytes (each file).
    #[arg(long, default_value_t = 20 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1..=512 * 1024 * 1024))]
    pub evidence_max_bytes: u64,
}

fn parse_instant(s: &str) -> Result<chrono::DateTime<chrono::FixedOffset>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map_err(|_| format!("expected an RFC 3339 instant, got {s:?}"))
}

fn parse_hhmm(s: &str) -> Result<chrono::NaiveTime, String> {
    chrono::NaiveTime::parse_from_str(s, "%H:%M").map_err(|_| format!("expected HH:MM, got {s:?}"))
}

/// A close of business before noon (or 00:00) would end a working day before it has begun.
pub(super) fn parse_close_of_business(s: &str) -> Result<chrono::NaiveTime, String> {
    let t = parse_hhmm(s)?;
    if t < chrono::NaiveTime::from_hms_opt(12, 0, 0).expect("noon") {
        return Err(format!(
            "{s}: must be between 12:00 and 23:59 China time (leave it out for 24:00)"
        ));
    }
    Ok(t)
}

impl ServerArgs {
    /// The server configuration, or a message naming the flag at fault (checks that need
    /// two flags; each flag alone is checked as it is parsed).
    pub fn config(&self) -> anyhow::Result<crate::server::ServerConfig> {
        let cob = self.close_of_business;
        let remind_at = match &self.remind_at {
            Some(given) => crate::domain::reminders::parse_times(given, cob)
                .map_err(|e| anyhow::anyhow!("invalid value {given:?} for '--remind-at': {e}"))?,
            // The default adapts to an early close of business instead of refusing it.
            None => crate::domain::reminders::default_times()
                .into_iter()
                .filter(|t| cob.is_none_or(|c| *t < c))
                .collect(),
        };
        Ok(crate::server::ServerConfig {
            listen: self.listen.clone(),
            database: self.database.url.clone(),
            test_clock: self.test_clock,
            test_clock_start: self.test_clock_start.map(|t| t.with_timezone(&chrono::Utc)),
            sweep_interval: Duration::from_millis(self.sweep_interval_ms),
            remind_at,
            close_of_business: self.close_of_business,
            late_upload_working_days: self.late_upload_working_days,
            session_ttl: Duration::from_secs(self.session_ttl_hours * 3600),
            session_idle: Duration::from_secs(self.session_idle_minutes * 60),
            tls: match (&self.tls_cert, &self.tls_key) {
                (Some(cert), Some(key)) => Some(crate::server::tls::TlsFiles {
                    cert: cert.clone(),
                    key: key.clone(),
                }),
                _ => None,
            },
            login_max_failures: self.login_max_failures,
            login_lockout: Duration::from_secs(self.login_lockout_minutes * 60),
            idempotency_retention: Duration::from_secs(self.idempotency_retention_days * 24 * 3600),
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            request_timeout: Duration::from_secs(self.request_timeout_secs),
            trusted_proxies: self.trusted_proxies.clone(),
            report_sign_working_days: self.report_sign_working_days,
            inquiry_reply_working_days: self.inquiry_reply_working_days,
            legacy_opinion_working_days: self.legacy_opinion_working_days,
            legacy_verification_working_days: self.legacy_verification_working_days,
            legacy_decision_working_days: self.legacy_decision_working_days,
            rectification_working_days: self.rectification_working_days,
            license_action_working_days: self.license_action_working_days,
            evidence_max_bytes: self.evidence_max_bytes as usize,
            ..Default::default()
        })
    }
}
