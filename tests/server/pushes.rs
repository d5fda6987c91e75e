use reqwest::Method;
use serde_json::json;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    push_creates_deliveries_with_legal_deadlines,
    push_validation_names_field_and_writes_nothing,
    idempotency,
    supervision_push,
    licence_without_expiry,
    idempotency_keys_and_expired_sessions_are_purged_by_age
);

async fn push_creates_deliveries_with_legal_deadlines(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Wed 30 Sep 2026 15:00: National Day 1–7 Oct; Thu 8 Oct is the 1st working day.
    app.set_clock("2026-09-30T15:00:00+08:00").await;
    let push = app.push(&["market", "health"]).await;
    assert_eq!(push.kind, PushKind::Approval);
    assert_eq!(push.source_department, "approval");
    assert_eq!(push.deliveries.len(), 2);
    for d in &push.deliveries {
        assert_eq!(d.status, DeliveryStatus::Pending);
        assert_eq!(d.received_at, at("2026-09-30T15:00:00+08:00"));
        assert_eq!(d.claim_deadline, at("2026-10-09T00:00:00+08:00"));
        assert_eq!(d.feedback_deadline, at("2026-10-09T00:00:00+08:00"));
        assert!(!d.deadline_provisional);
    }
    let codes: Vec<_> = push
        .deliveries
        .iter()
        .map(|d| d.department.as_str())
        .collect();
    assert_eq!(codes, ["market", "health"]);
    // Past the last published year the deadline is provisional.
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market"]).await;
    assert_eq!(
        push.deliveries[0].claim_deadline,
        at("2027-01-05T00:00:00+08:00")
    );
    assert!(push.deliveries[0].deadline_provisional);
    // The push reads back with every field.
    let back: Push = app
        .approval
        .get(&format!("/api/v1/pushes/{}", push.id))
        .await
        .unwrap();
    assert_eq!(back, push);
    // Other modes carry their extra documents.
    let item = catalogue_item(&app.approval, "XY-1", VerificationMode::Exempt, &["market"]).await;
    let mut p = approval_push(&["market"]);
    p.mode = PushMode::NotifyCommit;
    p.catalogue_item_id = Some(item.id);
    p.commitment_letter = Some(CommitmentLetter {
        content: "本人承诺符合条件".into(),
        signed_on: "2026-12-30".parse().unwrap(),
        compliance_date: None,
    });
    p.counterparty.credit_code = None;
    p.counterparty.id_number = Some("11010519491231002X".into());
    let push = app.approval.create_approval_push(&p, None).await.unwrap();
    let PushContent::Approval(c) = &push.content else {
        panic!("approval content")
    };
    assert_eq!(
        c.commitment_letter.as_ref().unwrap().content,
        "本人承诺符合条件"
    );
    app.finish().await;
}

async fn push_validation_names_field_and_writes_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let url = "/api/v1/approval-pushes";
    let tok = app.approval.token().unwrap().to_string();
    let good = serde_json::to_value(approval_push(&["market"])).unwrap();
    let tables = ["pushes", "deliveries", "events", "idempotency"];
    let mut before = Vec::new();
    for table in tables {
        before.push(app.count(table).await);
    }
    let with = |path: &[&str], v: serde_json::Value| {
        let mut body = good.clone();
        let mut cur = &mut body;
        for k in &path[..path.len() - 1] {
            cur = &mut cur[*k];
        }
        cur[path[path.len() - 1]] = v;
        body.to_string()
    };
    let without = |key: &str| {
        let mut body = good.clone();
        body.as_object_mut().unwrap().remove(key);
        body.to_string()
    };
    let cases: Vec<(String, u16, &str)> = vec![
        (with(&["item_name"], json!("")), 422, "item_name"),
        (
            with(
                &["counterparty", "credit_code"],
                json!("91350100M000100Y44"),
            ),
            422,
            "counterparty.credit_code",
        ),
        (
            with(&["counterparty", "credit_code"], json!("9135010")),
            422,
            "counterparty.credit_code",
        ),
        (
            with(&["counterparty", "id_number"], json!("11010519491231002X")),
            422,
            "counterparty.credit_code",
        ),
        (
            with(&["counterparty", "contact_phone"], json!("12345")),
            422,
            "counterparty.contact_phone",
        ),
        (
            with(&["license_date"], json!("2026-02-30")),
            422,
            "license_date",
        ),
        (
            with(&["license_date"], json!("2027-01-01")),
            422,
            "license_date",
        ),
        (
            with(&["valid_until"], json!("2020-01-01")),
            422,
            "valid_until",
        ),
        (with(&["valid_until"], json!("永久")), 422, "valid_until"),
        (with(&["valid_until"], json!("")), 422, "valid_until"),
        (with(&["valid_until"], json!(null)), 422, "valid_until"),
        (
            with(&["mode"], json!("notify_commit")),
            422,
            "commitment_letter",
        ),
        (
            with(&["mode"], json!("one_industry_one_license")),
            422,
            "comprehensive_license",
        ),
        (with(&["mode"], json!("fast")), 422, "mode"),
        (with(&["recipients"], json!([])), 422, "recipients"),
        (
            with(&["recipients"], json!(["nowhere"])),
            422,
            "recipients[0]",
        ),
        (
            with(&["recipients"], json!(["market", "approval"])),
            422,
            "recipients[1]",
        ),
        (
            with(&["recipients"], json!(["market", "market"])),
            422,
            "recipients[1]",
        ),
        (with(&["important"], json!("yes")), 422, "important"),
        (with(&["surprise"], json!(1)), 422, "surprise"),
        (without("license_no"), 422, "license_no"),
    ];
    for (body, status, field) in &cases {
        let (s, v) = app.request(Method::POST, url, Some(&tok), Some(body)).await;
        assert_eq!(s, *status, "{field}: {v}");
        assert_eq!(v["error"]["field"], *field, "{body}: {v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains(" / "),
            "bilingual message: {v}"
        );
    }
    // Malformed JSON, oversized bodies, wrong roles.
    let (s, v) = app
        .request(Method::POST, url, Some(&tok), Some("{\"item_name\": "))
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("bad_request")));
    let huge = with(&["item_name"], json!("x".repeat(300 * 1024)));
    let (s, _) = app
        .request(Method::POST, url, Some(&tok), Some(&huge))
        .await;
    assert_eq!(s, 413);
    let (s, _) = app
        .request(
            Method::POST,
            url,
            app.market.token(),
            Some(&good.to_string()),
        )
        .await;
    assert_eq!(s, 403, "supervision staff cannot make approval pushes");
    let (s, _) = app
        .request(
            Method::POST,
            url,
            app.supervisor.token(),
            Some(&good.to_string()),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app
        .request(Method::POST, url, None, Some(&good.to_string()))
        .await;
    assert_eq!(s, 401);
    for (table, before) in tables.iter().zip(before) {
        assert_eq!(
            app.count(table).await,
            before,
            "{table} untouched by refused requests"
        );
    }
    let (s, _) = app
        .request(Method::POST, url, Some(&tok), Some(&good.to_string()))
        .await;
    assert_eq!(s, 201);
    app.finish().await;
}

async fn idempotency(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let url = format!("{}/api/v1/approval-pushes", app.url);
    let body = serde_json::to_string(&approval_push(&["market", "health"])).unwrap();
    let send = |key: &'static str, body: String| {
        let url = url.clone();
        let tok = app.approval.token().unwrap().to_string();
        async move {
            let r = reqwest::Client::new()
                .post(&url)
                .bearer_auth(tok)
                .header("Idempotency-Key", key)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (s1, b1) = send("order-1", body.clone()).await;
    let (s2, b2) = send("order-1", body.clone()).await;
    assert_eq!((s1, s2), (201, 201));
    assert_eq!(
        b1, b2,
        "a replay answers the original response byte for byte"
    );
    assert_eq!(app.count("pushes").await, 1);
    assert_eq!(app.count("deliveries").await, 2);
    let other = serde_json::to_string(&approval_push(&["market"])).unwrap();
    let (s3, b3) = send("order-1", other).await;
    assert_eq!(s3, 422);
    assert!(b3.contains("idempotency_key_reused"));
    // Keys are per caller: another caller's same key is a different request.
    let (s4, _) = send("order-2", body.clone()).await;
    assert_eq!(s4, 201);
    assert_eq!(app.count("pushes").await, 2);
    // Concurrent retries of one key create one push.
    let futs: Vec<_> = (0..8).map(|_| send("order-3", body.clone())).collect();
    let results = futures::future::join_all(futs).await;
    let first = &results[0].1;
    for (s, b) in &results {
        assert_eq!(*s, 201, "{b}");
        assert_eq!(b, first);
    }
    assert_eq!(app.count("pushes").await, 3);
    app.finish().await;
}

async fn supervision_push(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut p = NewSupervisionPush {
        category: SupervisionCategory::Penalty,
        title: "吊销食品经营许可证".into(),
        body: "经查，该公司存在严重违法行为，依法吊销许可证。".into(),
        counterparty: None,
        related_license_no: Some("JY13703220000001".into()),
        penalty: None,
        commitment_breach: None,
        credit: None,
        important: true,
    };
    let e = app.market.create_supervision_push(&p).await.unwrap_err();
    assert_eq!(e.status().unwrap(), 422);
    assert!(
        matches!(&e, shenguan::client::ClientError::Api { body, .. } if body.error.field.as_deref() == Some("penalty")),
        "{e}"
    );
    p.penalty = Some(Penalty {
        kind: PenaltyKind::RevokeLicense,
        decision_no: "高市监罚〔2026〕12号".into(),
        decision_date: "2026-11-25".parse().unwrap(),
    });
    assert_eq!(
        refused_status(app.approval.create_supervision_push(&p).await),
        403
    );
    let push = app.market.create_supervision_push(&p).await.unwrap();
    assert_eq!(push.kind, PushKind::Supervision);
    assert_eq!(push.deliveries.len(), 1);
    let d = &push.deliveries[0];
    assert_eq!(d.department, "approval");
    assert_eq!(d.source_department, "market");
    // Thu 26 Nov 10:00 → Fri 27 is the 1st working day.
    assert_eq!(d.claim_deadline, at("2026-11-28T00:00:00+08:00"));
    // The approval bureau claims it; the pushing department cannot.
    assert_eq!(refused_status(app.market.claim(d.id).await), 403);
    let claimed = app.approval.claim(d.id).await.unwrap();
    assert_eq!(claimed.claimed_by.as_deref(), Some("shenpi1"));
    // credit_status needs a counterparty.
    p.category = SupervisionCategory::CreditStatus;
    p.penalty = None;
    let r = app.market.create_supervision_push(&p).await;
    assert_eq!(refused_status(r), 422);
    app.finish().await;
}

/// Housekeeping: an Idempotency-Key is honoured for 30 days, then its record goes (a retry
/// then makes a new push); sessions go 30 days after they expired. Records stay.
async fn idempotency_keys_and_expired_sessions_are_purged_by_age(b: Backend) {
    let Some(db) = TestDb::new(b).await else {
        return;
    };
    let app = TestApp::spawn_on(db, |url| shenguan::server::ServerConfig {
        session_ttl: std::time::Duration::from_secs(24 * 3600),
        ..test_config(url)
    })
    .await;
    let body = approval_push(&["market"]);
    let first = app
        .approval
        .create_approval_push(&body, Some("order-7"))
        .await
        .unwrap();
    // Within the retention the key replays the original push.
    app.set_clock("2026-11-26T20:00:00+08:00").await;
    let again = app
        .approval
        .create_approval_push(&body, Some("order-7"))
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    let sessions = app.count("sessions").await;
    assert!(sessions >= 7, "the seeded logins: {sessions}");
    // 32 days on: the key's record and the sessions that expired a day after login are gone
    // (the admin's request moving the clock was checked before the clock moved).
    app.set_clock("2026-12-28T10:00:00+08:00").await;
    assert_eq!(app.count("idempotency").await, 0);
    assert_eq!(app.count("sessions").await, 0);
    assert_eq!(
        app.count("pushes").await,
        1,
        "pushes are records, never purged"
    );
    let approval = login(&app.anon, "shenpi1").await;
    let later = approval
        .create_approval_push(&body, Some("order-7"))
        .await
        .unwrap();
    assert_ne!(later.id, first.id, "an expired key makes a new push");
    assert_eq!(app.count("idempotency").await, 1);
    app.finish().await;
}

/// A licence without expiry (长期) is pushed with `"valid_until": "长期"`, stored and shown as such.
async fn licence_without_expiry(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut body = serde_json::to_value(approval_push(&["market"])).unwrap();
    body["valid_until"] = json!("长期");
    let (s, v) = app
        .request(
            Method::POST,
            "/api/v1/approval-pushes",
            app.approval.token(),
            Some(&body.to_string()),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["valid_until"], "长期");
    let id = v["deliveries"][0]["id"].as_i64().unwrap();
    let (_, v) = app
        .request(
            Method::GET,
            &format!("/api/v1/deliveries/{id}"),
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(v["push"]["valid_until"], "长期", "{v}");
    // A date is still a date, and the typed client sends either.
    let mut p = approval_push(&["market"]);
    p.valid_until = "2030-12-31".parse().unwrap();
    let push = app.approval.create_approval_push(&p, None).await.unwrap();
    let PushContent::Approval(a) = &push.content else {
        panic!("approval content")
    };
    assert_eq!(a.valid_until, "2030-12-31".parse().unwrap());
    let (_, doc) = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let schema = doc["components"]["schemas"]["ValidUntil"].to_string();
    assert!(schema.contains("长期"), "{schema}");
    app.finish().await;
}
