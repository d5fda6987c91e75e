//! Verification of commitments (art. 8): the deadline by the calendar (across 春节, past
//! the published years and corrected on import), pass, fail → rectification → revocation,
//! the ledger record of an overdue verification, invalid transitions, visibility.

use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;

both_backends!(
    verification_deadline_across_spring_festival,
    verification_deadline_past_published_year_is_corrected_on_import,
    pass_closes_the_duty_and_a_second_result_is_refused,
    failing_twice_revokes_and_pushes_the_decision_to_every_supervisor,
    overdue_verification_is_a_ledger_record,
    racing_results_give_one_success_and_one_conflict,
);

pub async fn verified_item(app: &TestApp) -> CatalogueItem {
    catalogue_item(
        &app.approval,
        "XY-V",
        VerificationMode::PostVerification,
        &["market", "health"],
    )
    .await
}

/// A notify-and-commit approval of `item` signed on `day`, compliance committed for `compliance`.
pub async fn commit(
    app: &TestApp,
    item: i64,
    license_no: &str,
    day: &str,
    compliance: &str,
    to: &[&str],
) -> Push {
    let mut p = approval_push(to);
    p.mode = PushMode::NotifyCommit;
    p.license_no = license_no.into();
    p.license_date = day.parse().unwrap();
    p.catalogue_item_id = Some(item);
    p.commitment_letter = Some(CommitmentLetter {
        content: "申请人承诺按期达到审批条件".into(),
        signed_on: day.parse().unwrap(),
        compliance_date: Some(compliance.parse().unwrap()),
    });
    app.approval.create_approval_push(&p, None).await.unwrap()
}

pub async fn task_of(app: &TestApp, push: &Push) -> VerificationTask {
    let page: Page<VerificationTask> = app.supervisor.get("/api/v1/verifications").await.unwrap();
    page.items
        .into_iter()
        .find(|t| t.push_id == push.id)
        .expect("the push opened a task")
}

pub async fn result(
    who: &Client,
    id: i64,
    outcome: VerificationOutcome,
    findings: Option<&str>,
    departments: &[&str],
) -> shenguan::client::Result<VerificationTask> {
    who.post(
        &format!("/api/v1/verifications/{id}/result"),
        &NewVerificationResult {
            outcome,
            findings: findings.map(Into::into),
            departments: departments.iter().map(|d| d.to_string()).collect(),
            round: None,
        },
    )
    .await
}

pub async fn duties(who: &Client, kind: &str) -> Vec<Duty> {
    let page: Page<Duty> = who
        .get(&format!(
            "/api/v1/duties?kind={kind}&state=open,overdue,done,done_late,lapsed,cancelled"
        ))
        .await
        .unwrap();
    page.items
}

/// Compliance committed for Tuesday 10 February 2026: ten working days run through the
/// Spring Festival (15–23 Feb off, 14 and 28 Feb worked) to Monday 2 March.
async fn verification_deadline_across_spring_festival(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-02-09T10:00:00+08:00").await;
    let item = verified_item(&app).await;
    let push = commit(
        &app,
        item.id,
        "WS001",
        "2026-02-09",
        "2026-02-10",
        &["market"],
    )
    .await;
    let task = task_of(&app, &push).await;
    assert_eq!(task.due, at("2026-03-03T00:00:00+08:00"));
    assert!(!task.provisional);
    assert_eq!(task.state, VerificationState::Open);
    assert_eq!(task.license_no, "WS001");
    assert_eq!(task.department, "approval");
    assert_eq!(task.supervising, ["market"]);
    // The bureau's duty: the same deadline, counted from the compliance date, re-derivable.
    let d = duties(&app.approval, "verification").await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].subject_id, task.id);
    assert_eq!(d[0].due, task.due);
    assert_eq!(d[0].origin_at, at("2026-02-10T00:00:00+08:00"));
    assert_eq!(d[0].state, DutyState::Open);
    app.finish().await;
}

/// Compliance on 24 December 2026, 2027 unpublished: provisional, 元旦 1 January known; the
/// 2027 notice (1–4 January off) moves it later and makes it lawful.
async fn verification_deadline_past_published_year_is_corrected_on_import(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let item = verified_item(&app).await;
    let push = commit(
        &app,
        item.id,
        "WS002",
        "2026-11-26",
        "2026-12-24",
        &["market"],
    )
    .await;
    let task = task_of(&app, &push).await;
    assert!(task.provisional);
    assert_eq!(task.due, at("2027-01-09T00:00:00+08:00"));
    let _: CalendarInfo = app
        .admin
        .post(
            "/api/v1/calendar/years",
            &crate::calendar_lifecycle::notice_2027(),
        )
        .await
        .unwrap();
    let task = task_of(&app, &push).await;
    assert!(!task.provisional);
    assert_eq!(task.due, at("2027-01-12T00:00:00+08:00"));
    let d = duties(&app.approval, "verification").await;
    assert_eq!(d[0].due, at("2027-01-12T00:00:00+08:00"));
    app.finish().await;
}

async fn pass_closes_the_duty_and_a_second_result_is_refused(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let item = verified_item(&app).await;
    let push = commit(
        &app,
        item.id,
        "WS003",
        "2026-11-26",
        "2026-11-30",
        &["market"],
    )
    .await;
    let task = task_of(&app, &push).await;
    // Visibility: the supervising department and the roles that see all; others 404.
    let _: VerificationTask = app
        .market
        .get(&format!("/api/v1/verifications/{}", task.id))
        .await
        .unwrap();
    let _: VerificationTask = app
        .duty
        .get(&format!("/api/v1/verifications/{}", task.id))
        .await
        .unwrap();
    let hidden = app
        .health
        .get::<VerificationTask>(&format!("/api/v1/verifications/{}", task.id))
        .await;
    assert_eq!(refused_status(hidden), 404);
    let health_list: Page<VerificationTask> =
        app.health.get("/api/v1/verifications").await.unwrap();
    assert!(health_list.items.is_empty());
    let market_list: Page<VerificationTask> = app
        .market
        .get("/api/v1/verifications?state=open")
        .await
        .unwrap();
    assert_eq!(market_list.items.len(), 1);
    // Only the bureau records; health cannot even see it.
    let r = result(&app.market, task.id, VerificationOutcome::Pass, None, &[]).await;
    assert_eq!(refused_status(r), 403);
    let r = result(&app.health, task.id, VerificationOutcome::Pass, None, &[]).await;
    assert_eq!(refused_status(r), 404);
    let r = result(
        &app.approval,
        task.id,
        VerificationOutcome::Pass,
        None,
        &["nowhere"],
    )
    .await;
    assert_eq!(refused_status(r), 422);
    // Pass, with the department that took part.
    app.set_clock("2026-12-01T10:00:00+08:00").await;
    let done = result(
        &app.approval,
        task.id,
        VerificationOutcome::Pass,
        None,
        &["market"],
    )
    .await
    .unwrap();
    assert_eq!(done.state, VerificationState::Passed);
    assert_eq!(done.results.len(), 1);
    assert_eq!(done.results[0].departments, ["market"]);
    assert_eq!(done.results[0].round, 1);
    assert_eq!(done.results[0].recorded_by, "shenpi1");
    let d = duties(&app.approval, "verification").await;
    assert_eq!(d[0].state, DutyState::Done);
    // To the supervising department the bureau's name stands for its staff.
    let seen: VerificationTask = app
        .market
        .get(&format!("/api/v1/verifications/{}", task.id))
        .await
        .unwrap();
    assert_eq!(seen.results[0].recorded_by, "行政审批服务局");
    // Verifying a passed task: 409, nothing written.
    let again = result(
        &app.approval,
        task.id,
        VerificationOutcome::Fail,
        Some("又发现问题"),
        &[],
    )
    .await;
    assert_eq!(refused_status(again), 409);
    assert_eq!(app.count("verification_results").await, 1);
    let passed: Page<VerificationTask> = app
        .approval
        .get("/api/v1/verifications?state=passed")
        .await
        .unwrap();
    assert_eq!(passed.items.len(), 1);
    let bad = app
        .approval
        .get::<Page<VerificationTask>>("/api/v1/verifications?state=done")
        .await;
    assert_eq!(refused_status(bad), 400);
    app.finish().await;
}

async fn failing_twice_revokes_and_pushes_the_decision_to_every_supervisor(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let item = verified_item(&app).await;
    let push = commit(
        &app,
        item.id,
        "WS004",
        "2026-11-26",
        "2026-11-27",
        &["market", "health"],
    )
    .await;
    let task = task_of(&app, &push).await;
    // A failure needs findings.
    let r = result(&app.approval, task.id, VerificationOutcome::Fail, None, &[]).await;
    assert_eq!(refused_status(r), 422);
    assert_eq!(app.count("verification_results").await, 0);
    // Fail on Tuesday 1 December: rectification, re-verification due 10 working days later.
    app.set_clock("2026-12-01T10:00:00+08:00").await;
    let failed = result(
        &app.approval,
        task.id,
        VerificationOutcome::Fail,
        Some("消毒间未设置"),
        &["health"],
    )
    .await
    .unwrap();
    assert_eq!(failed.state, VerificationState::Rectifying);
    assert_eq!(
        failed.rectification_due,
        Some(at("2026-12-16T00:00:00+08:00"))
    );
    let v = duties(&app.approval, "verification").await;
    assert_eq!(v[0].state, DutyState::Done);
    let r = duties(&app.approval, "reverification").await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].state, DutyState::Open);
    assert_eq!(r[0].due, at("2026-12-16T00:00:00+08:00"));
    // Fail again: revoked; the decision is delivered to market and health.
    let pushes_before = app.count("pushes").await;
    app.set_clock("2026-12-10T10:00:00+08:00").await;
    let revoked = result(
        &app.approval,
        task.id,
        VerificationOutcome::Fail,
        Some("仍未整改"),
        &["health"],
    )
    .await
    .unwrap();
    assert_eq!(revoked.state, VerificationState::Revoked);
    assert_eq!(revoked.results.len(), 2);
    let rev = revoked.revocation.clone().expect("revocation");
    assert_eq!(rev.reason, RevocationReason::ReverificationFailed);
    assert_eq!(app.count("pushes").await, pushes_before + 1);
    let decision: Push = app
        .market
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
    assert_eq!(decision.kind, PushKind::Approval);
    let PushContent::Revocation(c) = &decision.content else {
        panic!("a revocation decision: {decision:?}")
    };
    assert_eq!(c.revoked_license_no, "WS004");
    assert_eq!(c.verification_id, task.id);
    assert_eq!(c.findings.as_deref(), Some("仍未整改"));
    // Each supervising department claims it like any delivery.
    let mine = decision
        .deliveries
        .iter()
        .find(|d| d.department == "market")
        .unwrap();
    let claimed = app.market.claim(mine.id).await.unwrap();
    assert_eq!(claimed.status, DeliveryStatus::Claimed);
    let r = duties(&app.approval, "reverification").await;
    assert_eq!(r[0].state, DutyState::Done);
    // A result on a revoked task: 409, nothing written.
    let again = result(&app.approval, task.id, VerificationOutcome::Pass, None, &[]).await;
    assert_eq!(refused_status(again), 409);
    assert_eq!(app.count("verification_results").await, 2);
    // The month's statistics count the revocation.
    let stats = app.supervisor.monthly_stats("2026-12").await.unwrap();
    let bureau = stats
        .departments
        .iter()
        .find(|d| d.department == "approval")
        .unwrap();
    assert_eq!(bureau.revocations, 1);
    // The licence's whole life, as the console's lookup shows it.
    let life: Vec<String> = app
        .approval
        .license("WS004")
        .await
        .unwrap()
        .history
        .expect("history")
        .into_iter()
        .map(|h| h.event)
        .collect();
    assert_eq!(
        life,
        [
            "approved",
            "commitment",
            "verification_failed",
            "verification_failed",
            "revoked"
        ]
    );
    app.finish().await;
}

/// Nobody verifies: at the deadline the duty is overdue, with one ledger record (art. 8);
/// verifying late still closes it.
async fn overdue_verification_is_a_ledger_record(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let item = verified_item(&app).await;
    let push = commit(
        &app,
        item.id,
        "WS005",
        "2026-11-26",
        "2026-11-26",
        &["market"],
    )
    .await;
    let task = task_of(&app, &push).await;
    assert_eq!(task.due, at("2026-12-11T00:00:00+08:00"));
    app.set_clock("2026-12-10T23:59:59+08:00").await;
    assert_eq!(
        duties(&app.approval, "verification").await[0].state,
        DutyState::Open
    );
    app.set_clock("2026-12-11T00:00:00+08:00").await;
    assert_eq!(
        duties(&app.approval, "verification").await[0].state,
        DutyState::Overdue
    );
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let late: Vec<_> = ledger
        .iter()
        .filter(|r| r.rule == "verification_overdue")
        .collect();
    assert_eq!(late.len(), 1, "{ledger:?}");
    assert_eq!(late[0].article, "8");
    assert_eq!(late[0].department, "approval");
    app.set_clock("2026-12-14T10:00:00+08:00").await;
    let done = result(&app.approval, task.id, VerificationOutcome::Pass, None, &[])
        .await
        .unwrap();
    assert_eq!(done.state, VerificationState::Passed);
    assert_eq!(
        duties(&app.approval, "verification").await[0].state,
        DutyState::DoneLate
    );
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    assert_eq!(
        ledger
            .iter()
            .filter(|r| r.rule == "verification_overdue")
            .count(),
        1
    );
    app.finish().await;
}

/// Two people record the same round at once (both fail, or both pass): one wins, the other
/// is a clean 409 — a first failure never becomes a revocation — and one result is stored.
async fn racing_results_give_one_success_and_one_conflict(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let shenpi2 = create_user(&app.admin, "shenpi2", Role::ApprovalStaff, Some("approval")).await;
    let other = login(&app.anon, &shenpi2.username).await;
    let item = verified_item(&app).await;
    let body = |outcome| NewVerificationResult {
        outcome,
        findings: Some("不符".into()),
        departments: vec![],
        round: Some(1),
    };
    for (i, (license, outcome)) in [
        ("WS201", VerificationOutcome::Fail),
        ("WS202", VerificationOutcome::Pass),
        ("WS203", VerificationOutcome::Fail),
    ]
    .into_iter()
    .enumerate()
    {
        let push = commit(
            &app,
            item.id,
            license,
            "2026-11-26",
            "2026-11-27",
            &["market"],
        )
        .await;
        let task = task_of(&app, &push).await;
        let path = format!("/api/v1/verifications/{}/result", task.id);
        let req = body(outcome);
        let (a, b) = tokio::join!(
            app.approval.post::<VerificationTask, _>(&path, &req),
            other.post::<VerificationTask, _>(&path, &req),
        );
        let statuses = [
            a.as_ref().err().and_then(|e| e.status()),
            b.as_ref().err().and_then(|e| e.status()),
        ];
        let ok: Vec<&VerificationTask> = a.iter().chain(b.iter()).collect();
        assert_eq!(ok.len(), 1, "{statuses:?}");
        assert_ne!(ok[0].state, VerificationState::Revoked);
        assert!(
            statuses.iter().flatten().all(|s| s.as_u16() == 409),
            "{statuses:?}"
        );
        assert_eq!(app.count("verification_results").await, i as i64 + 1);
    }
    // Round 2 on a task in round 1 (and an impossible round) is refused.
    let push = commit(
        &app,
        item.id,
        "WS204",
        "2026-11-26",
        "2026-11-27",
        &["market"],
    )
    .await;
    let task = task_of(&app, &push).await;
    let path = format!("/api/v1/verifications/{}/result", task.id);
    let mut wrong = body(VerificationOutcome::Pass);
    wrong.round = Some(2);
    let r = app
        .approval
        .post::<VerificationTask, _>(&path, &wrong)
        .await;
    assert_eq!(refused_status(r), 409);
    wrong.round = Some(3);
    let r = app
        .approval
        .post::<VerificationTask, _>(&path, &wrong)
        .await;
    assert_eq!(refused_status(r), 422);
    app.finish().await;
}
