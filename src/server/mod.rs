//! The central HTTP API (axum): the source of truth for every push, claim and deadline.

pub mod auth;
pub mod conn;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod login_guard;
pub mod metrics;
pub mod openapi;
pub mod redact;
pub mod sse;
pub mod tls;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use chrono::NaiveTime;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::domain::{Calendar, Clock, ManualClock, SystemClock};
use crate::events::EventHub;
use crate::jobs::Sweeper;

#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: String,
    pub database: String,
    /// Enable `PUT /api/v1/test/clock` (tests and demos only).
    pub test_clock: bool,
    /// Where the test clock starts (default: the current time). Tests pin it so that nothing
    /// is ever written at the wall-clock time, whatever the date the suite runs on.
    pub test_clock_start: Option<chrono::DateTime<chrono::Utc>>,
    pub sweep_interval: Duration,
    /// Reminder (催办) times, China time, on a deadline's last working day (empty: none).
    pub remind_at: Vec<NaiveTime>,
    /// Deadlines end at this local time instead of 24:00 when set.
    pub close_of_business: Option<NaiveTime>,
    /// The bulletin's late-upload rule: working days after the licence date (0: not counted).
    pub late_upload_working_days: u32,
    pub session_ttl: Duration,
    pub max_body_bytes: usize,
    /// How often an open event stream checks that its credentials are still valid (expiry,
    /// or a revocation made through another instance; one made here is noticed at once).
    pub stream_recheck: Duration,
    /// Failed logins for one username from one client address before that pair is locked
    /// for `login_lockout` (see [`login_guard`]).
    pub login_max_failures: u32,
    pub login_lockout: Duration,
    /// How long an `Idempotency-Key` is honoured (then its record is purged).
    pub idempotency_retention: Duration,
    /// A session unused for this long ends (登录连接超时自动退出), on every instance alike.
    pub session_idle: Duration,
    /// Serve HTTPS with these files instead of plain HTTP.
    pub tls: Option<tls::TlsFiles>,
    /// A request head must arrive within this long (see [`conn`]).
    pub header_read_timeout: Duration,
    /// A request (body and handling; not event streams) must be answered within this long.
    pub request_timeout: Duration,
    /// Proxies whose `X-Forwarded-For` names the client (for the login guard).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The first delay before answering a login for a username and client with failures;
    /// it doubles with each further failure (at most 16×).
    pub login_delay: Duration,
    /// Working days to sign a joint report (`--report-sign-working-days`, art. 11).
    pub report_sign_working_days: u32,
    /// Working days a recipient has to answer an inquiry letter when the letter gives none
    /// (`--inquiry-reply-working-days`, art. 12).
    pub inquiry_reply_working_days: u32,
    /// Working days for a legacy case's opinion, verification and decision
    /// (`--legacy-*-working-days`, art. 13).
    pub legacy_opinion_working_days: u32,
    pub legacy_verification_working_days: u32,
    pub legacy_decision_working_days: u32,
    /// Working days a holder has to rectify after a failed commitment verification, before
    /// the bureau verifies again (`--rectification-working-days`, art. 8).
    pub rectification_working_days: u32,
    /// Working days the bureau has to decide a licence-action letter
    /// (`--license-action-working-days`, art. 7(2)3).
    pub license_action_working_days: u32,
    /// The largest evidence file a licence-action letter may carry (`--evidence-max-bytes`).
    pub evidence_max_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            database: "sqlite://shenguan.db".into(),
            test_clock: false,
            test_clock_start: None,
            sweep_interval: Duration::from_secs(1),
            remind_at: crate::domain::reminders::default_times(),
            close_of_business: None,
            late_upload_working_days: 1,
            session_ttl: Duration::from_secs(7 * 24 * 3600),
            max_body_bytes: 256 * 1024,
            stream_recheck: Duration::from_secs(30),
            login_max_failures: 5,
            login_lockout: Duration::from_secs(15 * 60),
            idempotency_retention: crate::jobs::Retention::default().idempotency,
            session_idle: Duration::from_secs(480 * 60),
            tls: None,
            header_read_timeout: Duration::from_secs(15),
            request_timeout: Duration::from_secs(60),
            trusted_proxies: Vec::new(),
            login_delay: Duration::from_millis(250),
            report_sign_working_days: 1,
            inquiry_reply_working_days: 5,
            legacy_opinion_working_days: 10,
            legacy_verification_working_days: 10,
            legacy_decision_working_days: 10,
            rectification_working_days: 10,
            license_action_working_days: 10,
            evidence_max_bytes: 20 * 1024 * 1024,
        }
    }
}

/// Everything a handler needs. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub calendar: Arc<RwLock<Calendar>>,
    pub hub: EventHub,
    pub sweeper: Sweeper,
    pub cfg: Arc<ServerConfig>,
    pub metrics: Arc<metrics::Metrics>,
    pub auth_cache: Arc<auth::AuthCache>,
    pub login_guard: Arc<login_guard::LoginGuard>,
    pub shutdown: CancellationToken,
}

impl AppState {
    pub fn calendar(&self) -> std::sync::RwLockReadGuard<'_, Calendar> {
        self.calendar.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The end of the `n`-th working day after `origin` (ms) by the calendar rule, and whether
    /// it is provisional: what every duty with a working-day period is due at.
    pub fn due_after(&self, origin: i64, n: u32) -> Result<(i64, bool), error::AppError> {
        let dl = self
            .calendar()
            .deadline(crate::domain::from_millis(origin), n)
            .map_err(error::AppError::internal)?;
        Ok((crate::domain::to_millis(dl.utc()), dl.provisional))
    }

    /// Load the stored calendar, then re-derive every running deadline on it (a year loaded
    /// here, by another instance or by `shenguan calendar import` may lawfully extend them;
    /// at start-up this also catches an import made while no server ran).
    pub async fn reload_calendar(&self) -> anyhow::Result<()> {
        let now = crate::domain::to_millis(self.clock.now());
        let cal = crate::db::calendar::load(&self.db, now)
            .await?
            .with_close_of_business(self.cfg.close_of_business);
        *self.calendar.write().unwrap_or_else(|e| e.into_inner()) = cal.clone();
        crate::db::deadlines::rederive(&self.db, &cal, now).await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
enum Reload {
    Calendar,
    Departments,
}

pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    /// The served certificate when serving HTTPS.
    tls: Option<Arc<tls::CertStore>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningServer {
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }
    /// The served certificate (to reload it on SIGHUP), when serving HTTPS.
    pub fn tls_store(&self) -> Option<Arc<tls::CertStore>> {
        self.tls.clone()
    }
    /// Re-read the certificate files (SIGHUP): new connections get the new certificate,
    /// established ones keep theirs. `Ok(false)` when not serving HTTPS.
    pub fn reload_tls(&self) -> anyhow::Result<bool> {
        match &self.tls {
            Some(store) => store.reload().map(|()| true),
            None => Ok(false),
        }
    }
    /// Stop accepting, close event streams, finish in-flight requests, close the database.
    pub async fn shutdown(self) {
        self.state.shutdown.cancel();
        let _ = self.task.await;
        self.state.db.close().await;
    }
    /// Resolves when the server has stopped (after a shutdown signal).
    pub async fn wait(self) {
        let _ = self.task.await;
        self.state.db.close().await;
    }
}

/// Connect, migrate, load the calendar, start the tailer, sweeper and HTTP listener.
/// `clock` overrides the clock (the demo); otherwise the system clock, or a manual clock
/// starting at `test_clock_start` (or the current time) with `--test-clock`.
pub async fn start(
    cfg: ServerConfig,
    clock: Option<Arc<dyn Clock>>,
) -> anyhow::Result<RunningServer> {
    // Read the certificate first: a bad file is reported before anything starts.
    let tls = cfg.tls.as_ref().map(tls::CertStore::load).transpose()?;
    let db = Db::connect(&cfg.database).await?;
    let clock: Arc<dyn Clock> = match clock {
        Some(c) => c,
        None if cfg.test_clock => Arc::new(ManualClock::new(
            cfg.test_clock_start.unwrap_or_else(chrono::Utc::now),
        )),
        None => Arc::new(SystemClock),
    };
    let shutdown = CancellationToken::new();
    let sweeper = Sweeper::new(db.clone(), clock.clone(), cfg.remind_at.clone()).with_retention(
        crate::jobs::Retention {
            idempotency: cfg.idempotency_retention,
            ..Default::default()
        },
    );
    let state = AppState {
        db: db.clone(),
        clock: clock.clone(),
        calendar: Arc::new(RwLock::new(Calendar::default())),
        hub: EventHub::new(),
        sweeper: sweeper.clone(),
        cfg: Arc::new(cfg.clone()),
        metrics: Arc::new(metrics::Metrics::default()),
        auth_cache: Arc::new(auth::AuthCache::default()),
        login_guard: Arc::new(login_guard::LoginGuard::new(&cfg)),
        shutdown: shutdown.clone(),
    };
    state.reload_calendar().await?;

    // Shared state that events change on every instance: the calendar (`calendar.updated`)
    // and the department cache (`department.created`, possibly made on another instance).
    let reload_state = state.clone();
    let (reload_tx, mut reload_rx) = tokio::sync::mpsc::unbounded_channel::<Reload>();
    tokio::spawn(async move {
        while let Some(what) = reload_rx.recv().await {
            let result = match what {
                Reload::Calendar => reload_state.reload_calendar().await,
                Reload::Departments => reload_state
                    .db
                    .reload_departments()
                    .await
                    .map_err(anyhow::Error::from),
            };
            if let Err(e) = result {
                tracing::error!(error = format!("{e:#}"), ?what, "reload failed");
            }
        }
    });
    tokio::spawn(
        state
            .hub
            .clone()
            .run_tailer(db.clone(), shutdown.clone(), move |ev| {
                if crate::events::is_calendar_update(ev) {
                    let _ = reload_tx.send(Reload::Calendar);
                } else if crate::events::is_department_created(ev) {
                    let _ = reload_tx.send(Reload::Departments);
                }
            }),
    );
    tokio::spawn(crate::events::run_pg_listener(db.clone(), shutdown.clone()));
    tokio::spawn(sweeper.run(cfg.sweep_interval, shutdown.clone()));

    let listener = tokio::net::TcpListener::bind(&cfg.listen).await?;
    let addr = listener.local_addr()?;
    let app = router(state.clone());
    let stop = shutdown.clone();
    let acceptor = tls.as_ref().map(tls::CertStore::acceptor).transpose()?;
    let task = tokio::spawn(conn::accept_loop(
        listener,
        app,
        cfg.header_read_timeout,
        acceptor,
        stop,
    ));
    tracing::info!(%addr, database = db.kind(), test_clock = cfg.test_clock, https = tls.is_some(), "shenguan server listening");
    Ok(RunningServer {
        addr,
        state,
        tls,
        task,
    })
}

/// The routes and the OpenAPI document, split from the one route list.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut doc) = utoipa_axum::router::OpenApiRouter::with_openapi(openapi::frame())
        .merge(handlers::routes())
        .split_for_parts();
    // On the whole document: the statuses every operation of a kind shares.
    openapi::document_common_errors(&mut doc);
    (routes, doc)
}

pub fn router(state: AppState) -> Router {
    let max_body = state.cfg.max_body_bytes;
    let (routes, doc) = api();
    routes
        .layer(axum::Extension(handlers::Document(Arc::new(doc))))
        .fallback(handlers::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            conn::request_deadline,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}
