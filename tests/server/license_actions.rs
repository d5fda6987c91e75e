//! Licence-action letters (函告, art. 7(2)3): a supervising department files a request with
//! evidence (multipart), the bureau decides, the licence's state changes and the decision is
//! delivered; a late decision is a ledger record. Uploads: `license_action_uploads.rs`.

use reqwest::Method;
use shenguan::api::*;
use shenguan::client::{BOUNDARY, Client, Upload, multipart_body};

use crate::both_backends;
use crate::common::*;
use crate::verifications::duties;

both_backends!(
    accepting_a_revocation_changes_the_licence_and_delivers_the_decision,
    rejecting_leaves_the_licence_and_deciding_twice_is_a_conflict,
    an_ended_licence_takes_no_letter,
    only_parties_see_a_letter_and_only_supervisors_file,
    a_late_decision_is_a_ledger_record,
    racing_decisions_give_one_success_and_one_conflict,
    one_pending_letter_of_a_kind_per_department_and_licence,
);

pub const NO: &str = "JY13703220000001";

pub fn pdf(len: usize) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n".to_vec();
    b.resize(len.max(9), b'x');
    b
}

pub fn upload(name: &str, media: &str, bytes: Vec<u8>) -> Upload {
    Upload {
        file_name: name.into(),
        media_type: media.into(),
        bytes,
    }
}

pub fn request(action: LicenseActionKind) -> NewLicenseAction {
    NewLicenseAction {
        license_no: NO.into(),
        action,
        basis: LicenseActionBasis {
            decision_no: Some("高市监罚〔2026〕12号".into()),
            decision_date: Some("2026-11-20".parse().unwrap()),
            facts: None,
        },
        reason: Some("违法经营，情节严重".into()),
    }
}

/// POST a raw multipart body; the status and the JSON answer.
pub async fn post_raw(app: &TestApp, who: &Client, body: Vec<u8>) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/api/v1/license-actions", app.url))
        .bearer_auth(who.token().unwrap())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

pub async fn file(
    app: &TestApp,
    who: &Client,
    r: &NewLicenseAction,
    files: &[Upload],
) -> (u16, serde_json::Value) {
    post_raw(app, who, multipart_body(BOUNDARY, r, files)).await
}

pub async fn filed(app: &TestApp, action: LicenseActionKind) -> LicenseAction {
    app.market
        .create_license_action(
            &request(action),
            &[upload("处罚决定书.pdf", "application/pdf", pdf(300))],
        )
        .await
        .unwrap()
}

fn accept() -> LicenseActionDecisionInput {
    LicenseActionDecisionInput {
        outcome: LicenseActionOutcome::Accept,
        decision_no: Some("高审批决〔2026〕3号".into()),
        decision_date: Some("2026-11-26".parse().unwrap()),
        effective_date: Some("2026-11-27".parse().unwrap()),
        reasons: None,
    }
}

fn reject(reasons: Option<&str>) -> LicenseActionDecisionInput {
    LicenseActionDecisionInput {
        outcome: LicenseActionOutcome::Reject,
        decision_no: None,
        decision_date: None,
        effective_date: None,
        reasons: reasons.map(Into::into),
    }
}

/// The letters delivered to the bureau as pushes to claim.
async fn letter_deliveries(who: &Client) -> Vec<Delivery> {
    let page: Page<Delivery> = who.get("/api/v1/deliveries").await.unwrap();
    page.items
        .into_iter()
        .filter(|d| d.title.starts_with("函告：请求"))
        .collect()
}

async fn decision_deliveries(who: &Client) -> Vec<Delivery> {
    let page: Page<Delivery> = who.get("/api/v1/deliveries").await.unwrap();
    page.items
        .into_iter()
        .filter(|d| d.title.starts_with("函告决定"))
        .collect()
}

async fn accepting_a_revocation_changes_the_licence_and_delivers_the_decision(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market", "health"]).await;
    let a = filed(&app, LicenseActionKind::Revoke).await;
    assert_eq!(a.state, LicenseActionState::Pending);
    assert_eq!(
        (a.department.as_str(), a.bureau.as_str()),
        ("market", "approval")
    );
    assert_eq!(a.evidence.len(), 1);
    let d = duties(&app.approval, "license_action_decision").await;
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].subject_id, d[0].state), (a.id, DutyState::Open));
    // The letter is delivered to the bureau as a push to claim (1 working day).
    let ds = letter_deliveries(&app.approval).await;
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert_eq!(
        (ds[0].source_department.as_str(), ds[0].push_kind),
        ("market", PushKind::Supervision)
    );
    let detail = app.approval.delivery(ds[0].id).await.unwrap();
    let PushContent::LicenseActionRequest(n) = &detail.push.content else {
        panic!("a letter push: {:?}", detail.push.content)
    };
    assert_eq!(
        (n.license_action_request_id, n.action),
        (a.id, LicenseActionKind::Revoke)
    );
    assert_eq!(n.evidence_files, 1);
    app.approval.claim(ds[0].id).await.unwrap();
    assert!(letter_deliveries(&app.health).await.is_empty());
    // Before the decision, another supervising department is no party to the letter.
    assert!(app.health.license_action(a.id).await.is_err());
    assert!(
        app.health
            .license_actions(None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let pending = app
        .approval
        .license_actions(Some(LicenseActionState::Pending))
        .await
        .unwrap();
    assert_eq!(pending.items.len(), 1);

    let done = app
        .approval
        .decide_license_action(a.id, &accept())
        .await
        .unwrap();
    assert_eq!(done.state, LicenseActionState::Accepted);
    let dec = done.decision.clone().unwrap();
    assert_eq!(dec.outcome, LicenseActionOutcome::Accept);
    assert_eq!(dec.decision_no.as_deref(), Some("高审批决〔2026〕3号"));
    let l = app.market.license(NO).await.unwrap();
    assert_eq!(l.state, LicenseState::Revoked);
    let h = l.history.unwrap();
    let last = h.last().unwrap();
    assert_eq!(
        (last.event.as_str(), last.state),
        ("revoked", LicenseState::Revoked)
    );
    assert_eq!(last.push_id, dec.push_id);
    // The decision is a delivery to the requester and to every supervising department.
    for who in [&app.market, &app.health] {
        let ds = decision_deliveries(who).await;
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(Some(ds[0].push_id), dec.push_id);
        assert_eq!(ds[0].source_department, "approval");
        assert_eq!(ds[0].status, DeliveryStatus::Pending);
        // The delivery carries the decision itself, claimed like any push.
        let detail = who.delivery(ds[0].id).await.unwrap();
        let PushContent::LicenseAction(n) = &detail.push.content else {
            panic!("a decision push: {:?}", detail.push.content)
        };
        assert_eq!(
            (n.license_action_id, n.outcome),
            (a.id, LicenseActionOutcome::Accept)
        );
        assert_eq!(n.decision_no.as_deref(), Some("高审批决〔2026〕3号"));
        who.claim(ds[0].id).await.unwrap();
    }
    // …who now see the letter.
    assert_eq!(
        app.health.license_action(a.id).await.unwrap().state,
        LicenseActionState::Accepted
    );
    assert_eq!(
        duties(&app.approval, "license_action_decision").await[0].state,
        DutyState::Done
    );
    // The month counts the letter for the requester and the bureau, by kind and outcome.
    let stats = app.duty.monthly_stats("2026-11").await.unwrap();
    let line = |code: &str| {
        stats
            .departments
            .iter()
            .find(|d| d.department == code)
            .unwrap()
            .license_actions
            .clone()
    };
    let want = vec![LicenseActionFigures {
        action: LicenseActionKind::Revoke,
        requested: 1,
        accepted: 1,
        rejected: 0,
    }];
    assert_eq!(line("market"), want);
    assert_eq!(line("approval"), want);
    assert!(line("health").is_empty());
    app.finish().await;
}

async fn rejecting_leaves_the_licence_and_deciding_twice_is_a_conflict(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market", "health"]).await;
    let a = filed(&app, LicenseActionKind::Change).await;
    let (s, v) = app
        .request(
            Method::POST,
            &format!("/api/v1/license-actions/{}/decision", a.id),
            app.approval.token(),
            Some(r#"{"outcome":"reject"}"#),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("reasons")),
        "{v}"
    );
    let (s, v) = app
        .request(
            Method::POST,
            &format!("/api/v1/license-actions/{}/decision", a.id),
            app.approval.token(),
            Some(r#"{"outcome":"accept","decision_no":"x","decision_date":"2026-11-26"}"#),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("effective_date")),
        "{v}"
    );
    let done = app
        .approval
        .decide_license_action(a.id, &reject(Some("处罚决定尚未生效")))
        .await
        .unwrap();
    assert_eq!(done.state, LicenseActionState::Rejected);
    assert_eq!(
        app.market.license(NO).await.unwrap().state,
        LicenseState::Active
    );
    assert_eq!(decision_deliveries(&app.market).await.len(), 1);
    assert!(decision_deliveries(&app.health).await.is_empty());
    let pushes = app.count("pushes").await;
    let history = app.count("license_history").await;
    for d in [accept(), reject(Some("再次"))] {
        let (s, v) = app
            .request(
                Method::POST,
                &format!("/api/v1/license-actions/{}/decision", a.id),
                app.approval.token(),
                Some(&serde_json::to_string(&d).unwrap()),
            )
            .await;
        assert_eq!(
            (s, v["error"]["code"].as_str()),
            (409, Some("license_action_decided")),
            "{v}"
        );
    }
    assert_eq!(app.count("pushes").await, pushes);
    assert_eq!(app.count("license_history").await, history);
    assert_eq!(
        app.market.license(NO).await.unwrap().state,
        LicenseState::Active
    );
    app.finish().await;
}

async fn an_ended_licence_takes_no_letter(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market"]).await;
    let a = filed(&app, LicenseActionKind::Revoke).await;
    app.approval
        .decide_license_action(a.id, &accept())
        .await
        .unwrap();
    let before = app.count("license_actions").await;
    let (s, v) = file(&app, &app.market, &request(LicenseActionKind::Revoke), &[]).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("license_ended")),
        "{v}"
    );
    assert!(
        v["error"]["message"].as_str().unwrap().contains("revoked"),
        "{v}"
    );
    let (s, _) = file(&app, &app.market, &request(LicenseActionKind::Cancel), &[]).await;
    assert_eq!(s, 409);
    assert_eq!(app.count("license_actions").await, before);
    app.finish().await;
}

async fn only_parties_see_a_letter_and_only_supervisors_file(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market"]).await;
    // Health does not supervise the licence: it is not there for it.
    let (s, _) = file(&app, &app.health, &request(LicenseActionKind::Revoke), &[]).await;
    assert_eq!(s, 404);
    // The bureau and the supervisor see it but do not file.
    for who in [&app.approval, &app.supervisor] {
        let (s, _) = file(&app, who, &request(LicenseActionKind::Revoke), &[]).await;
        assert_eq!(s, 403);
    }
    // Neither the request nor its basis may be missing.
    let mut r = request(LicenseActionKind::Withdraw);
    r.basis = LicenseActionBasis::default();
    let (s, v) = file(&app, &app.market, &r, &[]).await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("request.basis")),
        "{v}"
    );
    assert_eq!(app.count("license_actions").await, 0);
    let a = filed(&app, LicenseActionKind::Withdraw).await;
    let f = a.evidence[0].id;
    for path in [
        format!("/api/v1/license-actions/{}", a.id),
        format!("/api/v1/license-actions/{}/evidence/{f}", a.id),
    ] {
        let (s, _) = app
            .request(Method::GET, &path, app.health.token(), None)
            .await;
        assert_eq!(s, 404, "{path}");
        let (s, _) = app
            .request(Method::GET, &path, app.duty.token(), None)
            .await;
        assert_eq!(s, 200, "{path}");
    }
    // The requester may not decide its own letter.
    let (s, _) = app
        .request(
            Method::POST,
            &format!("/api/v1/license-actions/{}/decision", a.id),
            app.market.token(),
            Some(&serde_json::to_string(&accept()).unwrap()),
        )
        .await;
    assert_eq!(s, 403);
    app.finish().await;
}

/// Filed Thursday 26 November 2026 at 10:00: ten working days end on Thursday 10 December.
async fn a_late_decision_is_a_ledger_record(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market"]).await;
    let a = filed(&app, LicenseActionKind::Cancel).await;
    assert_eq!(a.due, Some(at("2026-12-11T00:00:00+08:00")));
    app.set_clock("2026-12-10T23:59:59+08:00").await;
    assert_eq!(
        duties(&app.approval, "license_action_decision").await[0].state,
        DutyState::Open
    );
    app.set_clock("2026-12-11T00:00:00+08:00").await;
    assert_eq!(
        duties(&app.approval, "license_action_decision").await[0].state,
        DutyState::Overdue
    );
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let late: Vec<_> = ledger
        .iter()
        .filter(|r| r.rule == "license_action_overdue")
        .collect();
    assert_eq!(late.len(), 1, "{ledger:?}");
    assert_eq!(
        (late[0].article.as_str(), late[0].department.as_str()),
        ("7(2)3", "approval")
    );
    // The letter's delivery was not claimed either: auto-claimed, with its own record.
    let unclaimed: Vec<_> = ledger
        .iter()
        .filter(|r| r.rule == "claim_overdue" && r.department == "approval")
        .collect();
    assert_eq!(unclaimed.len(), 1, "{ledger:?}");
    assert_eq!(
        letter_deliveries(&app.approval).await[0].status,
        DeliveryStatus::AutoClaimed
    );
    let mut d = accept();
    d.decision_date = Some("2026-12-11".parse().unwrap());
    d.effective_date = Some("2026-12-11".parse().unwrap());
    app.approval.decide_license_action(a.id, &d).await.unwrap();
    assert_eq!(
        duties(&app.approval, "license_action_decision").await[0].state,
        DutyState::DoneLate
    );
    assert_eq!(
        app.market.license(NO).await.unwrap().state,
        LicenseState::Cancelled
    );
    app.finish().await;
}

/// Two bureau staff deciding at once: one decision, one clean 409, one decision push.
async fn racing_decisions_give_one_success_and_one_conflict(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market", "health"]).await;
    let a = filed(&app, LicenseActionKind::Withdraw).await;
    let second = login(&app.anon, "shenpi1").await;
    let (yes, no) = (accept(), reject(Some("同时处理")));
    let (x, y) = tokio::join!(
        app.approval.decide_license_action(a.id, &yes),
        second.decide_license_action(a.id, &no),
    );
    let statuses: Vec<u16> = [&x, &y]
        .iter()
        .map(|r| match r {
            Ok(_) => 200,
            Err(shenguan::client::ClientError::Api { status, .. }) => status.as_u16(),
            Err(e) => panic!("{e:?}"),
        })
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [200, 409], "{x:?} {y:?}");
    let decided = app.approval.license_action(a.id).await.unwrap();
    let n = app.count("pushes").await;
    // The approval push, the letter's push, and one decision push.
    assert_eq!(n, 3);
    let want = if statuses[0] == 200 {
        LicenseState::Withdrawn
    } else {
        LicenseState::Active
    };
    assert_eq!(
        app.market.license(NO).await.unwrap().state,
        want,
        "{decided:?}"
    );
    app.finish().await;
}

/// A department files one pending letter of a kind for a licence: the same request again
/// (a double submission, or two colleagues at once) is a 409 naming the pending letter, and
/// nothing is written. Another kind, another department, or the same once decided, may file.
async fn one_pending_letter_of_a_kind_per_department_and_licence(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market", "health"]).await;
    let evidence = || [upload("处罚决定书.pdf", "application/pdf", pdf(300))];
    let first = filed(&app, LicenseActionKind::Revoke).await;
    let before = app.count("license_actions").await;
    let (s, v) = file(
        &app,
        &app.market,
        &request(LicenseActionKind::Revoke),
        &evidence(),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("letter_pending")),
        "{v}"
    );
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&first.id.to_string()),
        "{v}"
    );
    assert_eq!(app.count("license_actions").await, before);
    assert_eq!(app.count("license_action_files").await, 1);
    // Two colleagues at once: one letter.
    let change = request(LicenseActionKind::Change);
    let (ex, ey) = (evidence(), evidence());
    let (x, y) = tokio::join!(
        file(&app, &app.market, &change, &ex),
        file(&app, &app.market, &change, &ey),
    );
    let mut got = [x.0, y.0];
    got.sort();
    assert_eq!(got, [201, 409], "{x:?} {y:?}");
    // Another department files its own.
    let (s, v) = file(
        &app,
        &app.health,
        &request(LicenseActionKind::Revoke),
        &evidence(),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    // Once the bureau has decided, the department may ask again.
    app.approval
        .decide_license_action(first.id, &reject(Some("证据不足")))
        .await
        .unwrap();
    let (s, v) = file(
        &app,
        &app.market,
        &request(LicenseActionKind::Revoke),
        &evidence(),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    app.finish().await;
}
