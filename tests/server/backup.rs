//! Backups that restore: a copy taken while pushes pour in over HTTP, restored and served by a
//! new server, holds every push acknowledged before the copy began and agrees with itself.
//! SQLite is copied by `shenguan admin backup`; PostgreSQL by the README's `pg_dump -Fc` and
//! `pg_restore` into a fresh database.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::both_backends;
use crate::common::*;

/// Run the real binary, asynchronously (the server in this process keeps serving).
async fn shenguan(args: &[&str]) -> (bool, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args(args)
        .output()
        .await
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

async fn tool(program: &str, args: &[&str]) {
    let out = tokio::process::Command::new(program)
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("{program} (PostgreSQL client tools) must be installed: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A copy of the database taken now, restored where a new server can serve it. Returns the
/// restored database's URL and, for PostgreSQL, the database to drop afterwards.
async fn backup_and_restore(app: &TestApp, dir: &Path) -> (String, Option<String>) {
    match app.state().db.kind() {
        "sqlite" => {
            let file = dir.join("backup.db");
            let (ok, out, err) = shenguan(&[
                "admin",
                "backup",
                "--database",
                &app.db.url,
                "--out",
                file.to_str().unwrap(),
            ])
            .await;
            assert!(ok, "{out}{err}");
            assert!(out.contains("consistency"), "the copy is verified: {out}");
            // Restoring is copying the file into place.
            let restored = dir.join("restored.db");
            std::fs::copy(&file, &restored).unwrap();
            (format!("sqlite://{}", restored.display()), None)
        }
        _ => {
            // The test database lives in a schema; dump that schema, restore it into a new
            // database, and serve it with the same search_path.
            let (base, schema) = pg_parts(&app.db.url);
            let file = dir.join("backup.dump");
            tool(
                "pg_dump",
                &[
                    "-Fc",
                    "-d",
                    &base,
                    "-n",
                    &schema,
                    "-f",
                    file.to_str().unwrap(),
                ],
            )
            .await;
            let fresh = format!("sg_restore_{}", &schema[5..]);
            let pool = sqlx::PgPool::connect(&base).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {fresh}")))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let fresh_url = replace_db_name(&base, &fresh);
            tool(
                "pg_restore",
                &["--no-owner", "-d", &fresh_url, file.to_str().unwrap()],
            )
            .await;
            (
                format!("{fresh_url}?options=-c%20search_path%3D{schema}"),
                Some(fresh),
            )
        }
    }
}

/// `postgres://…/test?options=-c%20search_path%3Dsg_t_x` → (`postgres://…/test`, `sg_t_x`).
fn pg_parts(url: &str) -> (String, String) {
    let (base, query) = url.split_once('?').unwrap();
    let schema = query.rsplit("search_path%3D").next().unwrap().to_string();
    (base.to_string(), schema)
}

fn replace_db_name(base: &str, name: &str) -> String {
    let (head, _) = base.rsplit_once('/').unwrap();
    format!("{head}/{name}")
}

async fn backup_during_a_push_burst_restores(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    // Four clients push as fast as the server answers; each records when its answer came.
    let mut workers = Vec::new();
    for _ in 0..4 {
        let client = app.approval.clone();
        let stop = stop.clone();
        workers.push(tokio::spawn(async move {
            let mut acked = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let push = client
                    .create_approval_push(&approval_push(&["market", "health"]), None)
                    .await
                    .unwrap();
                acked.push((Instant::now(), push.id, push.deliveries.len()));
            }
            acked
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let began = Instant::now();
    let (restored_url, fresh_db) = backup_and_restore(&app, dir.path()).await;
    let ended = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    let mut acked = Vec::new();
    for w in workers {
        acked.extend(w.await.unwrap());
    }
    let before: Vec<_> = acked.iter().filter(|(t, _, _)| *t < began).collect();
    let during = acked
        .iter()
        .filter(|(t, _, _)| *t >= began && *t < ended)
        .count();
    assert!(
        before.len() >= 4,
        "a burst before the backup: {}",
        before.len()
    );
    eprintln!(
        "{backend:?}: {} pushes acknowledged before the backup, {during} while it ran",
        before.len()
    );

    // A new server on the restored copy serves every push acknowledged before the copy began.
    let restored = shenguan::server::start(test_config(&restored_url), None)
        .await
        .unwrap();
    let anon = shenguan::client::Client::new(&restored.url(), None);
    let admin = login(&anon, "admin").await;
    let mut found = std::collections::HashMap::<i64, usize>::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/v1/deliveries?limit=500".to_string();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page: shenguan::api::Page<shenguan::api::Delivery> = admin.get(&path).await.unwrap();
        for d in &page.items {
            *found.entry(d.push_id).or_default() += 1;
        }
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    for (_, push_id, deliveries) in &before {
        assert_eq!(
            found.get(push_id),
            Some(deliveries),
            "push {push_id}, acknowledged before the backup, is served whole from the copy"
        );
    }
    restored.shutdown().await;

    // The copy agrees with itself: deliveries ↔ pushes ↔ events ↔ audit lines.
    let (ok, out, err) = shenguan(&["admin", "verify-backup", &restored_url]).await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("consistency   ok"), "{out}");
    assert!(out.contains("migrations    ok"), "{out}");

    if let Some(fresh) = fresh_db {
        let (base, _) = pg_parts(&app.db.url);
        let pool = sqlx::PgPool::connect(&base).await.unwrap();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {fresh} WITH (FORCE)"
        )))
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }
    app.finish().await;
}

both_backends!(backup_during_a_push_burst_restores);

/// Run one statement on the app's database.
async fn exec(app: &TestApp, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        shenguan::db::Pool::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

async fn verify_names_records_that_disagree(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let first = app.push(&["market", "health"]).await;
    let second = app.push(&["market"]).await;
    let url = app.db.url.clone();
    let verify = || {
        let url = url.clone();
        async move { shenguan(&["admin", "verify-backup", &url]).await }
    };
    let (ok, out, err) = verify().await;
    assert!(ok, "{out}{err}");
    assert!(out.contains("2 pushes, 3 deliveries"), "{out}");

    // A push whose audit line is gone, an event naming a delivery that does not exist.
    exec(
        &app,
        &format!(
            "DELETE FROM audit_log WHERE action = 'push.create' AND entity_id = {}",
            second.id
        ),
    )
    .await;
    exec(
        &app,
        "INSERT INTO events (kind, data, at) VALUES ('delivery.created', '{\"id\": 987654}', 0)",
    )
    .await;
    let (ok, out, _) = verify().await;
    assert!(!ok, "{out}");
    assert!(out.contains("consistency   FAILED"), "{out}");
    assert!(
        out.contains(&format!(
            "push without its push.create audit line / 推送缺少审计记录: {}",
            second.id
        )),
        "{out}"
    );
    assert!(
        out.contains("event without its delivery / 事件所指投递不存在: 987654"),
        "{out}"
    );
    assert!(
        !out.contains(&format!(": {}\n", first.id)),
        "the whole push is not named: {out}"
    );

    // A database from an older shenguan is noted (the server migrates it on start)...
    exec(
        &app,
        "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)",
    )
    .await;
    let (_, out, _) = verify().await;
    assert!(out.contains("migrations    note"), "{out}");
    assert!(out.contains("older than this binary's"), "{out}");
    // ...one from a newer shenguan is refused.
    let checksum = match backend {
        Backend::Sqlite => "X'00'",
        Backend::Postgres => "'\\x00'::bytea",
    };
    exec(
        &app,
        &format!(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (99990101, 'from the future', TRUE, {checksum}, 0)"
        ),
    )
    .await;
    let (ok, out, _) = verify().await;
    assert!(!ok);
    assert!(
        out.contains("version 99990101 is newer than this binary's"),
        "{out}"
    );
    app.finish().await;
}

both_backends!(verify_names_records_that_disagree);

#[tokio::test]
async fn backup_refuses_to_overwrite_and_points_postgres_at_pg_dump() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("exists.db");
    std::fs::write(&out, "keep me").unwrap();
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    shenguan::admin::bootstrap(&db, "admin", "管理员", PASSWORD)
        .await
        .unwrap();
    let (ok, _, err) = shenguan(&[
        "admin",
        "backup",
        "--database",
        &db,
        "--out",
        out.to_str().unwrap(),
    ])
    .await;
    assert!(!ok && err.contains("not overwriting"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "keep me");
    let (ok, _, err) = shenguan(&[
        "admin",
        "backup",
        "--database",
        "postgres://u@h/db",
        "--out",
        dir.path().join("pg.db").to_str().unwrap(),
    ])
    .await;
    assert!(!ok && err.contains("pg_dump"), "{err}");
    // Not a shenguan database, and not a database at all.
    let (ok, out_text, _) = shenguan(&["admin", "verify-backup", out.to_str().unwrap()]).await;
    assert!(!ok, "{out_text}");
    let other = dir.path().join("other.db");
    let opts = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&other)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
    sqlx::query("CREATE TABLE t (x INTEGER)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let (ok, out_text, _) = shenguan(&["admin", "verify-backup", other.to_str().unwrap()]).await;
    assert!(!ok);
    assert!(out_text.contains("not a shenguan database"), "{out_text}");
}
