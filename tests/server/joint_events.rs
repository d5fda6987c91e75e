//! Joint work (arts. 9–11): the notice rule over holidays and make-up working days, the
//! emergency override, acknowledgements, reschedules and cancellations, and who sees what.

use reqwest::Method;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    notice_across_a_holiday_and_a_make_up_working_day,
    emergency_override_is_an_admins_and_recorded,
    acknowledge_reschedule_and_cancel,
    participants_alone_see_an_event,
    scheduling_refusals_write_nothing,
    meeting_agenda_and_minutes,
);

pub fn event(kind: JointEventKind, starts_at: &str, departments: &[&str]) -> NewJointEvent {
    NewJointEvent {
        kind,
        title: "食品生产许可现场踏勘".into(),
        starts_at: at(starts_at),
        place: "高青县芦湖街道示例食品有限公司".into(),
        departments: departments.iter().map(|d| d.to_string()).collect(),
        subject: None,
        agenda: None,
        emergency: None,
    }
}

fn token(c: &shenguan::client::Client) -> String {
    c.token().expect("signed in").to_string()
}

/// Schedule through raw HTTP and return (status, body).
async fn post_raw(
    app: &TestApp,
    who: &shenguan::client::Client,
    path: &str,
    body: &impl serde::Serialize,
) -> (u16, serde_json::Value) {
    let body = serde_json::to_string(body).unwrap();
    app.request(Method::POST, path, Some(&token(who)), Some(&body))
        .await
}

async fn notice_across_a_holiday_and_a_make_up_working_day(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Wed 30 Sep 2026; 1–7 Oct is the National Day holiday (国庆, holidays-cn.json): the
    // first working day after the notice is Thu 8 Oct.
    app.set_clock("2026-09-30T10:00:00+08:00").await;
    let (status, body) = post_raw(
        &app,
        &app.approval,
        "/api/v1/joint-events",
        &event(
            JointEventKind::Inspection,
            "2026-10-07T09:00:00+08:00",
            &["market"],
        ),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "notice_too_short");
    assert_eq!(body["error"]["field"], "starts_at");
    assert_eq!(body["error"]["earliest"], "2026-10-08T00:00:00+08:00");
    assert_eq!(app.count("joint_events").await, 0);
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Inspection,
            "2026-10-08T09:00:00+08:00",
            &["market"],
        ))
        .await
        .unwrap();
    assert_eq!(e.starts_at, at("2026-10-08T09:00:00+08:00"));
    assert_eq!(e.status, JointEventStatus::Scheduled);
    assert!(e.emergency.is_none());

    // Fri 9 Oct: Sat 10 Oct is a make-up working day (调休上班), so a Saturday hearing is
    // lawfully notified on Friday.
    app.set_clock("2026-10-09T16:00:00+08:00").await;
    app.approval
        .schedule_joint_event(&event(
            JointEventKind::Hearing,
            "2026-10-10T09:00:00+08:00",
            &["health"],
        ))
        .await
        .unwrap();
    // An ordinary Friday: Saturday is too soon; the earliest is Monday.
    app.set_clock("2026-10-16T16:00:00+08:00").await;
    let (status, body) = post_raw(
        &app,
        &app.approval,
        "/api/v1/joint-events",
        &event(
            JointEventKind::Hearing,
            "2026-10-17T09:00:00+08:00",
            &["health"],
        ),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["earliest"], "2026-10-19T00:00:00+08:00");
    // The same day is never enough notice, however many hours ahead.
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Review,
            "2026-10-16T23:00:00+08:00",
            &["health"],
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("notice_too_short"));
    assert_eq!(app.count("joint_events").await, 2);
    app.finish().await;
}

async fn emergency_override_is_an_admins_and_recorded(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // t0 is Thu 26 Nov 10:00: this afternoon is too short a notice.
    let mut urgent = event(
        JointEventKind::Inspection,
        "2026-11-26T15:00:00+08:00",
        &["market", "health"],
    );
    urgent.emergency = Some(EmergencyRequest {
        reason: "危化品仓库险情，须当日联合踏勘".into(),
    });
    // Bureau staff may not override the notice period; nor may a supervisor.
    assert_eq!(
        refused_status(app.approval.schedule_joint_event(&urgent).await),
        403
    );
    assert_eq!(
        refused_status(app.supervisor.schedule_joint_event(&urgent).await),
        403
    );
    // Without an override the admin may not schedule at all: only the bureau schedules.
    let mut plain = urgent.clone();
    plain.emergency = None;
    plain.starts_at = at("2026-11-30T09:00:00+08:00");
    assert_eq!(
        refused_status(app.admin.schedule_joint_event(&plain).await),
        403
    );
    let mut blank = urgent.clone();
    blank.emergency = Some(EmergencyRequest {
        reason: "  ".into(),
    });
    let e = app.admin.schedule_joint_event(&blank).await.unwrap_err();
    assert_eq!(e.status().unwrap(), 422);
    assert_eq!(app.count("joint_events").await, 0);

    let e = app.admin.schedule_joint_event(&urgent).await.unwrap();
    assert_eq!(e.organiser, "approval");
    let over = e.emergency.clone().expect("the override is recorded");
    assert_eq!(over.reason, "危化品仓库险情，须当日联合踏勘");
    assert_eq!(over.by.as_deref(), Some("admin"));
    // Shown to the participants too, and written to the audit log.
    let seen = app.market.joint_event(e.id).await.unwrap();
    assert_eq!(seen.emergency.unwrap().reason, over.reason);
    assert_eq!(
        app.count("audit_log WHERE action = 'joint_event.schedule' AND detail LIKE '%危化品%'")
            .await,
        1
    );
    // A start in the past is refused even in an emergency.
    let mut past = urgent.clone();
    past.starts_at = at("2026-11-26T09:00:00+08:00");
    let e = app.admin.schedule_joint_event(&past).await.unwrap_err();
    assert_eq!(
        (e.status().unwrap().as_u16(), e.code()),
        (422, Some("invalid_field"))
    );
    app.finish().await;
}

async fn acknowledge_reschedule_and_cancel(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Inspection,
            "2026-11-30T09:00:00+08:00",
            &["market", "health"],
        ))
        .await
        .unwrap();
    assert_eq!(e.participants.len(), 2);
    assert!(e.participants.iter().all(|p| p.acknowledged_at.is_none()));
    // Each participant acknowledges for itself, once; the bureau does not acknowledge.
    let after = app.market.acknowledge_joint_event(e.id).await.unwrap();
    let m = after
        .participants
        .iter()
        .find(|p| p.department == "market")
        .unwrap();
    assert_eq!(m.acknowledged_at, Some(t0()));
    assert_eq!(m.acknowledged_by.as_deref(), Some("market1"));
    let again = app.market2.acknowledge_joint_event(e.id).await.unwrap_err();
    assert_eq!(again.code(), Some("already_acknowledged"));
    assert_eq!(
        refused_status(app.approval.acknowledge_joint_event(e.id).await),
        403
    );
    assert_eq!(
        refused_status(app.supervisor.acknowledge_joint_event(e.id).await),
        403
    );
    // Another department's person is not named to health.
    let h = app.health.acknowledge_joint_event(e.id).await.unwrap();
    let m = h
        .participants
        .iter()
        .find(|p| p.department == "market")
        .unwrap();
    assert!(m.acknowledged_at.is_some() && m.acknowledged_by.is_none());

    // Rescheduling: the bureau only, with a reason and fresh lawful notice.
    let to = |t: &str, reason: &str| RescheduleJointEvent {
        starts_at: at(t),
        reason: reason.into(),
        emergency: None,
    };
    let r = to("2026-12-01T09:00:00+08:00", "企业申请延期");
    assert_eq!(
        refused_status(app.market.reschedule_joint_event(e.id, &r).await),
        403
    );
    let blank = app
        .approval
        .reschedule_joint_event(e.id, &to("2026-12-01T09:00:00+08:00", " "))
        .await
        .unwrap_err();
    assert_eq!(blank.status().unwrap(), 422);
    let (status, body) = post_raw(
        &app,
        &app.approval,
        &format!("/api/v1/joint-events/{}/reschedule", e.id),
        &to("2026-11-26T17:00:00+08:00", "提前"),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["earliest"], "2026-11-27T00:00:00+08:00");
    app.set_clock("2026-11-27T09:00:00+08:00").await;
    let moved = app.approval.reschedule_joint_event(e.id, &r).await.unwrap();
    assert_eq!(moved.starts_at, at("2026-12-01T09:00:00+08:00"));
    assert_eq!(moved.notified_at, at("2026-11-27T09:00:00+08:00"));
    // A fresh notice: every acknowledgement is asked for again.
    assert!(
        moved
            .participants
            .iter()
            .all(|p| p.acknowledged_at.is_none())
    );
    assert_eq!(moved.history.len(), 1);
    let h = &moved.history[0];
    assert_eq!(h.change, JointChangeKind::Rescheduled);
    assert_eq!(h.reason, "企业申请延期");
    assert_eq!(h.previous_starts_at, Some(at("2026-11-30T09:00:00+08:00")));
    assert_eq!(h.new_starts_at, Some(at("2026-12-01T09:00:00+08:00")));
    app.market.acknowledge_joint_event(e.id).await.unwrap();

    // Cancelling: the bureau only, with a reason; then nothing more happens to it.
    assert_eq!(
        refused_status(app.health.cancel_joint_event(e.id, "不去了").await),
        403
    );
    let c = app
        .approval
        .cancel_joint_event(e.id, "企业撤回申请")
        .await
        .unwrap();
    assert_eq!(c.status, JointEventStatus::Cancelled);
    assert_eq!(c.history.last().unwrap().change, JointChangeKind::Cancelled);
    assert_eq!(c.history.last().unwrap().reason, "企业撤回申请");
    for e in [
        app.health.acknowledge_joint_event(e.id).await.unwrap_err(),
        app.approval
            .reschedule_joint_event(e.id, &to("2026-12-02T09:00:00+08:00", "再改"))
            .await
            .unwrap_err(),
        app.approval
            .cancel_joint_event(e.id, "再取消")
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), Some("event_cancelled"));
    }
    // After the start nothing can be acknowledged, moved or cancelled.
    let later = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Review,
            "2026-11-30T09:00:00+08:00",
            &["health"],
        ))
        .await
        .unwrap();
    app.set_clock("2026-11-30T09:00:00+08:00").await;
    assert_eq!(
        app.health
            .acknowledge_joint_event(later.id)
            .await
            .unwrap_err()
            .code(),
        Some("event_started")
    );
    assert_eq!(
        app.approval
            .cancel_joint_event(later.id, "晚了")
            .await
            .unwrap_err()
            .code(),
        Some("event_started")
    );
    // Every change reached each department concerned once (two participants + the bureau).
    assert_eq!(
        app.count("events WHERE kind = 'joint_event.rescheduled'")
            .await,
        3
    );
    assert_eq!(
        app.count("events WHERE kind = 'joint_event.cancelled'")
            .await,
        3
    );
    app.finish().await;
}

async fn participants_alone_see_an_event(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Inspection,
            "2026-11-30T09:00:00+08:00",
            &["market"],
        ))
        .await
        .unwrap();
    // health takes no part: the event does not exist for it.
    assert_eq!(refused_status(app.health.joint_event(e.id).await), 404);
    assert_eq!(
        refused_status(app.health.acknowledge_joint_event(e.id).await),
        404
    );
    assert_eq!(
        refused_status(app.health.sign_joint_report(e.id, true, None).await),
        404
    );
    assert_eq!(
        refused_status(app.health.cancel_joint_event(e.id, "x").await),
        404
    );
    assert!(
        app.health
            .joint_events(None, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert_eq!(
        refused_status(app.health.joint_event(e.id + 1000).await),
        404
    );
    // The participant, the organiser and the roles that see all do see it.
    for c in [&app.market, &app.approval, &app.supervisor, &app.duty] {
        let list = c
            .joint_events(Some("2026-11-30"), Some("2026-11-30"))
            .await
            .unwrap();
        assert_eq!(
            list.items.iter().map(|x| x.id).collect::<Vec<_>>(),
            vec![e.id]
        );
        assert_eq!(c.joint_event(e.id).await.unwrap().id, e.id);
    }
    // The window is honoured; a malformed bound is a 400 naming it.
    assert!(
        app.market
            .joint_events(Some("2026-12-01"), None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let (status, body) = app
        .request(
            Method::GET,
            "/api/v1/joint-events?from=yesterday",
            Some(&token(&app.market)),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (400, Some("from"))
    );
    // Events reach the participant and the organiser, not health.
    assert_eq!(
        app.count("events WHERE kind = 'joint_event.scheduled'")
            .await,
        2
    );
    app.finish().await;
}

async fn scheduling_refusals_write_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let ok = event(
        JointEventKind::Inspection,
        "2026-11-30T09:00:00+08:00",
        &["market"],
    );
    assert_eq!(
        refused_status(app.market.schedule_joint_event(&ok).await),
        403
    );
    assert_eq!(
        refused_status(app.duty.schedule_joint_event(&ok).await),
        403
    );
    type Change = Box<dyn Fn(&mut NewJointEvent)>;
    let cases: Vec<(&str, Change)> = vec![
        ("departments", Box::new(|e| e.departments.clear())),
        (
            "departments[0]",
            Box::new(|e| e.departments = vec!["nowhere".into()]),
        ),
        (
            "departments[0]",
            Box::new(|e| e.departments = vec!["approval".into()]),
        ),
        (
            "departments[1]",
            Box::new(|e| e.departments = vec!["market".into(), "market".into()]),
        ),
        ("title", Box::new(|e| e.title = " ".into())),
        ("place", Box::new(|e| e.place = "x".repeat(201))),
        (
            "agenda",
            Box::new(|e| e.agenda = Some(vec![JointRef::Topic("议题".into())])),
        ),
        (
            "subject",
            Box::new(|e| e.subject = Some(JointRef::Push(9999))),
        ),
        (
            "subject",
            Box::new(|e| e.subject = Some(JointRef::Topic("议题".into()))),
        ),
        (
            "starts_at",
            Box::new(|e| e.starts_at = at("2026-11-25T09:00:00+08:00")),
        ),
    ];
    for (field, change) in cases {
        let mut e = ok.clone();
        change(&mut e);
        let err = app.approval.schedule_joint_event(&e).await.unwrap_err();
        assert_eq!(err.status().unwrap(), 422, "{field}");
        assert_eq!(err.field(), Some(field), "{field}");
    }
    // Bad JSON names the field: an unknown kind, an unknown key.
    let (status, body) = app
        .request(
            Method::POST,
            "/api/v1/joint-events",
            Some(&token(&app.approval)),
            Some(r#"{"kind":"picnic","title":"t","starts_at":"2026-11-30T09:00:00+08:00","place":"p","departments":["market"]}"#),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("kind"))
    );
    assert_eq!(app.count("joint_events").await, 0);
    assert_eq!(app.count("joint_event_participants").await, 0);
    assert_eq!(app.count("events WHERE kind LIKE 'joint_event.%'").await, 0);
    app.finish().await;
}

async fn meeting_agenda_and_minutes(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let plain = app.push(&["market"]).await;
    let mut p = approval_push(&["market", "health"]);
    p.important = true;
    let important = app.approval.create_approval_push(&p, None).await.unwrap();
    let d = app.push(&["market"]).await.deliveries[0].clone();
    let dispute = app.market.feedback(d.id, "许可范围有疑问").await.unwrap();

    let mut m = event(
        JointEventKind::Meeting,
        "2026-11-30T15:00:00+08:00",
        &["market", "health"],
    );
    m.title = "审管联席会议".into();
    // Only important approval items and escalated disputes go on the agenda.
    m.agenda = Some(vec![JointRef::Push(plain.id)]);
    assert_eq!(
        app.approval
            .schedule_joint_event(&m)
            .await
            .unwrap_err()
            .field(),
        Some("agenda[0]")
    );
    m.agenda = Some(vec![
        JointRef::Push(important.id),
        JointRef::Dispute(dispute.id),
    ]);
    assert_eq!(
        app.approval
            .schedule_joint_event(&m)
            .await
            .unwrap_err()
            .field(),
        Some("agenda[1]")
    );
    app.market.escalate(d.id, "久拖未决").await.unwrap();
    m.agenda = Some(vec![
        JointRef::Push(important.id),
        JointRef::Dispute(dispute.id),
        JointRef::Topic(" 年度审管联动工作安排 ".into()),
    ]);
    let e = app.approval.schedule_joint_event(&m).await.unwrap();
    let titles: Vec<&str> = e.agenda.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        ["食品经营许可", "食品经营许可", "年度审管联动工作安排"]
    );
    assert_eq!(
        e.agenda[2].item,
        JointRef::Topic("年度审管联动工作安排".into())
    );

    // Minutes once the meeting has begun, by the bureau; pushed to the participants.
    let minutes = NewMinutes {
        body: "会议研究了重要审批事项。".into(),
        decisions: vec!["同意按期核发".into(), "争议由市场监管局复核".into()],
    };
    assert_eq!(
        app.approval
            .joint_minutes(e.id, &minutes)
            .await
            .unwrap_err()
            .code(),
        Some("event_not_held")
    );
    app.set_clock("2026-11-30T16:00:00+08:00").await;
    assert_eq!(
        refused_status(app.market.joint_minutes(e.id, &minutes).await),
        403
    );
    let bad = NewMinutes {
        body: "纪要".into(),
        decisions: vec![" ".into()],
    };
    assert_eq!(
        app.approval
            .joint_minutes(e.id, &bad)
            .await
            .unwrap_err()
            .field(),
        Some("decisions[0]")
    );
    let after = app.approval.joint_minutes(e.id, &minutes).await.unwrap();
    assert_eq!(after.minutes.len(), 1);
    assert_eq!(after.minutes[0].decisions, minutes.decisions);
    let seen = app.health.joint_event(e.id).await.unwrap();
    assert_eq!(seen.minutes[0].body, "会议研究了重要审批事项。");
    assert!(
        seen.minutes[0].by.is_none(),
        "the bureau's person is not named to health"
    );
    assert_eq!(
        app.count("events WHERE kind = 'joint_event.minutes'").await,
        3
    );
    app.finish().await;
}
