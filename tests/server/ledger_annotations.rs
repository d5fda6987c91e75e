//! The whole ledger (arts. 14–15): filters, annotations by duty officers (audited, shown with
//! the record), and records that can never be deleted — on both databases.

use reqwest::Method;
use serde_json::{Value, json};

use crate::audit_chain::verdict;
use crate::both_backends;
use crate::common::*;

both_backends!(
    annotations_are_checked_audited_and_shown,
    the_ledger_filters_by_department_rule_and_person,
    ledger_records_cannot_be_deleted,
);

/// One auto-claimed delivery of market's in November 2026: one `claim_overdue` record.
async fn one_record(app: &TestApp) -> i64 {
    app.set_clock("2026-11-27T16:00:00+08:00").await;
    app.push(&["market"]).await;
    app.set_clock("2026-12-07T10:00:00+08:00").await;
    let (status, v) = ledger(app, app.duty.token(), "month=2026-11").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    v[0]["id"].as_i64().unwrap()
}

async fn ledger(app: &TestApp, token: Option<&str>, query: &str) -> (u16, Value) {
    app.request(
        Method::GET,
        &format!("/api/v1/accountability?{query}"),
        token,
        None,
    )
    .await
}

async fn annotate(app: &TestApp, token: Option<&str>, id: i64, body: Value) -> (u16, Value) {
    app.request(
        Method::POST,
        &format!("/api/v1/accountability/{id}/annotations"),
        token,
        Some(&body.to_string()),
    )
    .await
}

async fn annotations_are_checked_audited_and_shown(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let id = one_record(&app).await;
    let duty = app.duty.token();
    // Refused, and nothing written: staff and supervisors may not; text is required.
    let outage = json!({"decision": "justified", "text": "系统故障，见运维报告 2026-112 / outage, ops report 2026-112"});
    for c in [&app.market, &app.approval, &app.supervisor] {
        assert_eq!(annotate(&app, c.token(), id, outage.clone()).await.0, 403);
    }
    for (body, field) in [
        (json!({"decision": "justified"}), "text"),
        (json!({"decision": "justified", "text": "  "}), "text"),
        (json!({"decision": "forgiven", "text": "x"}), "decision"),
        (
            json!({"decision": "note", "text": "x", "by": "someone"}),
            "by",
        ),
    ] {
        let (status, v) = annotate(&app, duty, id, body.clone()).await;
        assert_eq!(status, 422, "{body}: {v}");
        assert!(
            v["error"]["field"].as_str().unwrap_or("").contains(field),
            "{body}: {v}"
        );
    }
    assert_eq!(annotate(&app, duty, id + 1000, outage.clone()).await.0, 404);
    assert_eq!(app.count("accountability_annotations").await, 0);

    let (status, a) = annotate(&app, duty, id, outage.clone()).await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(a["decision"], "justified");
    assert_eq!(a["by"], "zhiban1");
    assert_eq!(a["at"], "2026-12-07T10:00:00+08:00");
    // The annotation is an audit line of its own, in the chain.
    let audited = format!(
        "audit_log WHERE action = 'accountability.annotate' AND entity = 'accountability' \
         AND entity_id = {id} AND actor = 'zhiban1' AND seq IS NOT NULL"
    );
    assert_eq!(app.count(&audited).await, 1);
    assert!(matches!(
        verdict(&app).await,
        shenguan::db::audit::Verdict::Holds { .. }
    ));
    let (status, a2) = annotate(
        &app,
        app.admin.token(),
        id,
        json!({"decision": "upheld", "text": "复核后维持 / upheld on review"}),
    )
    .await;
    assert_eq!(status, 201, "{a2}");

    // Shown with the record, oldest first, to the department too.
    for c in [&app.duty, &app.market] {
        let (_, v) = ledger(&app, c.token(), "month=2026-11").await;
        let shown = &v[0]["annotations"];
        assert_eq!(shown.as_array().unwrap().len(), 2, "{v}");
        assert_eq!(shown[0]["text"], outage["text"]);
        assert_eq!(shown[1]["decision"], "upheld");
        assert_eq!(shown[1]["by"], "admin");
    }
    app.finish().await;
}

async fn the_ledger_filters_by_department_rule_and_person(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    one_record(&app).await;
    let duty = app.duty.token();
    let n = |v: &Value| v.as_array().map(Vec::len).unwrap_or(usize::MAX);
    for (query, expected) in [
        ("month=2026-11&department=market", 1),
        ("month=2026-11&department=health", 0),
        ("month=2026-11&rule=claim_overdue", 1),
        ("month=2026-11&rule=claim_overdue&department=market", 1),
        // An auto-claim names no person (docs/STATISTICS.md).
        ("month=2026-11&person=market1", 0),
        ("month=2026-12&department=market", 0),
    ] {
        let (status, v) = ledger(&app, duty, query).await;
        assert_eq!((status, n(&v)), (200, expected), "{query}: {v}");
    }
    let (_, v) = ledger(&app, duty, "month=2026-11").await;
    assert!(v[0]["person"].is_null(), "{v}");
    // A department sees only its own, whatever it asks for.
    let (_, v) = ledger(&app, app.health.token(), "month=2026-11&department=market").await;
    assert_eq!(n(&v), 0, "{v}");
    let (_, v) = ledger(&app, app.market.token(), "month=2026-11").await;
    assert_eq!(n(&v), 1, "{v}");
    for (query, field) in [
        ("month=2026-11&department=nowhere", "department"),
        ("month=2026-11&rule=claim_late", "rule"),
        ("month=2026-13", "month"),
        ("department=market", "month"),
        ("month=2026-11&colour=red", "colour"),
    ] {
        let (status, v) = ledger(&app, duty, query).await;
        assert_eq!(status, 400, "{query}: {v}");
        assert!(
            v["error"]["field"].as_str().unwrap_or("").contains(field),
            "{query}: {v}"
        );
    }
    app.finish().await;
}

async fn ledger_records_cannot_be_deleted(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let id = one_record(&app).await;
    app.duty
        .annotate_accountability(id, shenguan::api::AnnotationDecision::Note, "备注 / a note")
        .await
        .unwrap();
    // Even with direct database access, the triggers refuse.
    for sql in [
        "DELETE FROM accountability".to_string(),
        "DELETE FROM accountability_annotations".to_string(),
        format!(
            "UPDATE accountability_annotations SET text = 'changed' WHERE accountability_id = {id}"
        ),
    ] {
        let refused = match app.state().db.pool() {
            shenguan::db::Pool::Sqlite(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                .execute(p)
                .await
                .is_err(),
            shenguan::db::Pool::Postgres(p) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                .execute(p)
                .await
                .is_err(),
        };
        assert!(refused, "{sql} must be refused");
    }
    if b == Backend::Postgres {
        let refused = match app.state().db.pool() {
            shenguan::db::Pool::Postgres(p) => sqlx::raw_sql("TRUNCATE accountability CASCADE")
                .execute(p)
                .await
                .is_err(),
            shenguan::db::Pool::Sqlite(_) => unreachable!(),
        };
        assert!(refused, "TRUNCATE must be refused");
    }
    assert_eq!(app.count("accountability").await, 1);
    assert_eq!(
        app.count("accountability_annotations WHERE text = '备注 / a note'")
            .await,
        1
    );
    app.finish().await;
}
