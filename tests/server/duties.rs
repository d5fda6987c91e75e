//! The duty core: a deadline other than a claim is listed for its department, swept at its
//! deadline instant (overdue, or lapsed by its rule), recorded in the ledger once, counted in
//! the month of its origin, and re-derived when a year's notice is published.

use reqwest::Method;
use shenguan::api::*;
use shenguan::client::Client;
use shenguan::db::duties::{self, NewDuty};
use shenguan::domain::to_millis;

use crate::both_backends;
use crate::common::*;

both_backends!(
    a_missed_duty_stays_overdue_with_one_ledger_record,
    a_lapsing_duty_ends_at_the_deadline_instant_not_before,
    an_imported_year_extends_a_provisional_duty
);

/// A duty on `dept` set by `counterpart`, running `n` working days from the clock's now.
async fn open(app: &TestApp, kind: DutyKind, dept: &str, counterpart: &str, n: u32) -> Duty {
    let s = app.state();
    let now = s.clock.now();
    let dl = s.calendar().deadline(now, n).unwrap();
    let id = |code: &str| {
        s.db.departments()
            .into_iter()
            .find(|(_, d)| d.code == code)
            .unwrap()
            .0
    };
    duties::open(
        &s.db,
        NewDuty {
            kind,
            department_id: id(dept),
            counterpart_department_id: Some(id(counterpart)),
            person: Some("shenpi1".into()),
            subject_id: 41,
            title: "某某餐饮有限公司 告知承诺核查".into(),
            origin_at: to_millis(now),
            working_days: Some(n),
            due_at: to_millis(dl.utc()),
            provisional: dl.provisional,
        },
        to_millis(now),
        "test",
    )
    .await
    .unwrap()
}

async fn list(who: &Client, query: &str) -> Vec<Duty> {
    let page: Page<Duty> = who.get(&format!("/api/v1/duties{query}")).await.unwrap();
    page.items
}

async fn a_missed_duty_stays_overdue_with_one_ledger_record(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Fri 27 Nov 10:00: 1 working day → the end of Mon 30 Nov.
    app.set_clock("2026-11-27T10:00:00+08:00").await;
    let d = open(&app, DutyKind::Verification, "approval", "market", 1).await;
    assert_eq!(d.due, at("2026-12-01T00:00:00+08:00"));
    assert!(!d.provisional);

    // The department that must act lists it; the counterpart may read it; others may not.
    let mine = list(&app.approval, "").await;
    assert_eq!(mine.iter().map(|x| x.id).collect::<Vec<_>>(), vec![d.id]);
    assert!(list(&app.market, "").await.is_empty(), "not market's to do");
    let (st, v) = app
        .request(
            Method::GET,
            &format!("/api/v1/duties/{}", d.id),
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(st, 200, "the counterpart sees the duty it set");
    assert!(
        v["person"].is_null(),
        "but not the other department's person: {v}"
    );
    assert_eq!(
        list(&app.approval, "").await[0].person.as_deref(),
        Some("shenpi1")
    );
    let (st, _) = app
        .request(
            Method::GET,
            &format!("/api/v1/duties/{}", d.id),
            app.health.token(),
            None,
        )
        .await;
    assert_eq!(st, 404, "another department does not");
    let (st, v) = app
        .request(
            Method::GET,
            "/api/v1/duties?state=nope",
            app.approval.token(),
            None,
        )
        .await;
    assert_eq!(
        (st, v["error"]["field"].as_str()),
        (400, Some("state")),
        "{v}"
    );
    let (st, _) = app
        .request(
            Method::GET,
            "/api/v1/duties?department=approval",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(st, 404, "a department lists only its own");

    // A second before the deadline nothing happens; at the instant it is overdue.
    app.set_clock("2026-11-30T23:59:59+08:00").await;
    assert_eq!(list(&app.approval, "").await[0].state, DutyState::Open);
    app.set_clock("2026-12-01T00:00:00+08:00").await;
    let overdue = list(&app.approval, "").await;
    assert_eq!(
        overdue[0].state,
        DutyState::Overdue,
        "still owed: stays on the queue"
    );
    app.set_clock("2026-12-01T00:05:00+08:00").await;

    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let rec: Vec<_> = ledger.iter().filter(|r| r.duty_id == Some(d.id)).collect();
    assert_eq!(rec.len(), 1, "{ledger:?}");
    assert_eq!(rec[0].rule, "verification_overdue");
    assert_eq!(rec[0].article, "8");
    assert_eq!(rec[0].department, "approval");
    assert_eq!(rec[0].person.as_deref(), Some("shenpi1"));
    assert_eq!(rec[0].occurred_at, at("2026-12-01T00:00:00+08:00"));
    assert_eq!(rec[0].delivery_id, None);

    // Done late: it leaves the queue, and the ledger keeps exactly one record.
    let s = app.state();
    let approval = s.db.department_id("approval").await.unwrap().unwrap().0;
    let done = duties::close(
        &s.db,
        DutyKind::Verification,
        41,
        approval,
        to_millis(s.clock.now()),
        "shenpi1",
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(done.state, DutyState::DoneLate);
    assert!(list(&app.approval, "").await.is_empty());
    assert_eq!(list(&app.approval, "?state=done_late").await[0].id, d.id);
    assert_eq!(app.count("accountability").await, 1);

    // November's figures count it as due and late, in the month it began.
    let stats = app.duty.monthly_stats("2026-11").await.unwrap();
    let line = stats
        .departments
        .iter()
        .find(|l| l.department == "approval")
        .unwrap();
    assert_eq!(
        line.deadlines,
        vec![DeadlineFigures {
            kind: DutyKind::Verification,
            due: 1,
            on_time: 0,
            late: 1,
            open: 0
        }]
    );
    let dec = app.duty.monthly_stats("2026-12").await.unwrap();
    assert!(dec.departments.iter().all(|l| l.deadlines.is_empty()));
    app.finish().await;
}

async fn a_lapsing_duty_ends_at_the_deadline_instant_not_before(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-11-27T10:00:00+08:00").await;
    let d = open(&app, DutyKind::InquiryReply, "market", "approval", 1).await;
    let mut events = crate::events::subscribe(&app.market, None).await;
    app.set_clock("2026-11-30T23:59:59+08:00").await;
    assert_eq!(list(&app.market, "").await[0].state, DutyState::Open);
    app.set_clock("2026-12-01T00:00:00+08:00").await;
    assert!(list(&app.market, "").await.is_empty(), "no longer owed");
    let lapsed = list(&app.market, "?state=lapsed").await;
    assert_eq!(lapsed[0].id, d.id);
    // Acting at or after the deadline instant of a lapsing kind changes nothing.
    let s = app.state();
    let market = s.db.department_id("market").await.unwrap().unwrap().0;
    let late = duties::close(
        &s.db,
        DutyKind::InquiryReply,
        41,
        market,
        to_millis(s.clock.now()),
        "market1",
    )
    .await
    .unwrap();
    assert!(late.is_none());
    // A second sweep finds nothing more: one ledger record, one lapse event.
    app.set_clock("2026-12-01T00:01:00+08:00").await;
    let ledger = app.market.accountability("2026-11").await.unwrap();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].rule, "inquiry_deemed_consent");
    let ev = loop {
        let e = crate::events::next_event(&mut events, std::time::Duration::from_secs(5))
            .await
            .expect("a duty.lapsed event");
        if e.kind == event_types::DUTY_LAPSED {
            break e;
        }
    };
    let got: Duty = serde_json::from_value(ev.data).unwrap();
    assert_eq!((got.id, got.state), (d.id, DutyState::Lapsed));
    assert_eq!(
        ev.at,
        at("2026-12-01T00:00:00+08:00"),
        "stamped at the deadline"
    );
    app.finish().await;
}

async fn an_imported_year_extends_a_provisional_duty(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // 31 Dec 2026 10:00: 1 working day runs into 2027, whose notice is not published: 元旦
    // (1 Jan) and the weekend → the end of Mon 4 Jan, provisional.
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let d = open(&app, DutyKind::ReportSignature, "health", "approval", 1).await;
    assert_eq!(d.due, at("2027-01-05T00:00:00+08:00"));
    assert!(d.provisional);
    // The fixture notice gives 1–4 January off: the lawful deadline is the end of 5 Jan.
    let notice: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/holidays-2027.json")).unwrap();
    let mut notice = notice.as_object().unwrap().clone();
    notice.remove("papers");
    let _: CalendarInfo = app
        .admin
        .post("/api/v1/calendar/years", &notice)
        .await
        .unwrap();
    let now = list(&app.health, "").await;
    assert_eq!(now[0].due, at("2027-01-06T00:00:00+08:00"));
    assert!(!now[0].provisional);
    app.finish().await;
}
