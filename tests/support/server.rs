//! A real server on port 0, over a real SQLite file or a real PostgreSQL schema, reached over
//! real HTTP with the typed client. Everything is cleaned up when dropped — the temporary
//! directory, and the PostgreSQL schema even when a test fails half-way.
//!
//! `TEST_LOG=1` (filtered by `RUST_LOG`, default `info`) prints the server's tracing in the
//! test output.

use std::sync::{Mutex, Once};
use std::time::Duration;

use shenguan::api::*;
use shenguan::client::Client;
use shenguan::server::{RunningServer, ServerConfig};

use super::fixtures::{PASSWORD, at, create_department, create_user, login, t0};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// With `TEST_LOG` set, the server's tracing goes to the test output (once per process).
pub fn init_test_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("TEST_LOG").is_some_and(|v| !v.is_empty() && v != "0") {
            let filter = tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_test_writer()
                .try_init();
        }
    });
}

/// The PostgreSQL base URL, or `None` when PostgreSQL tests are not configured. In CI
/// (`CI` set) a missing `SHENGUAN_TEST_PG` is an error, never a silent skip.
pub fn pg_base() -> Option<String> {
    match std::env::var("SHENGUAN_TEST_PG") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok() => {
            panic!("CI is set but SHENGUAN_TEST_PG is not: the PostgreSQL half must run")
        }
        _ => {
            eprintln!("SHENGUAN_TEST_PG not set: PostgreSQL variant not run here (CI runs it)");
            None
        }
    }
}

/// A fresh, isolated database for one test; removed when dropped.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// (base URL, schema) of a PostgreSQL schema not yet dropped.
    pg: Mutex<Option<(String, String)>>,
}

impl TestDb {
    pub async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("shenguan.db").display());
                Some(Self {
                    url,
                    _dir: Some(dir),
                    pg: Mutex::new(None),
                })
            }
            Backend::Postgres => {
                let base = pg_base()?;
                let schema = format!("sg_t_{}", rand_suffix());
                let pool = sqlx::PgPool::connect(&base)
                    .await
                    .unwrap_or_else(|e| panic!("PostgreSQL at {base} unreachable: {e}"));
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&pool)
                    .await
                    .unwrap();
                pool.close().await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                Some(Self {
                    url,
                    _dir: None,
                    pg: Mutex::new(Some((base, schema))),
                })
            }
        }
    }

    /// The temporary directory holding the SQLite file (`None` on PostgreSQL).
    pub fn sqlite_dir(&self) -> Option<std::path::PathBuf> {
        self._dir.as_ref().map(|d| d.path().to_path_buf())
    }

    /// The PostgreSQL (base URL, schema) while the schema exists (`None` on SQLite).
    pub fn pg_schema(&self) -> Option<(String, String)> {
        self.pg.lock().unwrap().clone()
    }

    /// Drop the PostgreSQL schema now (after the servers are shut down); dropping the
    /// `TestDb` does the same if this was not called.
    pub async fn cleanup(&self) {
        let pg = self.pg.lock().unwrap().take();
        if let Some((base, schema)) = pg {
            drop_schema(&base, &schema).await;
        }
    }
}

async fn drop_schema(base: &str, schema: &str) {
    if let Ok(pool) = sqlx::PgPool::connect(base).await {
        // A server that was not shut down may still hold a lock: give up rather than hang.
        let _ = sqlx::query("SET lock_timeout = '10s'").execute(&pool).await;
        let sql = format!("DROP SCHEMA {schema} CASCADE");
        let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
        pool.close().await;
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((base, schema)) = self.pg.get_mut().ok().and_then(Option::take) else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: a thread of its
        // own with its own runtime drops the schema.
        let _ = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                rt.block_on(drop_schema(&base, &schema));
            }
        })
        .join();
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    let mut r = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + r.random_range(0..26u8)))
        .collect()
}

pub struct TestApp {
    pub server: Option<RunningServer>,
    pub db: TestDb,
    pub url: String,
    pub anon: Client,
    pub admin: Client,
    /// 行政审批服务局 staff.
    pub approval: Client,
    /// 市场监督管理局 staff (two people).
    pub market: Client,
    pub market2: Client,
    /// 卫生健康局 staff.
    pub health: Client,
    pub supervisor: Client,
    pub duty: Client,
}

pub fn test_config(db_url: &str) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".into(),
        database: db_url.into(),
        test_clock: true,
        // The clock starts at t0, before anything is written: no row ever carries the wall
        // clock's date, so the suite passes whatever the date it runs on.
        test_clock_start: Some(t0().with_timezone(&chrono::Utc)),
        // Sweeps happen when the test moves the clock, not on a timer: deterministic.
        sweep_interval: Duration::from_secs(3600),
        // Tests move the clock by months; sessions must outlive that, idle or not.
        session_ttl: Duration::from_secs(400 * 24 * 3600),
        session_idle: Duration::from_secs(400 * 24 * 3600),
        ..Default::default()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let db = TestDb::new(backend).await?;
        Some(Self::spawn_on(db, test_config).await)
    }

    pub async fn spawn_on(db: TestDb, cfg: impl Fn(&str) -> ServerConfig) -> Self {
        init_test_log();
        let cfg = cfg(&db.url);
        let now = cfg
            .test_clock_start
            .unwrap_or_else(|| t0().with_timezone(&chrono::Utc));
        shenguan::admin::bootstrap_at(&db.url, "admin", "管理员", PASSWORD, now)
            .await
            .unwrap();
        let server = shenguan::server::start(cfg, None).await.unwrap();
        Self::seed(server, db).await
    }

    /// Departments and one account per role on a server whose database has an admin.
    pub async fn seed(server: RunningServer, db: TestDb) -> Self {
        let anon = Client::new(&server.url(), None);
        Self::seed_with(server, db, anon).await
    }

    /// [`TestApp::seed`] through `anon` (an `https://` server's client trusts its test CA).
    pub async fn seed_with(server: RunningServer, db: TestDb, anon: Client) -> Self {
        let url = server.url();
        // The test clock already stands at t0 (`test_config`): nothing is written before it.
        let admin = login(&anon, "admin").await;
        for (code, name, kind) in [
            ("approval", "行政审批服务局", DepartmentKind::Approval),
            ("market", "市场监督管理局", DepartmentKind::Supervision),
            ("health", "卫生健康局", DepartmentKind::Supervision),
            ("emergency", "应急管理局", DepartmentKind::Supervision),
        ] {
            create_department(&admin, code, name, kind).await;
        }
        for (username, role, dept) in [
            ("shenpi1", Role::ApprovalStaff, Some("approval")),
            ("market1", Role::SupervisionStaff, Some("market")),
            ("market2", Role::SupervisionStaff, Some("market")),
            ("health1", Role::SupervisionStaff, Some("health")),
            ("duban1", Role::Supervisor, None),
            ("zhiban1", Role::DutyOfficer, None),
        ] {
            create_user(&admin, username, role, dept).await;
        }
        Self {
            approval: login(&anon, "shenpi1").await,
            market: login(&anon, "market1").await,
            market2: login(&anon, "market2").await,
            health: login(&anon, "health1").await,
            supervisor: login(&anon, "duban1").await,
            duty: login(&anon, "zhiban1").await,
            server: Some(server),
            db,
            url,
            anon,
            admin,
        }
    }

    pub fn state(&self) -> &shenguan::server::AppState {
        &self.server.as_ref().unwrap().state
    }

    pub async fn set_clock(&self, t: &str) {
        self.admin.set_test_clock(at(t)).await.unwrap();
    }

    /// An approval push decided today (its licence dated the server clock's China date), so
    /// it is never a late upload: tests of lateness date their licences themselves.
    pub async fn push(&self, recipients: &[&str]) -> Push {
        let mut p = super::fixtures::approval_push(recipients);
        p.license_date = shenguan::domain::to_cst(self.state().clock.now()).date_naive();
        self.approval.create_approval_push(&p, None).await.unwrap()
    }

    /// Count rows of a table (to prove a refused request wrote nothing).
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = match self.state().db.pool() {
            shenguan::db::Pool::Sqlite(p) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
            shenguan::db::Pool::Postgres(p) => sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await
                .unwrap(),
        };
        n
    }

    /// [`super::fixtures::raw`] against a path on this server (`/api/v1/...`).
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, serde_json::Value) {
        super::fixtures::raw(method, &format!("{}{path}", self.url), token, body).await
    }

    /// Shut the server down and remove the database, waiting for both (dropping the app does
    /// the same without waiting for the server's in-flight requests).
    pub async fn finish(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        self.db.cleanup().await;
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop the server (its task ends with the test's runtime); `db` is dropped after this,
        // which removes the database.
        if let Some(s) = &self.server {
            s.state.shutdown.cancel();
        }
    }
}
