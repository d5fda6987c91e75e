//! Legacy cases (art. 13): the whole path opinion → rectification → verification (fail, then
//! pass) → decision, each step's owner and deadline as a duty, steps out of order refused
//! with nothing written, and only the two parties see a case.

use reqwest::Method;
use serde_json::json;
use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;

both_backends!(
    racing_steps_one_wins,
    full_path_with_a_failed_verification,
    no_rectification_goes_straight_to_the_decision,
    bad_cases_and_wrong_steps_write_nothing,
);

pub fn case(department: &str) -> NewLegacyCase {
    NewLegacyCase {
        title: "示例食品有限公司 2015 年许可遗留问题".into(),
        description: "原许可时厂区布局与现行标准不符，需出具审核意见。".into(),
        department: department.into(),
        licence_no: Some("SC10637032200001".into()),
        holder: Some("高青县示例食品有限公司".into()),
    }
}

async fn legacy_duties(who: &Client, kind: &str) -> Vec<Duty> {
    let page: Page<Duty> = who
        .get(&format!(
            "/api/v1/duties?kind={kind}&state=open,overdue,done,done_late,lapsed,cancelled"
        ))
        .await
        .unwrap();
    page.items
}

fn verification(pass: bool, findings: &str) -> LegacyVerification {
    LegacyVerification {
        outcome: if pass {
            VerificationOutcome::Pass
        } else {
            VerificationOutcome::Fail
        },
        findings: findings.into(),
    }
}

async fn full_path_with_a_failed_verification(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Opened Thu 26 Nov 10:00: market owes its opinion in 10 working days → 11 Dec 00:00.
    let c = app
        .approval
        .open_legacy_case(&case("market"))
        .await
        .unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingOpinion);
    assert_eq!(c.owner.as_deref(), Some("market"));
    assert_eq!(c.due, Some(at("2026-12-11T00:00:00+08:00")));
    assert_eq!(c.bureau, "approval");
    let d = legacy_duties(&app.market, "legacy_opinion").await;
    assert_eq!(
        (d.len(), d[0].subject_id, d[0].state),
        (1, c.id, DutyState::Open)
    );

    // The decision before the opinion, the verification before any rectification: 409.
    let early = app
        .approval
        .legacy_decision(
            c.id,
            &LegacyDecision {
                decision: "予以处理".into(),
                decision_no: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(early.code(), Some("wrong_state"));
    // Only the department gives the opinion.
    let opinion = LegacyOpinion {
        body: "需整改：厂区布局调整后方可处理。".into(),
        rectification_required: true,
    };
    assert_eq!(
        refused_status(app.approval.legacy_opinion(c.id, &opinion).await),
        403
    );
    let c = app.market.legacy_opinion(c.id, &opinion).await.unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingRectification);
    assert_eq!(c.rectification_required, Some(true));
    // The holder must act: no department owns the step and there is no deadline.
    assert_eq!((c.owner.as_deref(), c.due), (None, None));
    assert_eq!(
        legacy_duties(&app.market, "legacy_opinion").await[0].state,
        DutyState::Done
    );
    let twice = app
        .market2
        .legacy_opinion(c.id, &opinion)
        .await
        .unwrap_err();
    assert_eq!(twice.code(), Some("wrong_state"));

    // The bureau records the holder's rectification; market owes its verification.
    app.set_clock("2026-11-27T10:00:00+08:00").await;
    let c = app
        .approval
        .legacy_rectification(c.id, "已按要求调整厂区布局。")
        .await
        .unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingVerification);
    assert_eq!(c.owner.as_deref(), Some("market"));
    assert_eq!(c.due, Some(at("2026-12-12T00:00:00+08:00")));
    // Verification fails: back to rectification, the verification duty done.
    let c = app
        .market
        .legacy_verification(c.id, &verification(false, "仍有交叉污染风险。"))
        .await
        .unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingRectification);
    // This time the department records it; the second verification passes.
    let c = app
        .market
        .legacy_rectification(c.id, "增设隔离间。")
        .await
        .unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingVerification);
    assert_eq!(
        refused_status(
            app.approval
                .legacy_verification(c.id, &verification(true, "合格"))
                .await
        ),
        403
    );
    let c = app
        .market
        .legacy_verification(c.id, &verification(true, "核验合格。"))
        .await
        .unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingDecision);
    assert_eq!(c.owner.as_deref(), Some("approval"));
    let v = legacy_duties(&app.market, "legacy_verification").await;
    assert_eq!(v.len(), 2);
    assert!(v.iter().all(|d| d.state == DutyState::Done), "{v:?}");

    // The bureau decides; the case is closed and its history complete.
    let decision = LegacyDecision {
        decision: "依法补办许可变更手续。".into(),
        decision_no: Some("高审管〔2026〕12号".into()),
    };
    assert_eq!(
        refused_status(app.market.legacy_decision(c.id, &decision).await),
        403
    );
    let c = app.approval.legacy_decision(c.id, &decision).await.unwrap();
    assert_eq!(c.state, LegacyCaseState::Decided);
    assert_eq!((c.owner, c.due), (None, None));
    let steps: Vec<LegacyStep> = c.history.iter().map(|h| h.step).collect();
    use LegacyStep::*;
    assert_eq!(
        steps,
        [
            Opened,
            Opinion,
            Rectification,
            Verification,
            Rectification,
            Verification,
            Decision
        ]
    );
    assert_eq!(c.history[3].outcome.as_deref(), Some("fail"));
    assert_eq!(c.history[4].department, "market");
    assert_eq!(c.history[6].outcome.as_deref(), Some("高审管〔2026〕12号"));
    assert_eq!(
        legacy_duties(&app.approval, "legacy_decision").await[0].state,
        DutyState::Done
    );
    let again = app
        .approval
        .legacy_decision(c.id, &decision)
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("wrong_state"));

    // The parties see the history (the other party's people unnamed); health does not.
    let seen = app.market.legacy_case(c.id).await.unwrap();
    assert_eq!(seen.history.len(), 7);
    assert_eq!(seen.history[0].by, None);
    assert_eq!(seen.history[1].by.as_deref(), Some("market1"));
    assert_eq!(refused_status(app.health.legacy_case(c.id).await), 404);
    assert_eq!(
        refused_status(app.health.legacy_rectification(c.id, "x").await),
        404
    );
    assert!(
        app.health
            .legacy_cases(None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        app.market
            .legacy_cases(Some("decided"))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(app.supervisor.legacy_case(c.id).await.unwrap().id, c.id);
    // One event per step.
    assert_eq!(app.count("events WHERE kind LIKE 'legacy_case.%'").await, 7);
    app.finish().await;
}

async fn no_rectification_goes_straight_to_the_decision(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let c = app
        .approval
        .open_legacy_case(&case("health"))
        .await
        .unwrap();
    let opinion = LegacyOpinion {
        body: "无需整改，可依法处理。".into(),
        rectification_required: false,
    };
    let c = app.health.legacy_opinion(c.id, &opinion).await.unwrap();
    assert_eq!(c.state, LegacyCaseState::AwaitingDecision);
    assert_eq!(c.owner.as_deref(), Some("approval"));
    assert_eq!(c.due, Some(at("2026-12-11T00:00:00+08:00")));
    // No rectification is expected now.
    let r = app
        .approval
        .legacy_rectification(c.id, "x")
        .await
        .unwrap_err();
    assert_eq!(r.code(), Some("wrong_state"));
    // The decision is late: overdue at its deadline, with a ledger record; still owed.
    app.set_clock("2026-12-11T00:00:00+08:00").await;
    let d = legacy_duties(&app.approval, "legacy_decision").await;
    assert_eq!(d[0].state, DutyState::Overdue);
    let c = app
        .approval
        .legacy_decision(
            c.id,
            &LegacyDecision {
                decision: "予以确认。".into(),
                decision_no: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(c.state, LegacyCaseState::Decided);
    let d = legacy_duties(&app.approval, "legacy_decision").await;
    assert_eq!(d[0].state, DutyState::DoneLate);
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    assert_eq!(
        ledger
            .iter()
            .filter(|r| r.rule == "legacy_decision_overdue")
            .count(),
        1,
        "{ledger:?}"
    );
    app.finish().await;
}

async fn bad_cases_and_wrong_steps_write_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let token = app.approval.token().unwrap().to_string();
    let good = json!({"title": "遗留问题", "description": "说明", "department": "market"});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let mut no_title = good.clone();
    no_title.as_object_mut().unwrap().remove("title");
    for (body, field) in [
        (no_title, "title"),
        (with("description", json!(" ")), "description"),
        (with("department", json!("nowhere")), "department"),
        (with("department", json!("approval")), "department"),
        (with("licence_no", json!("")), "licence_no"),
    ] {
        let (status, err) = app
            .request(
                Method::POST,
                "/api/v1/legacy-cases",
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(status, 422, "{body} → {err}");
        assert_eq!(err["error"]["field"].as_str(), Some(field), "{body}");
    }
    // Only the bureau opens a case.
    assert_eq!(
        refused_status(app.market.open_legacy_case(&case("market")).await),
        403
    );
    assert_eq!(app.count("legacy_cases").await, 0);
    assert_eq!(app.count("duties").await, 0);

    let c = app
        .approval
        .open_legacy_case(&case("market"))
        .await
        .unwrap();
    let steps = app.count("legacy_case_steps").await;
    let (status, err) = app
        .request(
            Method::POST,
            &format!("/api/v1/legacy-cases/{}/opinion", c.id),
            Some(app.market.token().unwrap()),
            Some(r#"{"body": "意见"}"#),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("rectification_required"))
    );
    let (status, err) = app
        .request(
            Method::POST,
            &format!("/api/v1/legacy-cases/{}/verification", c.id),
            Some(app.market.token().unwrap()),
            Some(r#"{"outcome": "maybe", "findings": "x"}"#),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("outcome"))
    );
    // Out of order: a verification and a rectification before the opinion.
    let v = app
        .market
        .legacy_verification(c.id, &verification(true, "合格"))
        .await
        .unwrap_err();
    assert_eq!(v.code(), Some("wrong_state"));
    let r = app
        .market
        .legacy_rectification(c.id, "整改")
        .await
        .unwrap_err();
    assert_eq!(r.code(), Some("wrong_state"));
    assert_eq!(app.count("legacy_case_steps").await, steps);
    assert_eq!(app.count("duties").await, 1);
    let now = app.market.legacy_case(c.id).await.unwrap();
    assert_eq!(now.state, LegacyCaseState::AwaitingOpinion);
    app.finish().await;
}

/// Two people of the department give the opinion at once: one is taken, the other is a
/// clean 409, and the history has one opinion.
async fn racing_steps_one_wins(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let c = app
        .approval
        .open_legacy_case(&case("market"))
        .await
        .unwrap();
    let opinion = |required| LegacyOpinion {
        body: "意见".into(),
        rectification_required: required,
    };
    let (o1, o2) = (opinion(true), opinion(false));
    let (a, b2) = tokio::join!(
        app.market.legacy_opinion(c.id, &o1),
        app.market2.legacy_opinion(c.id, &o2)
    );
    let oks = [a.is_ok(), b2.is_ok()].iter().filter(|x| **x).count();
    assert_eq!(oks, 1, "{a:?} {b2:?}");
    let err = a.err().or(b2.err()).unwrap();
    assert_eq!(err.code(), Some("wrong_state"));
    let now = app.approval.legacy_case(c.id).await.unwrap();
    let opinions = now
        .history
        .iter()
        .filter(|h| h.step == LegacyStep::Opinion)
        .count();
    assert_eq!(opinions, 1);
    app.finish().await;
}
