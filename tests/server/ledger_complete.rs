//! The whole ledger (art. 14–15): besides unclaimed deliveries and missed duties, a
//! question or dispute not answered by its deadline is a record against the answering
//! department, and an approval push uploaded late is a record against the bureau.

use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(late_dispute_answers_are_records, late_uploads_are_records);

fn rules(l: &[AccountabilityRecord], rule: &str) -> Vec<AccountabilityRecord> {
    l.iter().filter(|r| r.rule == rule).cloned().collect()
}

async fn late_dispute_answers_are_records(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-11-26T10:00:00+08:00").await;
    let push = app.push(&["market", "health"]).await;
    // Thu 26 Nov: both answers due at the end of Fri 27 Nov (Sat 28 00:00).
    let unanswered = app
        .market
        .feedback(push.deliveries[0].id, "有效期？")
        .await
        .unwrap();
    let on_time = app
        .health
        .feedback(push.deliveries[1].id, "地址？")
        .await
        .unwrap();
    app.set_clock("2026-11-27T15:00:00+08:00").await;
    app.approval
        .reply(on_time.id, "以证书为准。")
        .await
        .unwrap();

    // A second before the deadline nothing is late.
    app.set_clock("2026-11-27T23:59:59+08:00").await;
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    assert!(
        rules(&ledger, "dispute_answer_overdue").is_empty(),
        "{ledger:?}"
    );

    // At the deadline the unanswered one is a record against the bureau, once.
    app.set_clock("2026-11-28T00:00:00+08:00").await;
    app.set_clock("2026-11-28T00:00:01+08:00").await;
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let late = rules(&ledger, "dispute_answer_overdue");
    assert_eq!(late.len(), 1, "{ledger:?}");
    assert_eq!(late[0].department, "approval");
    assert_eq!(late[0].dispute_id, Some(unanswered.id));
    assert_eq!(late[0].received_at, unanswered.opened_at);
    assert_eq!(late[0].occurred_at, at("2026-11-28T00:00:00+08:00"));

    // Answering late does not add a second record; the record stays one.
    app.approval.reply(unanswered.id, "迟复。").await.unwrap();
    app.set_clock("2026-12-01T10:00:00+08:00").await;
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    assert_eq!(rules(&ledger, "dispute_answer_overdue").len(), 1);
    // The bureau reads its own record; a supervision department does not see it.
    assert_eq!(
        rules(
            &app.approval.accountability("2026-11").await.unwrap(),
            "dispute_answer_overdue"
        )
        .len(),
        1
    );
    assert!(
        rules(
            &app.market.accountability("2026-11").await.unwrap(),
            "dispute_answer_overdue"
        )
        .is_empty()
    );
    // The rule filter knows the new rule.
    let (status, v) = app
        .request(
            reqwest::Method::GET,
            "/api/v1/accountability?month=2026-11&rule=dispute_answer_overdue",
            app.duty.token(),
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v.as_array().map(|a| a.len()), Some(1), "{v}");
}

async fn late_uploads_are_records(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Licence dated Wed 25 Nov: uploading is due by the end of Thu 26 Nov.
    app.set_clock("2026-11-26T23:00:00+08:00").await;
    let mut p = approval_push(&["market"]);
    p.license_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let in_time = app.approval.create_approval_push(&p, None).await.unwrap();
    app.set_clock("2026-11-27T09:00:00+08:00").await;
    p.license_no = format!("{}-2", p.license_no);
    let late = app.approval.create_approval_push(&p, None).await.unwrap();

    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let records = rules(&ledger, "upload_late");
    assert_eq!(records.len(), 1, "{ledger:?}");
    assert_eq!(records[0].push_id, Some(late.id));
    assert_ne!(records[0].push_id, Some(in_time.id));
    assert_eq!(records[0].department, "approval");
    assert_eq!(records[0].occurred_at, at("2026-11-27T00:00:00+08:00"));
    assert_eq!(records[0].received_at, late.created_at);
    // The bureau's own ledger shows it and who uploaded; a department's does not.
    let own = rules(
        &app.approval.accountability("2026-11").await.unwrap(),
        "upload_late",
    );
    assert_eq!(own.len(), 1);
    assert!(own[0].person.is_some());
    assert!(
        rules(
            &app.market.accountability("2026-11").await.unwrap(),
            "upload_late"
        )
        .is_empty()
    );
}
