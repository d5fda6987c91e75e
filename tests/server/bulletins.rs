//! The monthly bulletin (issue 13 parts 1–2): issued only once the month's deadlines have
//! passed, once (then corrections with a reason), frozen, and read per department.

use reqwest::Method;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    issue_refused_early_then_once_then_corrections,
    an_issued_bulletin_does_not_change,
    departments_read_their_own_records_and_cannot_issue,
    figures_of_the_fixed_month
);

/// An approval push to `recipients` with its licence dated `license_date`.
pub async fn push_licensed(app: &TestApp, recipients: &[&str], license_date: &str) -> Push {
    let mut p = approval_push(recipients);
    p.license_date = license_date.parse().unwrap();
    app.approval.create_approval_push(&p, None).await.unwrap()
}

/// The fixed November 2026 of the bulletin tests and golden exports:
/// - market: 3 received; 2 claimed by a person (1 h and 2 h), 1 auto-claimed;
/// - health: 2 received; 1 auto-claimed, 1 claimed over a weekend (18 working hours) on which
///   it opened a dispute, answered by the bureau on time;
/// - the bureau: 4 approval pushes, one of them late (licence dated a week earlier); market
///   pushes one supervision item, auto-claimed by the bureau.
///
/// Its last deadline is the dispute's answer, Wednesday 2 December 00:00.
pub async fn november(app: &TestApp) {
    app.set_clock("2026-11-23T09:00:00+08:00").await;
    push_licensed(app, &["market"], "2026-11-23").await; // auto-claimed Wed 25 00:00
    app.set_clock("2026-11-26T09:00:00+08:00").await;
    let a = push_licensed(app, &["market"], "2026-11-26").await;
    let b = push_licensed(app, &["market", "health"], "2026-11-19").await; // late
    app.set_clock("2026-11-26T10:00:00+08:00").await;
    app.market.claim(a.deliveries[0].id).await.unwrap();
    app.set_clock("2026-11-26T11:00:00+08:00").await;
    app.market.claim(b.deliveries[0].id).await.unwrap();
    let sup = NewSupervisionPush {
        category: SupervisionCategory::Training,
        title: "食品安全培训通知".into(),
        body: "12 月 3 日举办食品安全业务培训。".into(),
        counterparty: None,
        related_license_no: None,
        penalty: None,
        commitment_breach: None,
        credit: None,
        important: false,
    };
    app.market.create_supervision_push(&sup).await.unwrap();
    // Health lets b pass (auto-claimed Sat 28 00:00); c arrives on Friday afternoon.
    app.set_clock("2026-11-27T16:00:00+08:00").await;
    let c = push_licensed(app, &["health"], "2026-11-27").await;
    app.set_clock("2026-11-30T10:00:00+08:00").await;
    let cd = c.deliveries[0].id;
    app.health.claim(cd).await.unwrap();
    let dispute = app.health.feedback(cd, "请补充告知承诺书").await.unwrap();
    app.set_clock("2026-12-01T09:00:00+08:00").await;
    app.approval
        .reply(dispute.id, "已补充，见附件。")
        .await
        .unwrap();
}

async fn issue(app: &TestApp, token: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    app.request(Method::POST, "/api/v1/bulletins", token, Some(body))
        .await
}

async fn issue_refused_early_then_once_then_corrections(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    november(&app).await;
    let duty = app.duty.token();
    // 1 December: the dispute's answer deadline (end of Tuesday) has not passed.
    let (s, v) = issue(&app, duty, r#"{"month": "2026-11"}"#).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("bulletin_too_early"))
    );
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(msg.contains("2026-12-02 00:00"), "{msg}");
    assert_eq!(app.count("bulletins").await, 0);
    // The month itself not over: refused with the month's end at least.
    let (s, v) = issue(&app, duty, r#"{"month": "2026-12"}"#).await;
    assert_eq!(s, 409);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2027-01-01 00:00")
    );

    app.set_clock("2026-12-02T00:00:00+08:00").await;
    let (s, v) = issue(&app, duty, r#"{"month": "2026-11"}"#).await;
    assert_eq!(s, 201, "{v}");
    let first: BulletinIssued = serde_json::from_value(v).unwrap();
    assert_eq!((first.month.as_str(), first.version), ("2026-11", 1));
    assert_eq!(first.issued_by, "zhiban1");
    assert_eq!(first.issued_at, at("2026-12-02T00:00:00+08:00"));
    assert_eq!(first.reason, None);

    // Twice: refused, nothing written.
    let audit = app.count("audit_log").await;
    let (s, v) = issue(&app, duty, r#"{"month": "2026-11"}"#).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("bulletin_issued"))
    );
    for (body, field) in [
        (
            r#"{"month": "2026-11", "correction": {"reason": "  "}}"#,
            "correction.reason",
        ),
        (r#"{"month": "2026-13"}"#, "month"),
        (r#"{"month": "2026-11", "reason": "x"}"#, "reason"),
    ] {
        let (s, v) = issue(&app, duty, body).await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {v}"
        );
    }
    let (s, v) = issue(
        &app,
        duty,
        r#"{"month": "2026-10", "correction": {"reason": "错别字"}}"#,
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("bulletin_not_issued"))
    );
    assert_eq!(app.count("bulletins").await, 1);
    assert_eq!(app.count("audit_log").await, audit);

    // A correction: version 2 with its reason; version 1 stays readable.
    app.set_clock("2026-12-03T09:00:00+08:00").await;
    let (s, v) = issue(
        &app,
        duty,
        r#"{"month": "2026-11", "correction": {"reason": "卫生健康局的争议答复时间更正"}}"#,
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let second: BulletinIssued = serde_json::from_value(v).unwrap();
    assert_eq!(second.version, 2);
    assert_eq!(
        second.reason.as_deref(),
        Some("卫生健康局的争议答复时间更正")
    );
    let versions: Vec<BulletinIssued> = app
        .market
        .get_query("/api/v1/bulletins", &[("month", "2026-11")])
        .await
        .unwrap();
    assert_eq!(versions, [first.clone(), second.clone()]);
    let latest: Bulletin = app.market.get("/api/v1/bulletins/2026-11").await.unwrap();
    assert_eq!(latest.issued, Some(second));
    assert!(!latest.draft);
    let v1: Bulletin = app
        .market
        .get("/api/v1/bulletins/2026-11?version=1")
        .await
        .unwrap();
    assert_eq!(v1.issued, Some(first));
    let (s, _) = app
        .request(
            Method::GET,
            "/api/v1/bulletins/2026-11?version=3",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .request(
            Method::GET,
            "/api/v1/bulletins/2026-10",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(s, 404, "October was never issued");
    // Each issue is an event and an audit line.
    assert_eq!(app.count("audit_log").await, audit + 1);
    let (n,): (i64,) = match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => {
            sqlx::query_as("SELECT COUNT(*) FROM events WHERE kind = 'bulletin.issued'")
                .fetch_one(p)
                .await
                .unwrap()
        }
        shenguan::db::Pool::Postgres(p) => {
            sqlx::query_as("SELECT COUNT(*) FROM events WHERE kind = 'bulletin.issued'")
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(n, 2);
}

async fn an_issued_bulletin_does_not_change(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    november(&app).await;
    app.set_clock("2026-12-02T00:00:00+08:00").await;
    let (s, _) = issue(&app, app.duty.token(), r#"{"month": "2026-11"}"#).await;
    assert_eq!(s, 201);
    let issued: Bulletin = app.duty.get("/api/v1/bulletins/2026-11").await.unwrap();
    // More November activity afterwards (the test clock goes back): a push received in
    // November, claimed late in the day.
    app.set_clock("2026-11-20T09:00:00+08:00").await;
    let late = app.push(&["market"]).await;
    app.set_clock("2026-11-20T15:00:00+08:00").await;
    app.market.claim(late.deliveries[0].id).await.unwrap();
    app.set_clock("2026-12-04T09:00:00+08:00").await;

    let again: Bulletin = app.duty.get("/api/v1/bulletins/2026-11").await.unwrap();
    assert_eq!(again, issued, "the issued version reads exactly as issued");
    let live: Bulletin = app
        .duty
        .get("/api/v1/bulletins/2026-11?version=live")
        .await
        .unwrap();
    assert!(live.draft && live.issued.is_none());
    let market = |b: &Bulletin| {
        b.contents
            .departments
            .iter()
            .find(|d| d.stats.department == "market")
            .unwrap()
            .stats
            .received
    };
    assert_eq!((market(&issued), market(&live)), (3, 4));
    // The live statistics beside it move too.
    let stats = app.duty.monthly_stats("2026-11").await.unwrap();
    assert_eq!(
        stats
            .departments
            .iter()
            .find(|d| d.department == "market")
            .unwrap()
            .received,
        4
    );
}

async fn departments_read_their_own_records_and_cannot_issue(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    november(&app).await;
    app.set_clock("2026-12-02T00:00:00+08:00").await;
    for (who, token) in [
        ("market", app.market.token()),
        ("approval", app.approval.token()),
        ("supervisor", app.supervisor.token()),
    ] {
        let (s, _) = issue(&app, token, r#"{"month": "2026-11"}"#).await;
        assert_eq!(s, 403, "{who}");
    }
    assert_eq!(app.count("bulletins").await, 0);
    let (s, _) = issue(&app, app.admin.token(), r#"{"month": "2026-11"}"#).await;
    assert_eq!(s, 201, "the admin may issue");

    let all: Bulletin = app.duty.get("/api/v1/bulletins/2026-11").await.unwrap();
    let ledger_depts = |b: &Bulletin| {
        let mut d: Vec<String> = b
            .contents
            .ledger
            .iter()
            .map(|r| r.department.clone())
            .collect();
        d.dedup();
        d
    };
    // In month order: the bureau's late upload is a record of its own (rule upload_late).
    assert_eq!(
        ledger_depts(&all),
        ["market", "approval", "health", "approval"]
    );
    assert_eq!(
        all.contents
            .ledger
            .iter()
            .filter(|r| r.rule == "upload_late")
            .count(),
        1
    );
    assert_eq!(all.contents.late_uploads.len(), 1);
    let market: Bulletin = app.market.get("/api/v1/bulletins/2026-11").await.unwrap();
    assert_eq!(ledger_depts(&market), ["market"]);
    assert!(
        market.contents.late_uploads.is_empty(),
        "the bureau's late uploads"
    );
    assert_eq!(
        market.contents.departments, all.contents.departments,
        "every line is circulated"
    );
    let bureau: Bulletin = app.approval.get("/api/v1/bulletins/2026-11").await.unwrap();
    assert_eq!(bureau.contents.late_uploads, all.contents.late_uploads);
}

async fn figures_of_the_fixed_month(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    november(&app).await;
    app.set_clock("2026-12-02T00:00:00+08:00").await;
    let live: Bulletin = app
        .duty
        .get("/api/v1/bulletins/2026-11?version=live")
        .await
        .unwrap();
    let c = &live.contents;
    let u = &c.uploads;
    assert_eq!(
        (
            u.approval_pushes,
            u.approval_deliveries,
            u.supervision_pushes,
            u.supervision_deliveries
        ),
        (4, 5, 1, 1)
    );
    assert_eq!((u.late_approval_pushes, u.late_rule_working_days), (1, 1));
    let line = |code: &str| {
        c.departments
            .iter()
            .find(|d| d.stats.department == code)
            .unwrap()
    };
    let m = line("market");
    assert_eq!(
        (
            m.stats.received,
            m.stats.claimed_on_time,
            m.stats.auto_claimed
        ),
        (3, 2, 1)
    );
    assert_eq!(m.avg_claim_working_hours, Some(1.5), "(1 h + 2 h) / 2");
    let h = line("health");
    assert_eq!(
        h.avg_claim_working_hours,
        Some(18.0),
        "Fri 16:00 → Mon 10:00"
    );
    assert_eq!(h.stats.disputes_opened, 1);
    let a = line("approval");
    assert_eq!(
        (a.answers_due, a.answered_on_time, a.answered_late),
        (1, 1, 0)
    );
    // approval: 1 answer on time, 1 auto-claim → 50 %; market 2/3; health 1/2 → tie with approval.
    let ranks: Vec<(&str, u32)> = c
        .ranking
        .iter()
        .map(|r| (r.department.as_str(), r.rank))
        .collect();
    assert_eq!(ranks, [("market", 1), ("approval", 2), ("health", 2)]);
    assert_eq!(line("emergency").rank, None);
}
