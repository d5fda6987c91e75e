//! The joint report (art. 11): recorded by the bureau after the inspection, signed by every
//! participating department, final only after the last signature.

use shenguan::api::*;

use crate::both_backends;
use crate::common::*;
use crate::joint_events::event;

both_backends!(
    report_is_final_only_after_the_last_signature,
    report_refusals
);

async fn report_is_final_only_after_the_last_signature(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Inspection,
            "2026-11-27T10:00:00+08:00",
            &["market", "health", "emergency"],
        ))
        .await
        .unwrap();
    // Not before the inspection has taken place.
    let early = app
        .approval
        .record_joint_report(e.id, "勘验报告")
        .await
        .unwrap_err();
    assert_eq!(early.code(), Some("event_not_held"));
    app.set_clock("2026-11-27T15:00:00+08:00").await;
    let no = app
        .market
        .sign_joint_report(e.id, true, None)
        .await
        .unwrap_err();
    assert_eq!(no.code(), Some("no_report"));
    assert_eq!(
        refused_status(app.market.record_joint_report(e.id, "报告").await),
        403
    );
    let r = app
        .approval
        .record_joint_report(e.id, "现场符合食品生产许可条件。")
        .await
        .unwrap()
        .report
        .unwrap();
    assert!(!r.is_final);
    // In the order the departments were created (by id).
    assert_eq!(
        r.unsigned,
        ["market", "health", "emergency"].map(String::from)
    );
    let again = app
        .approval
        .record_joint_report(e.id, "第二份")
        .await
        .unwrap_err();
    assert_eq!(again.code(), Some("report_exists"));

    // market agrees; health dissents with its reason; the report is not final until the
    // third signature.
    let after = app
        .market
        .sign_joint_report(e.id, true, None)
        .await
        .unwrap();
    let r = after.report.unwrap();
    assert!(!r.is_final);
    assert_eq!(r.signatures.len(), 1);
    assert_eq!(r.signatures[0].signer.as_deref(), Some("market1"));
    let twice = app
        .market2
        .sign_joint_report(e.id, false, Some("再议"))
        .await
        .unwrap_err();
    assert_eq!(twice.code(), Some("already_signed"));
    let r = app
        .health
        .sign_joint_report(e.id, false, Some("排水设施不符合要求"))
        .await
        .unwrap()
        .report
        .unwrap();
    assert!(!r.is_final && r.final_at.is_none());
    assert_eq!(r.unsigned, vec!["emergency".to_string()]);
    // health sees market's signature, but not who signed it.
    let m = r
        .signatures
        .iter()
        .find(|s| s.department == "market")
        .unwrap();
    assert!(m.agree && m.signer.is_none());

    create_user(
        &app.admin,
        "yingji1",
        Role::SupervisionStaff,
        Some("emergency"),
    )
    .await;
    let yingji = login(&app.anon, "yingji1").await;
    app.set_clock("2026-11-30T09:00:00+08:00").await;
    let done = yingji
        .sign_joint_report(e.id, true, Some("同意"))
        .await
        .unwrap();
    let r = done.report.unwrap();
    assert!(r.is_final);
    assert_eq!(r.final_at, Some(at("2026-11-30T09:00:00+08:00")));
    assert!(r.unsigned.is_empty());
    let h = r
        .signatures
        .iter()
        .find(|s| s.department == "health")
        .unwrap();
    assert_eq!(
        (h.agree, h.comment.as_deref()),
        (false, Some("排水设施不符合要求"))
    );
    // Each signature reached the three participants and the bureau.
    assert_eq!(
        app.count("events WHERE kind = 'report.signed'").await,
        3 * 4
    );
    // The bureau's GET shows the final report too.
    assert!(
        app.approval
            .joint_event(e.id)
            .await
            .unwrap()
            .report
            .unwrap()
            .is_final
    );
    app.finish().await;
}

async fn report_refusals(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let e = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Review,
            "2026-11-27T10:00:00+08:00",
            &["market"],
        ))
        .await
        .unwrap();
    let m = app
        .approval
        .schedule_joint_event(&event(
            JointEventKind::Meeting,
            "2026-11-27T10:00:00+08:00",
            &["market"],
        ))
        .await
        .unwrap();
    app.set_clock("2026-11-27T15:00:00+08:00").await;
    // A meeting has minutes, not a report.
    assert_eq!(
        app.approval
            .record_joint_report(m.id, "报告")
            .await
            .unwrap_err()
            .code(),
        Some("report_not_for_meetings")
    );
    let blank = app
        .approval
        .record_joint_report(e.id, "  ")
        .await
        .unwrap_err();
    assert_eq!(
        (blank.status().unwrap().as_u16(), blank.field()),
        (422, Some("body"))
    );
    app.approval
        .record_joint_report(e.id, "会审意见")
        .await
        .unwrap();
    // A dissent says why; the bureau and the supervisor do not sign.
    let dissent = app
        .market
        .sign_joint_report(e.id, false, None)
        .await
        .unwrap_err();
    assert_eq!(
        (dissent.status().unwrap().as_u16(), dissent.field()),
        (422, Some("comment"))
    );
    let dissent = app
        .market
        .sign_joint_report(e.id, false, Some(" "))
        .await
        .unwrap_err();
    assert_eq!(dissent.field(), Some("comment"));
    assert_eq!(
        refused_status(app.approval.sign_joint_report(e.id, true, None).await),
        403
    );
    assert_eq!(
        refused_status(app.supervisor.sign_joint_report(e.id, true, None).await),
        403
    );
    assert_eq!(
        refused_status(app.health.sign_joint_report(e.id, true, None).await),
        404
    );
    assert_eq!(app.count("joint_report_signatures").await, 0);
    app.finish().await;
}
