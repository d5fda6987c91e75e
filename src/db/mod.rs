//! Storage: one `Db` over SQLite (embedded default) or PostgreSQL (several instances).
//!
//! Queries are portable SQL with `$n` placeholders, bound to times from the `Clock` (never
//! `now()` in SQL). Each operation is written once and expanded for both drivers by the
//! `write_tx!` / `read!` macros, so the two backends cannot drift apart.
//!
//! Every write transaction collects its *effects* — events for the live stream and audit
//! lines — and `write_tx!` stores them in the same transaction just before commit. On
//! PostgreSQL the event insert is serialised by an advisory lock, so event ids become visible
//! in id order and a reader that resumes "after id N" can never skip a late-committing event.
//! Audit lines are appended to the hash chain (`audit`), whose head row is locked first.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::api::Department;

/// Run `$body` in a write transaction (it may `?` or `return Err` out: its changes then roll
/// back), store the collected effects, commit, and wake the local event fan-out. On SQLite
/// the body runs inside the group-commit writer ([`writer`]): it must own what it captures
/// (clone borrowed arguments first) — `$db` is rebound to the writer's copy.
macro_rules! write_tx {
    ($db:ident, |$tx:ident, $fx:ident| $body:expr) => {{
        let value = match $db.pool() {
            $crate::db::Pool::Sqlite(_) => {
                // Group commit: the body runs in the writer task, so it owns what it uses.
                let owned: $crate::db::Db = $db.clone();
                let writer = $db.sqlite_writer();
                let (value, events) = writer
                    .write(move |conn| {
                        Box::pin(async move {
                            #[allow(unused_variables)]
                            let $db: &$crate::db::Db = &owned;
                            let $tx = conn;
                            #[allow(unused_mut)]
                            let mut $fx = $crate::db::Effects::default();
                            let value = $body;
                            // The writer stores the effects of the whole batch at once.
                            Ok::<_, $crate::db::DbError>((value, $fx))
                        })
                    })
                    .await?;
                if events {
                    $db.events_committed();
                }
                value
            }
            $crate::db::Pool::Postgres(pool) => {
                #[allow(unused_mut)]
                let mut $fx = $crate::db::Effects::default();
                let mut $tx = pool.begin().await?;
                let value = $body;
                flush_effects!(&mut *$tx, &$fx, true);
                $tx.commit().await?;
                if !$fx.events.is_empty() {
                    $db.events_committed();
                }
                value
            }
        };
        value
    }};
}

/// Run a read with `$conn` bound to the pool of either driver.
macro_rules! read {
    ($db:expr, |$conn:ident| $body:expr) => {{
        let db: &$crate::db::Db = $db;
        match db.pool() {
            $crate::db::Pool::Sqlite($conn) => $body,
            $crate::db::Pool::Postgres($conn) => $body,
        }
    }};
}

/// The columns of `rows::UserRow`, for `concat!` into queries (a macro, so that the SQL stays
/// a `'static` string).
macro_rules! user_columns {
    () => {
        "id, username, password_hash, display_name, role, department_id, deactivated_at"
    };
}

macro_rules! flush_effects {
    ($conn:expr, $fx:expr, $pg:expr) => {{
        let fx: &$crate::db::Effects = $fx;
        // The audit chain first, then the events' advisory lock: one lock order everywhere.
        append_audit!($conn, &fx.audit, $pg);
        for chunk in fx.license_history.chunks(1000) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO license_history (license_id, event, state, push_id, at, actor, detail) ",
            );
            qb.push_values(chunk, |mut b, h| {
                b.push_bind(h.license_id)
                    .push_bind(h.event)
                    .push_bind(h.state)
                    .push_bind(h.push_id)
                    .push_bind(h.at)
                    .push_bind(&h.actor)
                    .push_bind(&h.detail);
            });
            qb.build().execute($conn).await?;
        }
        if !fx.events.is_empty() {
            if $pg {
                sqlx::query("SELECT pg_advisory_xact_lock(7240001)")
                    .execute($conn)
                    .await?;
            }
            for chunk in fx.events.chunks(1000) {
                let mut qb =
                    sqlx::QueryBuilder::new("INSERT INTO events (kind, dept_a, dept_b, data, at) ");
                qb.push_values(chunk, |mut b, e| {
                    b.push_bind(e.kind)
                        .push_bind(e.dept_a)
                        .push_bind(e.dept_b)
                        .push_bind(&e.data)
                        .push_bind(e.at);
                });
                qb.build().execute($conn).await?;
            }
            if $pg {
                sqlx::query("SELECT pg_notify('shenguan_events', '')")
                    .execute($conn)
                    .await?;
            }
        }
    }};
}

// First: `append_audit!` (used by `flush_effects!`) must be defined before any module that
// writes, as macro_rules are textually scoped.
#[macro_use]
pub mod audit;
pub mod bulletins;
pub mod calendar;
pub mod catalogue;
pub mod credit;
pub mod deadlines;
pub mod deliveries;
pub mod disputes;
pub mod draws;
pub mod duties;
mod error;
pub mod events;
pub mod experts;
pub mod inquiry;
pub mod joint_events;
pub mod joint_reports;
pub mod joint_work;
pub mod ledger;
pub mod legacy;
pub mod license_actions;
pub mod licenses;
pub mod login_failures;
pub mod people;
pub mod pushes;
pub mod reports;
pub mod retention;
pub mod rows;
pub mod verifications;
pub mod writer;

pub use error::{Chain, DbError, DbResult, stored};

pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An event to append to the log in the current transaction.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: &'static str,
    /// Departments that may see it (both `None`: everyone).
    pub dept_a: Option<i64>,
    pub dept_b: Option<i64>,
    pub data: String,
    pub at: i64,
}

/// An audit line: who did what to which record, when.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub at: i64,
    pub actor: String,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<i64>,
    pub detail: String,
}

/// A line of a licence's history (`license_history`), stored with the effects: on SQLite the
/// lines of a whole group commit are one statement (every approval push writes one, and the
/// writer's statements per push bound the push throughput: docs/BENCHMARKS.md).
#[derive(Debug, Clone)]
pub struct NewLicenseHistory {
    pub license_id: i64,
    pub event: &'static str,
    pub state: &'static str,
    pub push_id: Option<i64>,
    pub at: i64,
    pub actor: String,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct Effects {
    pub events: Vec<NewEvent>,
    pub audit: Vec<NewAudit>,
    pub license_history: Vec<NewLicenseHistory>,
}

impl Effects {
    pub fn event<T: serde::Serialize>(
        &mut self,
        kind: &'static str,
        audience: crate::domain::Audience,
        data: &T,
        at: i64,
    ) {
        let (dept_a, dept_b) = audience.columns();
        self.events.push(NewEvent {
            kind,
            dept_a,
            dept_b,
            data: serde_json::to_string(data).expect("wire types serialise"),
            at,
        });
    }
    pub fn audit(
        &mut self,
        at: i64,
        actor: &str,
        action: &'static str,
        entity: &'static str,
        id: Option<i64>,
        detail: serde_json::Value,
    ) {
        self.audit.push(NewAudit {
            at,
            actor: actor.to_string(),
            action,
            entity,
            entity_id: id,
            detail: detail.to_string(),
        });
    }
}

#[derive(Default)]
struct DeptMaps {
    by_id: HashMap<i64, Department>,
    by_code: HashMap<String, i64>,
}

struct Inner {
    pool: Pool,
    /// SQLite only: the group-commit writer every write goes through.
    writer: Option<writer::Writer>,
    /// Woken after every commit that wrote events (the local fan-out then reads the log).
    events_written: tokio::sync::Notify,
    depts: RwLock<DeptMaps>,
    url_kind: &'static str,
}

#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({})", self.inner.url_kind)
    }
}

impl Db {
    /// Connect (creating a SQLite file if missing) and apply migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let mut writer = None;
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await?;
            sqlx::migrate!("migrations/postgres").run(&pool).await?;
            let pool = Pool::Postgres(pool);
            audit::adopt(&pool).await?;
            pool
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // These are legal records: every commit is durable before it is answered.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true)
                .pragma("temp_store", "memory")
                .pragma("cache_size", "-65536");
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(30))
                .connect_with(opts.clone())
                .await?;
            sqlx::migrate!("migrations/sqlite").run(&pool).await?;
            audit::adopt(&Pool::Sqlite(pool.clone())).await?;
            writer = Some(writer::Writer::start(opts).await?);
            tokio::spawn(run_checkpoints(pool.clone()));
            Pool::Sqlite(pool)
        } else {
            anyhow::bail!("unsupported database URL (expected sqlite://… or postgres://…)");
        };
        let url_kind = match pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        };
        let db = Self {
            inner: Arc::new(Inner {
                pool,
                writer,
                events_written: tokio::sync::Notify::new(),
                depts: RwLock::new(DeptMaps::default()),
                url_kind,
            }),
        };
        db.reload_departments().await?;
        Ok(db)
    }

    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// The SQLite group-commit writer (only called on the SQLite path of `write_tx!`).
    pub fn sqlite_writer(&self) -> writer::Writer {
        self.inner
            .writer
            .clone()
            .expect("SQLite databases have a writer")
    }

    pub fn kind(&self) -> &'static str {
        self.inner.url_kind
    }

    pub fn pg_pool(&self) -> Option<&PgPool> {
        match &self.inner.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }

    pub async fn close(&self) {
        match &self.inner.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
    }

    pub(crate) fn events_committed(&self) {
        // notify_one stores a permit when the tailer is busy, so no wake-up is lost.
        self.inner.events_written.notify_one();
    }

    /// Resolves when a local commit wrote events.
    pub async fn events_written(&self) {
        self.inner.events_written.notified().await
    }

    /// Wake local event readers (used when another instance's NOTIFY arrives).
    pub fn wake_event_readers(&self) {
        self.inner.events_written.notify_one();
    }

    pub async fn ping(&self) -> DbResult<()> {
        read!(self, |c| sqlx::query("SELECT 1")
            .execute(c)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Departments change rarely and are needed on every response (id → code): cached, and
    /// reloaded on a miss so that another instance's new department is found.
    pub async fn reload_departments(&self) -> DbResult<()> {
        let rows: Vec<rows::DepartmentRow> = read!(self, |c| sqlx::query_as(
            "SELECT id, code, name, kind FROM departments"
        )
        .fetch_all(c)
        .await)?;
        let mut maps = DeptMaps::default();
        for r in rows {
            let kind = r.kind;
            maps.by_code.insert(r.code.clone(), r.id);
            maps.by_id.insert(
                r.id,
                Department {
                    code: r.code,
                    name: r.name,
                    kind,
                },
            );
        }
        *self.inner.depts.write().unwrap_or_else(|e| e.into_inner()) = maps;
        Ok(())
    }

    fn cached_dept(&self, id: i64) -> Option<Department> {
        self.inner
            .depts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .by_id
            .get(&id)
            .cloned()
    }

    /// The code of a department id, from the cache (ids come from our own rows).
    pub fn dept_code(&self, id: i64) -> String {
        self.cached_dept(id)
            .map(|d| d.code)
            .unwrap_or_else(|| format!("#{id}"))
    }

    pub async fn department_id(&self, code: &str) -> DbResult<Option<(i64, Department)>> {
        let lookup = |db: &Self| {
            let maps = db.inner.depts.read().unwrap_or_else(|e| e.into_inner());
            maps.by_code
                .get(code)
                .map(|id| (*id, maps.by_id[id].clone()))
        };
        if let Some(found) = lookup(self) {
            return Ok(Some(found));
        }
        self.reload_departments().await?;
        Ok(lookup(self))
    }

    pub fn departments(&self) -> Vec<(i64, Department)> {
        let maps = self.inner.depts.read().unwrap_or_else(|e| e.into_inner());
        let mut v: Vec<_> = maps.by_id.iter().map(|(id, d)| (*id, d.clone())).collect();
        v.sort_by_key(|(id, _)| *id);
        v
    }
}

/// Move the WAL into the database file every second, off the request path. PASSIVE never
/// blocks the writer or readers; it copies what it can and the WAL restarts once it is all in.
async fn run_checkpoints(pool: SqlitePool) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}

/// Map a unique-constraint violation to a 409/422, anything else to an internal error.
pub fn unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}
