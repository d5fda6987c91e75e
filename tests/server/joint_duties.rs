//! Joint work's deadlines are duties (DUTIES.md): each participant's acknowledgement of a
//! notice is due at the event's start and lapses then with a ledger record; each signature of
//! a joint report is due 1 working day after the report (the server's default).

use shenguan::api::*;

use crate::both_backends;
use crate::common::*;
use crate::joint_events::event;

both_backends!(notice_and_signature_duties);

async fn duties(who: &shenguan::client::Client, kind: &str) -> Vec<Duty> {
    let page: Page<Duty> = who
        .get(&format!(
            "/api/v1/duties?kind={kind}&state=open,overdue,done,done_late,lapsed,cancelled"
        ))
        .await
        .unwrap();
    page.items
}

async fn notice_and_signature_duties(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Notified Thu 26 Nov for Mon 30 Nov 09:00: each participant owes an acknowledgement.
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Inspection,
            "2026-11-30T09:00:00+08:00",
            &["market", "health"],
        ))
        .await
        .unwrap();
    let m = duties(&app.market, "notice_ack").await;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0].subject_id, m[0].state), (e.id, DutyState::Open));
    assert_eq!(m[0].due, at("2026-11-30T09:00:00+08:00"));
    assert_eq!(m[0].counterpart.as_deref(), Some("approval"));
    app.market.acknowledge_joint_event(e.id).await.unwrap();
    assert_eq!(
        duties(&app.market, "notice_ack").await[0].state,
        DutyState::Done
    );

    // A reschedule is a fresh notice: the outstanding acknowledgement is withdrawn and owed
    // anew at the new start; the one already given stays done and a new one is owed.
    let moved = RescheduleJointEvent {
        starts_at: at("2026-12-01T09:00:00+08:00"),
        reason: "改期".into(),
        emergency: None,
    };
    app.approval
        .reschedule_joint_event(e.id, &moved)
        .await
        .unwrap();
    let h = duties(&app.health, "notice_ack").await;
    let states: Vec<DutyState> = h.iter().map(|d| d.state).collect();
    assert!(
        states.contains(&DutyState::Cancelled) && states.contains(&DutyState::Open),
        "{h:?}"
    );
    let open = h.iter().find(|d| d.state == DutyState::Open).unwrap();
    assert_eq!(open.due, at("2026-12-01T09:00:00+08:00"));
    app.market.acknowledge_joint_event(e.id).await.unwrap();

    // health never acknowledges: at the start the notice lapses, with one ledger record.
    app.set_clock("2026-12-01T09:00:00+08:00").await;
    let h = duties(&app.health, "notice_ack").await;
    assert!(h.iter().any(|d| d.state == DutyState::Lapsed), "{h:?}");
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let missed: Vec<_> = ledger
        .iter()
        .filter(|r| r.rule == "notice_unacknowledged")
        .collect();
    assert_eq!(missed.len(), 1, "{ledger:?}");
    assert_eq!(missed[0].department, "health");

    // The report: each participant owes a signature by the end of the next working day.
    app.set_clock("2026-12-01T15:00:00+08:00").await;
    app.approval
        .record_joint_report(e.id, "勘验报告")
        .await
        .unwrap();
    let s = duties(&app.market, "report_signature").await;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].due, at("2026-12-03T00:00:00+08:00"));
    app.market
        .sign_joint_report(e.id, true, None)
        .await
        .unwrap();
    assert_eq!(
        duties(&app.market, "report_signature").await[0].state,
        DutyState::Done
    );
    // health lets it pass: overdue, still owed, one ledger record; signing later is late.
    app.set_clock("2026-12-03T00:00:00+08:00").await;
    assert_eq!(
        duties(&app.health, "report_signature").await[0].state,
        DutyState::Overdue
    );
    let r = app
        .health
        .sign_joint_report(e.id, true, None)
        .await
        .unwrap();
    assert!(r.report.unwrap().is_final);
    assert_eq!(
        duties(&app.health, "report_signature").await[0].state,
        DutyState::DoneLate
    );
    let ledger = app.duty.accountability("2026-12").await.unwrap();
    assert_eq!(
        ledger
            .iter()
            .filter(|r| r.rule == "report_unsigned")
            .count(),
        1,
        "{ledger:?}"
    );
    app.finish().await;
}
