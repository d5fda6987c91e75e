//! The tamper-evident audit chain (docs/AUDIT.md): its head over HTTP, and `verify` naming the
//! first record that was modified, deleted or moved, on both databases.

use futures::future::join_all;
use shenguan::api::*;
use shenguan::client::Client;
use shenguan::db::audit::{Break, GENESIS, Verdict, verify};

use crate::both_backends;
use crate::common::*;

both_backends!(
    the_head_moves_with_every_change_and_only_oversight_reads_it,
    a_modified_record_is_named,
    a_deleted_record_is_named,
    reordered_records_are_named,
    a_cut_tail_and_a_row_outside_the_chain_are_named,
    concurrent_writers_build_one_chain,
    a_log_from_before_the_chain_is_adopted_once,
);

/// Run raw SQL on the test database (what someone with database access could do).
pub async fn exec(app: &TestApp, sql: &str) {
    match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(p)
                .await
                .unwrap();
        }
        shenguan::db::Pool::Postgres(p) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
                .execute(p)
                .await
                .unwrap();
        }
    }
}

pub async fn verdict(app: &TestApp) -> Verdict {
    verify(app.state().db.pool()).await.unwrap()
}

/// A few pushes and claims: a chain of some length to tamper with.
pub async fn some_history(app: &TestApp) {
    for _ in 0..3 {
        let p = app.push(&["market", "health"]).await;
        app.market.claim(p.deliveries[0].id).await.unwrap();
    }
}

async fn head_of(app: &TestApp, c: &Client) -> (u16, serde_json::Value) {
    app.request(reqwest::Method::GET, "/api/v1/audit/head", c.token(), None)
        .await
}

async fn the_head_moves_with_every_change_and_only_oversight_reads_it(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let (status, v) = head_of(&app, &app.duty).await;
    assert_eq!(status, 200, "{v}");
    let before: AuditHead = serde_json::from_value(v).unwrap();
    // The seeding (departments, accounts, logins) is already audited.
    assert!(before.record > 0, "{before:?}");
    assert_eq!(before.hash.len(), 64);
    assert_ne!(before.hash, GENESIS);
    assert_eq!(
        shenguan::db::audit::head(&app.state().db).await.unwrap(),
        (before.record, before.hash.clone())
    );
    app.push(&["market"]).await;
    let (status, v) = head_of(&app, &app.admin).await;
    assert_eq!(status, 200);
    let after: AuditHead = serde_json::from_value(v).unwrap();
    assert!(after.record > before.record, "{before:?} {after:?}");
    assert_eq!(
        app.count("audit_log").await,
        after.record,
        "every record is in the chain"
    );
    for c in [&app.market, &app.approval, &app.supervisor] {
        let (status, v) = head_of(&app, c).await;
        assert_eq!(status, 403, "{v}");
    }
    assert_eq!(head_of(&app, &app.anon).await.0, 401);
    assert_eq!(
        verdict(&app).await,
        Verdict::Holds {
            records: after.record,
            head: after.hash
        }
    );
    app.finish().await;
}

async fn a_modified_record_is_named(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    some_history(&app).await;
    exec(
        &app,
        "UPDATE audit_log SET actor = 'someone_else' WHERE seq = 5",
    )
    .await;
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken(Break::Modified { record: 5 })
    );
    app.finish().await;
}

async fn a_deleted_record_is_named(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    some_history(&app).await;
    exec(&app, "DELETE FROM audit_log WHERE seq = 7").await;
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken(Break::Missing {
            record: 7,
            found: Some(8)
        })
    );
    // Renumbering the rest to hide the gap does not help: record 7 is now the old 8, which
    // does not carry the hash of record 6.
    exec(&app, "UPDATE audit_log SET seq = seq - 1 WHERE seq > 7").await;
    let v = verdict(&app).await;
    assert_eq!(v, Verdict::Broken(Break::Unlinked { record: 7 }));
    assert!(v.to_string().contains("record 7"), "{v}");
    app.finish().await;
}

async fn reordered_records_are_named(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    some_history(&app).await;
    // Exchange the places of records 4 and 5 (through a free number: `seq` is unique).
    exec(
        &app,
        "UPDATE audit_log SET seq = -1 WHERE seq = 4; \
         UPDATE audit_log SET seq = 4 WHERE seq = 5; \
         UPDATE audit_log SET seq = 5 WHERE seq = -1",
    )
    .await;
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken(Break::Unlinked { record: 4 })
    );
    app.finish().await;
}

async fn a_cut_tail_and_a_row_outside_the_chain_are_named(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    some_history(&app).await;
    let (n, _) = shenguan::db::audit::head(&app.state().db).await.unwrap();
    exec(
        &app,
        "INSERT INTO audit_log (at, actor, action, entity, detail) VALUES (0, 'x', 'forged', 'user', '{}')",
    )
    .await;
    let outside = verdict(&app).await;
    assert!(
        matches!(outside, Verdict::Broken(Break::Outside { .. })),
        "{outside:?}"
    );
    exec(&app, "DELETE FROM audit_log WHERE seq IS NULL").await;
    exec(
        &app,
        &format!("DELETE FROM audit_log WHERE seq >= {}", n - 1),
    )
    .await;
    assert_eq!(
        verdict(&app).await,
        Verdict::Broken(Break::Missing {
            record: n - 1,
            found: None
        })
    );
    app.finish().await;
}

/// Many writes at once — on SQLite through the group-commit writer's batches, on PostgreSQL
/// through two server instances — still make one chain with no fork or gap.
async fn concurrent_writers_build_one_chain(b: Backend) {
    let Some(db) = TestDb::new(b).await else {
        return;
    };
    let url = db.url.clone();
    let app = TestApp::spawn_on(db, test_config).await;
    let second = match b {
        Backend::Postgres => Some(
            shenguan::server::start(test_config(&url), None)
                .await
                .unwrap(),
        ),
        Backend::Sqlite => None,
    };
    let other = second
        .as_ref()
        .map(|s| Client::new(&s.url(), app.approval.token().map(String::from)));
    let pushes = (0..40).map(|i| {
        let c = match (&other, i % 2) {
            (Some(o), 1) => o,
            _ => &app.approval,
        };
        async move {
            c.create_approval_push(&approval_push(&["market", "health"]), None)
                .await
                .unwrap()
        }
    });
    join_all(pushes).await;
    let (n, hash) = shenguan::db::audit::head(&app.state().db).await.unwrap();
    assert_eq!(app.count("audit_log").await, n);
    assert_eq!(
        verdict(&app).await,
        Verdict::Holds {
            records: n,
            head: hash
        }
    );
    if let Some(s) = second {
        s.shutdown().await;
    }
    app.finish().await;
}

/// Records written before migration 0019 have no hash: the first start-up chains them in id
/// order, once. A later start-up does not adopt a row inserted without a hash.
async fn a_log_from_before_the_chain_is_adopted_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    some_history(&app).await;
    let url = app.db.url.clone();
    let records = app.count("audit_log").await;
    // What an upgraded database looks like before its first start.
    exec(
        &app,
        "UPDATE audit_log SET seq = NULL, prev_hash = NULL, hash = NULL; DELETE FROM audit_chain",
    )
    .await;
    assert_eq!(verdict(&app).await, Verdict::Broken(Break::NotChained));
    let db = shenguan::db::Db::connect(&url).await.unwrap();
    let v = verify(db.pool()).await.unwrap();
    let Verdict::Holds { records: n, .. } = v else {
        panic!("{v:?}")
    };
    assert_eq!(n, records);
    // Records are numbered in id order.
    let first = app
        .count("audit_log WHERE seq = 1 AND id = (SELECT MIN(id) FROM audit_log)")
        .await;
    assert_eq!(first, 1);
    db.close().await;
    exec(
        &app,
        "INSERT INTO audit_log (at, actor, action, entity, detail) VALUES (0, 'x', 'forged', 'user', '{}')",
    )
    .await;
    let db = shenguan::db::Db::connect(&url).await.unwrap();
    let v = verify(db.pool()).await.unwrap();
    assert!(matches!(v, Verdict::Broken(Break::Outside { .. })), "{v:?}");
    db.close().await;
    app.finish().await;
}
