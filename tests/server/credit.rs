//! The credit register and restricted admission (issue 10 part 2, art. 7(2)1): credit-status
//! pushes are validated and filed only by a supervising department; admission follows the
//! listings in force; an approval push for a listed holder needs a matching acknowledgement
//! (409 naming the record otherwise, nothing written), which is stored, shown to the
//! recipients and counted in the month's statistics.

use reqwest::Method;
use serde_json::json;
use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;
use crate::licenses::licence_push;

both_backends!(
    a_credit_push_is_validated_and_writes_nothing_when_refused,
    only_a_supervising_department_files_credit_status,
    admission_follows_the_listings_and_guards_approval_pushes,
);

const HOLDER: &str = "91350100M000100Y43";

fn credit_push(
    status: &str,
    decision_no: &str,
    start: &str,
    end: Option<&str>,
) -> serde_json::Value {
    let mut credit = json!({
        "status": status,
        "authority": "高青县市场监督管理局",
        "decision_no": decision_no,
        "start_date": start,
    });
    if let Some(e) = end {
        credit["end_date"] = json!(e);
    }
    json!({
        "category": "credit_status",
        "title": "信用状态变更",
        "body": "依法列入/移出名录。",
        "counterparty": {
            "name": "高青县示例餐饮有限公司",
            "credit_code": HOLDER,
            "contact_name": "张三",
            "contact_phone": "13800138000"
        },
        "credit": credit
    })
}

async fn file(app: &TestApp, c: &Client, body: &serde_json::Value) -> (u16, serde_json::Value) {
    app.request(
        Method::POST,
        "/api/v1/supervision-pushes",
        c.token(),
        Some(&body.to_string()),
    )
    .await
}

async fn a_credit_push_is_validated_and_writes_nothing_when_refused(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market"]).await;
    let pushes = app.count("pushes").await;
    let ok = credit_push(
        "abnormal_operation",
        "高市监异〔2026〕1号",
        "2026-11-20",
        None,
    );
    let mut no_credit = ok.clone();
    no_credit.as_object_mut().unwrap().remove("credit");
    let mut no_counterparty = ok.clone();
    no_counterparty
        .as_object_mut()
        .unwrap()
        .remove("counterparty");
    let mut wrong_category = ok.clone();
    wrong_category["category"] = json!("training");
    let backwards = credit_push("dishonest", "x", "2026-11-20", Some("2026-11-19"));
    let mut bad_status = ok.clone();
    bad_status["credit"]["status"] = json!("suspicious");
    let mut blank_no = ok.clone();
    blank_no["credit"]["decision_no"] = json!("  ");
    let mut bad_date = ok.clone();
    bad_date["credit"]["start_date"] = json!("2026-2-30");
    for (body, field) in [
        (&no_credit, "credit"),
        (&no_counterparty, "counterparty"),
        (&wrong_category, "credit"),
        (&backwards, "credit.end_date"),
        (&bad_status, "credit.status"),
        (&blank_no, "credit.decision_no"),
        (&bad_date, "credit.start_date"),
    ] {
        let (st, v) = file(&app, &app.market, body).await;
        assert_eq!(st, 422, "{field}: {v}");
        assert_eq!(v["error"]["field"], field, "{v}");
    }
    assert_eq!(app.count("pushes").await, pushes);
    assert_eq!(app.count("credit_records").await, 0);
    let (st, v) = file(&app, &app.market, &ok).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["credit"]["decision_no"], "高市监异〔2026〕1号");
    assert_eq!(app.count("credit_records").await, 1);
    app.finish().await;
}

async fn only_a_supervising_department_files_credit_status(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let body = credit_push("dishonest", "高法失〔2026〕9号", "2026-11-01", None);
    // Nobody supervises a licence of the holder yet.
    let (st, v) = file(&app, &app.market, &body).await;
    assert_eq!(st, 403, "{v}");
    app.push(&["market"]).await;
    // Health supervises none of its licences: the same answer as for a holder with none.
    let (st, v) = file(&app, &app.health, &body).await;
    assert_eq!(st, 403, "{v}");
    // The bureau and the oversight roles do not push supervision information at all.
    for c in [&app.approval, &app.supervisor] {
        let (st, _) = file(&app, c, &body).await;
        assert_eq!(st, 403);
    }
    assert_eq!(app.count("credit_records").await, 0);
    let (st, v) = file(&app, &app.market, &body).await;
    assert_eq!(st, 201, "{v}");
    // Health may not read the holder either; market and the bureau may.
    assert_eq!(refused_status(app.health.counterparty(HOLDER).await), 404);
    assert_eq!(refused_status(app.health.admission(HOLDER).await), 404);
    assert_eq!(
        app.market.admission(HOLDER).await.unwrap().admission,
        Admission::Strict
    );
    app.finish().await;
}

async fn admission_of(app: &TestApp) -> AdmissionAnswer {
    app.approval.admission(HOLDER).await.unwrap()
}

async fn admission_follows_the_listings_and_guards_approval_pushes(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // A holder the register does not know is normal.
    assert_eq!(admission_of(&app).await.admission, Admission::Normal);
    app.push(&["market"]).await;
    assert_eq!(admission_of(&app).await.reasons, vec![]);

    // 经营异常名录 → restricted.
    let (st, v) = file(
        &app,
        &app.market,
        &credit_push(
            "abnormal_operation",
            "高市监异〔2026〕7号",
            "2026-11-20",
            None,
        ),
    )
    .await;
    assert_eq!(st, 201, "{v}");
    // The bureau's delivery of the listing carries the regime it leaves the holder under.
    assert_eq!(v["deliveries"][0]["admission"], "restricted", "{v}");
    let a = admission_of(&app).await;
    assert_eq!(a.admission, Admission::Restricted);
    assert_eq!(a.reasons[0].decision_no, "高市监异〔2026〕7号");

    // Without an acknowledgement: 409 naming the record, nothing written.
    let pushes = app.count("pushes").await;
    let histories = app.count("license_history").await;
    let e = app
        .approval
        .create_approval_push(&approval_push(&["market"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.status().unwrap(), 409);
    assert_eq!(e.code(), Some("admission_required"));
    assert!(e.to_string().contains("高市监异〔2026〕7号"), "{e}");
    let mut strict = approval_push(&["market"]);
    strict.admission = Some(AdmissionAck {
        mode: AdmissionMode::Strict,
        reason: "严格准入".into(),
    });
    let e = app
        .approval
        .create_approval_push(&strict, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("admission_mismatch"));
    assert_eq!(app.count("pushes").await, pushes);
    assert_eq!(app.count("license_history").await, histories);

    // With it: 201, stored in the push and shown to the recipient.
    let mut ok = approval_push(&["market"]);
    ok.admission = Some(AdmissionAck {
        mode: AdmissionMode::Restricted,
        reason: "不适用告知承诺，不予容缺受理".into(),
    });
    let push = app.approval.create_approval_push(&ok, None).await.unwrap();
    assert_eq!(
        push.deliveries[0].admission,
        Some(AdmissionMode::Restricted)
    );
    let seen: Push = app
        .market
        .get(&format!("/api/v1/pushes/{}", push.id))
        .await
        .unwrap();
    match &seen.content {
        PushContent::Approval(a) => assert_eq!(a.admission, ok.admission),
        other => panic!("{other:?}"),
    }
    let d = app.market.delivery(push.deliveries[0].id).await.unwrap();
    assert_eq!(d.delivery.admission, Some(AdmissionMode::Restricted));

    // 严重失信 → strict; then cleared → normal (an acknowledgement is then refused).
    let (st, v) = file(
        &app,
        &app.market,
        &credit_push("dishonest", "高法失〔2026〕3号", "2026-11-21", None),
    )
    .await;
    assert_eq!(st, 201);
    assert_eq!(v["deliveries"][0]["admission"], "strict", "{v}");
    let a = admission_of(&app).await;
    assert_eq!(a.admission, Admission::Strict);
    assert_eq!(a.reasons.len(), 2);
    assert_eq!(a.reasons[0].status, CreditStatus::Dishonest);
    let e = app
        .approval
        .create_approval_push(&ok, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("admission_mismatch"));
    assert!(e.to_string().contains("高法失〔2026〕3号"), "{e}");
    app.approval
        .create_approval_push(&strict, None)
        .await
        .unwrap();
    let (st, v) = file(
        &app,
        &app.market,
        &credit_push("cleared", "高市监移〔2026〕2号", "2026-11-26", None),
    )
    .await;
    assert_eq!(st, 201);
    assert!(v["deliveries"][0].get("admission").is_none(), "{v}");
    assert_eq!(
        admission_of(&app).await,
        AdmissionAnswer {
            admission: Admission::Normal,
            reasons: vec![]
        }
    );
    let e = app
        .approval
        .create_approval_push(&strict, None)
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("admission_not_required"));
    app.approval
        .create_approval_push(&approval_push(&["market"]), None)
        .await
        .unwrap();

    // A penalty with the counterparty is recorded against the holder.
    let mut pen = credit_push("dishonest", "x", "2026-11-01", None);
    pen.as_object_mut().unwrap().remove("credit");
    pen["category"] = json!("penalty");
    pen["penalty"] = json!({"kind": "suspend_operation", "decision_no": "高市监罚〔2026〕5号", "decision_date": "2026-11-25"});
    pen["related_license_no"] = json!("JY13703220000001");
    let (st, v) = file(&app, &app.market, &pen).await;
    assert_eq!(st, 201, "{v}");

    // The holder's view: standing, history with sources, licences.
    let view = app.market.counterparty(HOLDER).await.unwrap();
    assert_eq!(view.admission, Admission::Normal);
    assert_eq!(view.name, "高青县示例餐饮有限公司");
    let records: Vec<_> = view.credit.iter().map(|r| (r.status, r.in_force)).collect();
    assert_eq!(
        records,
        [
            (CreditStatus::AbnormalOperation, false),
            (CreditStatus::Dishonest, false),
            (CreditStatus::Cleared, false)
        ]
    );
    assert!(
        view.credit
            .iter()
            .all(|r| r.department == "market" && r.push_id > 0)
    );
    assert_eq!(view.penalties.len(), 1);
    assert_eq!(view.penalties[0].decision_no, "高市监罚〔2026〕5号");
    assert_eq!(
        view.penalties[0].license_no.as_deref(),
        Some("JY13703220000001")
    );
    assert_eq!(view.licenses.len(), 1);
    assert_eq!(view.licenses[0].license_no, "JY13703220000001");
    // Another holder's licence of market is in its own view, not this one.
    let other = licence_push("JY-OTHER", 5, "戊公司", &["market"]);
    app.approval
        .create_approval_push(&other, None)
        .await
        .unwrap();
    assert_eq!(
        app.market
            .counterparty(HOLDER)
            .await
            .unwrap()
            .licenses
            .len(),
        1
    );
    assert_eq!(
        refused_status(app.market.counterparty("91350100M000100Y4X").await),
        404
    );

    // Two acknowledgements in November, counted for the bureau.
    let stats = app.duty.monthly_stats("2026-11").await.unwrap();
    let line = |code: &str| {
        stats
            .departments
            .iter()
            .find(|d| d.department == code)
            .unwrap()
            .clone()
    };
    assert_eq!(line("approval").admission_acknowledgements, 2);
    assert_eq!(line("market").admission_acknowledgements, 0);
    app.finish().await;
}
