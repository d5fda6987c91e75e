//! The credit-approval catalogue (art. 8): versions, validation, who maintains it, and the
//! version recorded with a notify-and-commit push.

use reqwest::Method;
use serde_json::json;

use crate::both_backends;
use crate::common::*;
use crate::events::{next_event, subscribe};
use shenguan::api::*;

both_backends!(
    catalogue_items_keep_their_versions,
    catalogue_validation_names_fields_and_writes_nothing,
    notify_commit_pushes_name_a_catalogue_item,
    catalogue_maintainers_are_named_by_their_department,
);

fn input(name: &str, mode: VerificationMode, depts: &[&str]) -> CatalogueItemInput {
    CatalogueItemInput {
        code: None,
        name: name.into(),
        conditions: vec!["场所面积不少于 50 平方米".into()],
        materials: vec!["申请书".into()],
        verification_mode: mode,
        departments: depts.iter().map(|d| d.to_string()).collect(),
        base_version: None,
        note: Some("政策调整".into()),
    }
}

async fn catalogue_items_keep_their_versions(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let item = catalogue_item(&app.approval, "XY-9", VerificationMode::Exempt, &["market"]).await;
    assert_eq!(item.current.version, 1);
    assert_eq!(item.current.departments, ["market"]);
    // An admin changes it: version 2, the old one still readable.
    let mut v2 = input(
        "公共场所卫生许可（调整）",
        VerificationMode::PostVerification,
        &["market", "health"],
    );
    v2.base_version = Some(1);
    let changed: CatalogueItem = app
        .admin
        .post(
            &format!("/api/v1/credit-catalogue/{}/versions", item.id),
            &v2,
        )
        .await
        .unwrap();
    assert_eq!(changed.current.version, 2);
    assert_eq!(changed.code, "XY-9");
    assert_eq!(
        changed.current.verification_mode,
        VerificationMode::PostVerification
    );
    // A change based on a version no longer current is refused, nothing written.
    let stale = app
        .approval
        .post::<CatalogueItem, _>(
            &format!("/api/v1/credit-catalogue/{}/versions", item.id),
            &v2,
        )
        .await;
    assert_eq!(refused_status(stale), 409);
    // Everyone reads it: the list has the current version, the item every version.
    let list: Vec<CatalogueItem> = app.health.get("/api/v1/credit-catalogue").await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].current.version, 2);
    assert!(list[0].versions.is_empty());
    let full: CatalogueItem = app
        .market
        .get(&format!("/api/v1/credit-catalogue/{}", item.id))
        .await
        .unwrap();
    let versions: Vec<i32> = full.versions.iter().map(|v| v.version).collect();
    assert_eq!(versions, [1, 2]);
    assert_eq!(full.versions[0].verification_mode, VerificationMode::Exempt);
    assert_eq!(full.versions[0].departments, ["market"]);
    assert_eq!(full.versions[1].note.as_deref(), Some("政策调整"));
    // The change is an event in the durable log.
    let (n,): (i64,) = match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => {
            sqlx::query_as("SELECT COUNT(*) FROM events WHERE kind = 'catalogue.changed'")
                .fetch_one(p)
                .await
                .unwrap()
        }
        shenguan::db::Pool::Postgres(p) => {
            sqlx::query_as("SELECT COUNT(*) FROM events WHERE kind = 'catalogue.changed'")
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(n, 2);
    // Two changes at once from the same base: one wins, the other is a clean 409.
    let mut v3 = input("并发修改", VerificationMode::Exempt, &["market"]);
    v3.base_version = Some(2);
    let path = format!("/api/v1/credit-catalogue/{}/versions", item.id);
    let (a, b) = tokio::join!(
        app.approval.post::<CatalogueItem, _>(&path, &v3),
        app.admin.post::<CatalogueItem, _>(&path, &v3),
    );
    assert_eq!(a.is_ok() as u8 + b.is_ok() as u8, 1, "{a:?} {b:?}");
    for r in [a, b] {
        if let Err(e) = r {
            assert_eq!(e.status().map(|s| s.as_u16()), Some(409));
        }
    }
    // Without a base both are kept, as consecutive versions.
    v3.base_version = None;
    let (a, b) = tokio::join!(
        app.approval.post::<CatalogueItem, _>(&path, &v3),
        app.admin.post::<CatalogueItem, _>(&path, &v3),
    );
    let mut got = [a.unwrap().current.version, b.unwrap().current.version];
    got.sort();
    assert_eq!(got, [4, 5]);
    // A missing item is 404.
    let missing = app
        .market
        .get::<CatalogueItem>("/api/v1/credit-catalogue/9999")
        .await;
    assert_eq!(refused_status(missing), 404);
    app.finish().await;
}

async fn catalogue_validation_names_fields_and_writes_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let tok = app.approval.token().unwrap().to_string();
    let good = json!({
        "code": "XY-1", "name": "食品经营许可", "conditions": ["承诺一"], "materials": [],
        "verification_mode": "exempt", "departments": ["market"]
    });
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    for (body, field) in [
        (with("name", json!(" ")), "name"),
        (with("conditions", json!([])), "conditions"),
        (with("conditions", json!(["ok", ""])), "conditions[1]"),
        (with("departments", json!([])), "departments"),
        (with("departments", json!(["nowhere"])), "departments[0]"),
        (with("departments", json!(["approval"])), "departments[0]"),
        (
            with("departments", json!(["market", "market"])),
            "departments[1]",
        ),
        (
            with("verification_mode", json!("sometimes")),
            "verification_mode",
        ),
        (with("code", json!(null)), "code"),
    ] {
        let (status, err) = app
            .request(
                Method::POST,
                "/api/v1/credit-catalogue",
                Some(&tok),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(status, 422, "{body} → {err}");
        assert_eq!(err["error"]["field"], field, "{body} → {err}");
    }
    assert_eq!(app.count("catalogue_items").await, 0);
    // Supervision staff read but do not maintain it.
    let market = app
        .market
        .post::<CatalogueItem, _>("/api/v1/credit-catalogue", &good)
        .await;
    assert_eq!(refused_status(market), 403);
    // A code is unique.
    catalogue_item(&app.approval, "XY-1", VerificationMode::Exempt, &["market"]).await;
    let again = app
        .approval
        .post::<CatalogueItem, _>("/api/v1/credit-catalogue", &good)
        .await;
    assert_eq!(refused_status(again), 409);
    assert_eq!(app.count("catalogue_versions").await, 1);
    app.finish().await;
}

/// `notify_commit` needs a catalogue item; a post-verification item needs the compliance
/// date (not before the signing date), an exempt one refuses it. Each refusal writes nothing.
async fn notify_commit_pushes_name_a_catalogue_item(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let exempt = catalogue_item(&app.approval, "XY-1", VerificationMode::Exempt, &["market"]).await;
    let verified = catalogue_item(
        &app.approval,
        "XY-2",
        VerificationMode::PostVerification,
        &["market"],
    )
    .await;
    let tok = app.approval.token().unwrap().to_string();
    let push = |item: serde_json::Value, compliance: Option<&str>| {
        let mut p = serde_json::to_value(approval_push(&["market"])).unwrap();
        p["mode"] = json!("notify_commit");
        p["license_date"] = json!("2026-11-20");
        p["commitment_letter"] = json!({"content": "承诺符合条件", "signed_on": "2026-11-20"});
        if let Some(c) = compliance {
            p["commitment_letter"]["compliance_date"] = json!(c);
        }
        if !item.is_null() {
            p["catalogue_item_id"] = item;
        }
        p.to_string()
    };
    for (body, field) in [
        (push(json!(null), None), "catalogue_item_id"),
        (push(json!(9999), None), "catalogue_item_id"),
        (
            push(json!(exempt.id), Some("2026-12-01")),
            "commitment_letter.compliance_date",
        ),
        (
            push(json!(verified.id), None),
            "commitment_letter.compliance_date",
        ),
        (
            push(json!(verified.id), Some("2026-11-19")),
            "commitment_letter.compliance_date",
        ),
        (
            push(json!(verified.id), Some("2026-13-01")),
            "commitment_letter.compliance_date",
        ),
    ] {
        let (status, err) = app
            .request(
                Method::POST,
                "/api/v1/approval-pushes",
                Some(&tok),
                Some(&body),
            )
            .await;
        assert_eq!(status, 422, "{body} → {err}");
        assert_eq!(err["error"]["field"], field, "{body} → {err}");
    }
    let (_, err) = app
        .request(
            Method::POST,
            "/api/v1/approval-pushes",
            Some(&tok),
            Some(&push(json!(verified.id), Some("2026-11-19"))),
        )
        .await;
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("signed_on"),
        "{err}"
    );
    // A standard push may not name an item.
    let mut p = approval_push(&["market"]);
    p.catalogue_item_id = Some(exempt.id);
    let r = app.approval.create_approval_push(&p, None).await;
    assert_eq!(refused_status(r), 422);
    assert_eq!(app.count("pushes").await, 0);
    assert_eq!(app.count("verification_tasks").await, 0);
    // The exempt item: pushed, no verification task; the version is recorded.
    let (status, _) = app
        .request(
            Method::POST,
            "/api/v1/approval-pushes",
            Some(&tok),
            Some(&push(json!(exempt.id), None)),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(app.count("push_commitments").await, 1);
    assert_eq!(app.count("verification_tasks").await, 0);
    // After a change, a new push records the item's new version.
    let mut v2 = input(
        "调整后的事项",
        VerificationMode::PostVerification,
        &["market"],
    );
    v2.code = Some("XY-2".into());
    let _: CatalogueItem = app
        .approval
        .post(
            &format!("/api/v1/credit-catalogue/{}/versions", verified.id),
            &v2,
        )
        .await
        .unwrap();
    let (status, created) = app
        .request(
            Method::POST,
            "/api/v1/approval-pushes",
            Some(&tok),
            Some(&push(json!(verified.id), Some("2026-11-20"))),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let tasks: Page<VerificationTask> = app.approval.get("/api/v1/verifications").await.unwrap();
    assert_eq!(tasks.items.len(), 1);
    assert_eq!(tasks.items[0].catalogue_version, 2);
    assert_eq!(tasks.items[0].push_id, created["id"].as_i64().unwrap());
    assert_eq!(created["catalogue_version"], 2);
    let back: Push = app
        .market
        .get(&format!("/api/v1/pushes/{}", created["id"]))
        .await
        .unwrap();
    assert_eq!(back.catalogue_version, Some(2));
    app.finish().await;
}

/// Everyone reads the catalogue, but a department never sees who in another department acted:
/// to a supervision department the bureau's name stands for the bureau's staffer, over REST
/// and on the event stream. People of no department (an admin) are named to everyone.
async fn catalogue_maintainers_are_named_by_their_department(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut market_events = subscribe(&app.market, None).await;
    let item = catalogue_item(&app.approval, "XY-7", VerificationMode::Exempt, &["market"]).await;
    let staffer = item.current.created_by.clone();
    assert_ne!(
        staffer, "行政审批服务局",
        "the bureau itself sees its person"
    );
    let event = loop {
        let e = next_event(&mut market_events, std::time::Duration::from_secs(5))
            .await
            .expect("a catalogue.changed event");
        if e.kind == event_types::CATALOGUE_CHANGED {
            break e.data;
        }
    };
    assert_eq!(event["current"]["created_by"], "行政审批服务局", "{event}");
    let list: Vec<CatalogueItem> = app.market.get("/api/v1/credit-catalogue").await.unwrap();
    assert_eq!(list[0].current.created_by, "行政审批服务局");
    let mut v2 = input("调整后", VerificationMode::Exempt, &["market"]);
    v2.base_version = Some(1);
    let by_admin: CatalogueItem = app
        .admin
        .post(
            &format!("/api/v1/credit-catalogue/{}/versions", item.id),
            &v2,
        )
        .await
        .unwrap();
    let full: CatalogueItem = app
        .market
        .get(&format!("/api/v1/credit-catalogue/{}", item.id))
        .await
        .unwrap();
    let names: Vec<&str> = full
        .versions
        .iter()
        .map(|v| v.created_by.as_str())
        .collect();
    assert_eq!(
        names,
        ["行政审批服务局", by_admin.current.created_by.as_str()]
    );
    // The bureau and the roles that see all see the person.
    let own: CatalogueItem = app
        .approval
        .get(&format!("/api/v1/credit-catalogue/{}", item.id))
        .await
        .unwrap();
    assert_eq!(own.versions[0].created_by, staffer);
    let duty: Vec<CatalogueItem> = app.duty.get("/api/v1/credit-catalogue").await.unwrap();
    assert_eq!(duty[0].current.created_by, by_admin.current.created_by);
    app.finish().await;
}
