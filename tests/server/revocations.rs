//! A supervision department reports a broken commitment or false materials (art. 8 para 4):
//! the approval is revoked and the decision pushed to every department that supervises the
//! licence — the same revocation as a failed re-verification.

use reqwest::Method;
use serde_json::json;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;
use crate::verifications::{commit, duties, result, task_of, verified_item};

both_backends!(a_reported_breach_revokes_the_approval);

fn breach(license: Option<&str>, kind: &str) -> String {
    let mut b = json!({
        "category": "penalty", "title": "虚假承诺", "body": "现场检查发现申请人未按承诺设置消毒间",
        "penalty": {"kind": "other", "decision_no": "高市监罚〔2026〕12号", "decision_date": "2026-11-26"},
        "commitment_breach": kind,
    });
    if let Some(l) = license {
        b["related_license_no"] = json!(l);
    }
    b.to_string()
}

async fn a_reported_breach_revokes_the_approval(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let item = verified_item(&app).await;
    let push = commit(
        &app,
        item.id,
        "WS100",
        "2026-11-26",
        "2026-11-30",
        &["market", "health"],
    )
    .await;
    let task = task_of(&app, &push).await;
    let market = app.market.token().unwrap().to_string();
    let url = "/api/v1/supervision-pushes";
    let pushes = app.count("pushes").await;
    // Refused, nothing written: no licence named; a licence without a task; a department
    // that does not supervise the licence; an unknown kind of breach.
    for (token, body, status, field) in [
        (
            market.clone(),
            breach(None, "false_materials"),
            422,
            "related_license_no",
        ),
        (
            market.clone(),
            breach(Some("NOPE"), "false_materials"),
            422,
            "related_license_no",
        ),
        (
            market.clone(),
            breach(Some("WS100"), "lied"),
            422,
            "commitment_breach",
        ),
    ] {
        let (s, err) = app
            .request(Method::POST, url, Some(&token), Some(&body))
            .await;
        assert_eq!(s, status, "{body} → {err}");
        assert_eq!(err["error"]["field"], field, "{err}");
    }
    let emergency = create_user(
        &app.admin,
        "yingji1",
        Role::SupervisionStaff,
        Some("emergency"),
    )
    .await;
    let (emergency, _) = login_token(&app.anon, &emergency.username).await;
    let outsider = emergency.token().unwrap().to_string();
    let (s, err) = app
        .request(
            Method::POST,
            url,
            Some(&outsider),
            Some(&breach(Some("WS100"), "broken_commitment")),
        )
        .await;
    assert_eq!(
        (s, err["error"]["field"].clone()),
        (422, json!("related_license_no")),
        "{err}"
    );
    assert_eq!(app.count("pushes").await, pushes);
    // market reports false materials: its push reaches the bureau, and the approval is revoked.
    let (s, reported) = app
        .request(
            Method::POST,
            url,
            Some(&market),
            Some(&breach(Some("WS100"), "false_materials")),
        )
        .await;
    assert_eq!(s, 201, "{reported}");
    let revoked: VerificationTask = app
        .approval
        .get(&format!("/api/v1/verifications/{}", task.id))
        .await
        .unwrap();
    assert_eq!(revoked.state, VerificationState::Revoked);
    let rev = revoked.revocation.expect("revocation");
    assert_eq!(rev.reason, RevocationReason::FalseMaterials);
    assert_eq!(rev.reported_by_push_id, reported["id"].as_i64());
    // The open verification duty is withdrawn (nothing left to verify).
    assert_eq!(
        duties(&app.approval, "verification").await[0].state,
        DutyState::Cancelled
    );
    // The decision: a delivery to market and to health.
    let decision: Push = app
        .health
        .get(&format!("/api/v1/pushes/{}", rev.push_id))
        .await
        .unwrap();
    let mut to: Vec<&str> = decision
        .deliveries
        .iter()
        .map(|d| d.department.as_str())
        .collect();
    to.sort();
    assert_eq!(to, ["health", "market"]);
    assert!(matches!(
        &decision.content,
        PushContent::Revocation(r) if r.revocation_reason == RevocationReason::FalseMaterials
    ));
    // The register: the licence is revoked, its history names the decision, and the holder's
    // record notes the false commitment (虚假承诺), seen by a supervising department too.
    let license = app.market.license("WS100").await.unwrap();
    assert_eq!(license.state, LicenseState::Revoked);
    let history = license.history.expect("history");
    // The licence's whole life: the approval, the commitment to be verified, the revocation.
    let events: Vec<&str> = history.iter().map(|h| h.event.as_str()).collect();
    assert_eq!(events, ["approved", "commitment", "revoked"], "{history:?}");
    let last = history.last().expect("a history line");
    assert_eq!(
        (last.event.as_str(), last.state, last.push_id),
        ("revoked", LicenseState::Revoked, Some(rev.push_id))
    );
    let holder = app.market.counterparty(&license.holder_code).await.unwrap();
    assert!(
        holder
            .penalties
            .iter()
            .any(|p| p.kind == PenaltyKind::RevokeLicense && p.decision_no.contains("虚假承诺")),
        "{:?}",
        holder.penalties
    );
    // Reporting again: the approval is already revoked (409), nothing written.
    let pushes = app.count("pushes").await;
    let (s, err) = app
        .request(
            Method::POST,
            url,
            Some(&market),
            Some(&breach(Some("WS100"), "broken_commitment")),
        )
        .await;
    assert_eq!(s, 409, "{err}");
    assert_eq!(app.count("pushes").await, pushes);
    // And the bureau cannot verify a revoked task.
    let r = result(&app.approval, task.id, VerificationOutcome::Pass, None, &[]).await;
    assert_eq!(refused_status(r), 409);
    app.finish().await;
}
