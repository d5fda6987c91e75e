//! Test harness: a real server on port 0, over a real SQLite file or a real PostgreSQL
//! schema, reached over real HTTP with the typed client.

#![allow(dead_code)]

use std::time::Duration;

use chrono::{DateTime, FixedOffset};
use shenguan::api::*;
use shenguan::client::Client;
use shenguan::server::{RunningServer, ServerConfig};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
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

/// A fresh, isolated database for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
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
                    pg: None,
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
                    pg: Some((base, schema)),
                })
            }
        }
    }

    /// Drop the PostgreSQL schema (call after the servers are shut down).
    pub async fn cleanup(&self) {
        if let Some((base, schema)) = &self.pg
            && let Ok(pool) = sqlx::PgPool::connect(base).await
        {
            let sql = format!("DROP SCHEMA {schema} CASCADE");
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&pool).await;
            pool.close().await;
        }
    }
}

fn rand_suffix() -> String {
    use rand::Rng;
    let mut r = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + r.random_range(0..26u8)))
        .collect()
}

pub const PASSWORD: &str = "correct-horse-9";

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
        // Tests move the clock by months; sessions must outlive that.
        session_ttl: Duration::from_secs(400 * 24 * 3600),
        ..Default::default()
    }
}

/// Thursday 2026-11-26 10:00 China time: an ordinary working day.
pub fn t0() -> DateTime<FixedOffset> {
    at("2026-11-26T10:00:00+08:00")
}

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        let db = TestDb::new(backend).await?;
        Some(Self::spawn_on(db, test_config).await)
    }

    pub async fn spawn_on(db: TestDb, cfg: impl Fn(&str) -> ServerConfig) -> Self {
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
        let url = server.url();
        let anon = Client::new(&url, None);
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

    pub async fn push(&self, recipients: &[&str]) -> Push {
        self.approval
            .create_approval_push(&approval_push(recipients), None)
            .await
            .unwrap()
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

    /// [`raw`] against a path on this server (`/api/v1/...`).
    pub async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, serde_json::Value) {
        raw(method, &format!("{}{path}", self.url), token, body).await
    }

    pub async fn finish(mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        self.db.cleanup().await;
    }
}

pub async fn create_user(admin: &Client, username: &str, role: Role, dept: Option<&str>) -> User {
    let u = NewUser {
        username: username.into(),
        password: PASSWORD.into(),
        display_name: format!("{username} 同志"),
        role,
        department: dept.map(Into::into),
    };
    admin.post("/api/v1/users", &u).await.unwrap()
}

pub async fn create_department(
    admin: &Client,
    code: &str,
    name: &str,
    kind: DepartmentKind,
) -> Department {
    let d = NewDepartment {
        code: code.into(),
        name: name.into(),
        kind,
    };
    admin.post("/api/v1/departments", &d).await.unwrap()
}

pub async fn create_api_key(admin: &Client, name: &str, department: &str) -> ApiKeyCreated {
    let k = NewApiKey {
        name: name.into(),
        department: department.into(),
    };
    admin.post("/api/v1/api-keys", &k).await.unwrap()
}

/// The status of a request the server refused (panics if it succeeded or never answered).
#[track_caller]
pub fn refused_status<T: std::fmt::Debug>(r: shenguan::client::Result<T>) -> reqwest::StatusCode {
    r.unwrap_err().status().unwrap()
}

pub async fn login(anon: &Client, username: &str) -> Client {
    let s = anon.login(username, PASSWORD).await.unwrap();
    anon.with_token(s.token)
}

pub fn approval_push(recipients: &[&str]) -> NewApprovalPush {
    NewApprovalPush {
        item_name: "食品经营许可".into(),
        counterparty: Counterparty {
            name: "高青县示例餐饮有限公司".into(),
            credit_code: Some("91350100M000100Y43".into()),
            id_number: None,
            contact_name: "张三".into(),
            contact_phone: "13800138000".into(),
        },
        license_no: "JY13703220000001".into(),
        license_date: "2026-09-01".parse().unwrap(),
        valid_until: "2031-08-31".parse().unwrap(),
        mode: PushMode::Standard,
        comprehensive_license: None,
        commitment_letter: None,
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        important: false,
    }
}

/// Raw HTTP for bodies the typed client cannot produce (malformed JSON, odd headers).
pub async fn raw(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut rb = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = rb.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// Run each named `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}
