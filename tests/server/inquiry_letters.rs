//! Inquiry letters (函询, art. 12): the reply deadline in working days, deemed consent at the
//! exact deadline instant (not a second earlier, exactly once), answers and follow-ups in the
//! thread, refusals that write nothing, and who sees a letter.

use reqwest::Method;
use serde_json::json;
use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;

both_backends!(
    deemed_consent_at_the_deadline_instant_exactly_once,
    deadlines_across_a_holiday_and_into_an_unpublished_year,
    bad_letters_write_nothing,
    only_the_parties_see_a_letter,
);

pub fn letter(recipients: &[&str], days: Option<u32>) -> NewInquiryLetter {
    NewInquiryLetter {
        subject: "关于食品小作坊登记标准的函询".into(),
        body: "请就附件所列登记标准是否符合贵局监管要求提出意见。".into(),
        recipients: recipients.iter().map(|r| r.to_string()).collect(),
        reply_working_days: days,
    }
}

fn reply<'a>(l: &'a InquiryLetter, dept: &str) -> &'a InquiryReply {
    l.replies.iter().find(|r| r.department == dept).unwrap()
}

async fn reply_duties(who: &Client) -> Vec<Duty> {
    let page: Page<Duty> = who
        .get("/api/v1/duties?kind=inquiry_reply&state=open,overdue,done,done_late,lapsed,cancelled")
        .await
        .unwrap();
    page.items
}

async fn deemed_consent_at_the_deadline_instant_exactly_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Sent Thu 26 Nov 10:00 with 2 working days: Fri 27 and Mon 30 → due 1 Dec 00:00.
    let l = app
        .approval
        .send_inquiry_letter(&letter(&["market", "health"], Some(2)))
        .await
        .unwrap();
    let due = at("2026-12-01T00:00:00+08:00");
    assert_eq!(l.sender, "approval");
    assert_eq!(l.reply_working_days, 2);
    assert_eq!(l.replies.len(), 2);
    for r in &l.replies {
        assert_eq!((r.due, r.provisional), (due, false));
        assert_eq!(r.status, InquiryReplyStatus::Awaiting);
    }
    // One duty per recipient: the letter is its subject, the sender its counterpart.
    let h = reply_duties(&app.health).await;
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!((h[0].subject_id, h[0].due), (l.id, due));
    assert_eq!(h[0].counterpart.as_deref(), Some("approval"));

    // market answers before the deadline: answered, its duty done.
    let after = app
        .market
        .reply_inquiry_letter(l.id, "符合监管要求，无异议。")
        .await
        .unwrap();
    assert_eq!(reply(&after, "market").status, InquiryReplyStatus::Answered);
    assert!(after.messages[0].answers);
    assert_eq!(reply_duties(&app.market).await[0].state, DutyState::Done);

    // One second before the deadline the sweep leaves health awaiting.
    app.set_clock("2026-11-30T23:59:59+08:00").await;
    let l1 = app.health.inquiry_letter(l.id).await.unwrap();
    assert_eq!(reply(&l1, "health").status, InquiryReplyStatus::Awaiting);
    assert_eq!(reply_duties(&app.health).await[0].state, DutyState::Open);
    assert_eq!(
        app.count("events WHERE kind = 'inquiry.deemed_consent'")
            .await,
        0
    );

    // At the deadline instant, before any sweep has seen it, answering is already too late
    // (the clock moved without a sweep): 409, nothing written.
    assert!(app.state().clock.set(due.with_timezone(&chrono::Utc)));
    let late = app
        .health
        .reply_inquiry_letter(l.id, "卡点的意见")
        .await
        .unwrap_err();
    assert_eq!(late.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(late.code(), Some("deemed_consent"));
    assert_eq!(
        reply_duties(&app.health).await[0].state,
        DutyState::Open,
        "not swept yet"
    );
    assert_eq!(app.count("inquiry_messages").await, 1);

    // The sweep at the deadline instant: deemed consent, one ledger record against health,
    // one event.
    app.set_clock("2026-12-01T00:00:00+08:00").await;
    let l2 = app.approval.inquiry_letter(l.id).await.unwrap();
    let h = reply(&l2, "health");
    assert_eq!(h.status, InquiryReplyStatus::DeemedConsent);
    assert_eq!(h.concluded_at, Some(due));
    assert_eq!(reply(&l2, "market").status, InquiryReplyStatus::Answered);
    assert_eq!(reply_duties(&app.health).await[0].state, DutyState::Lapsed);
    let late = app
        .health
        .reply_inquiry_letter(l.id, "迟到的意见")
        .await
        .unwrap_err();
    assert_eq!(late.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(late.code(), Some("deemed_consent"));

    // A second sweep changes nothing.
    app.set_clock("2026-12-01T09:00:00+08:00").await;
    let ledger = app.duty.accountability("2026-11").await.unwrap();
    let deemed: Vec<_> = ledger
        .iter()
        .filter(|r| r.rule == "inquiry_deemed_consent")
        .collect();
    assert_eq!(deemed.len(), 1, "{ledger:?}");
    assert_eq!(deemed[0].department, "health");
    assert_eq!(
        app.count("events WHERE kind = 'inquiry.deemed_consent'")
            .await,
        1
    );
    // Both sides are told: the event's audience is the recipient and the sender.
    assert_eq!(
        app.count(
            "events e JOIN departments a ON a.id = e.dept_a JOIN departments b ON b.id = e.dept_b \
             WHERE e.kind = 'inquiry.deemed_consent' AND a.code = 'health' AND b.code = 'approval'"
        )
        .await,
        1
    );
    let l3 = app.health.inquiry_letter(l.id).await.unwrap();
    assert_eq!(l3.messages.len(), 1, "the refused reply wrote nothing");

    // Follow-ups: market (already answered) and the sender may still write; they answer
    // nothing.
    let f = app
        .market
        .reply_inquiry_letter(l.id, "补充：附件二另有说明。")
        .await
        .unwrap();
    assert!(!f.messages.last().unwrap().answers);
    let f = app
        .approval
        .reply_inquiry_letter(l.id, "收悉，谢谢。")
        .await
        .unwrap();
    assert_eq!(f.messages.len(), 3);
    assert_eq!(f.messages.last().unwrap().department, "approval");
    // Another department's people are not named to the sender.
    assert_eq!(f.messages[0].by, None);
    assert_eq!(f.messages[2].by.as_deref(), Some("shenpi1"));
    app.finish().await;
}

async fn deadlines_across_a_holiday_and_into_an_unpublished_year(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Wed 30 Sep 2026, 1 working day: 1–7 Oct is the National Day holiday → Thu 8 Oct.
    app.set_clock("2026-09-30T10:00:00+08:00").await;
    let l = app
        .market
        .send_inquiry_letter(&letter(&["approval"], Some(1)))
        .await
        .unwrap();
    let r = reply(&l, "approval");
    assert_eq!(r.due, at("2026-10-09T00:00:00+08:00"));
    assert!(!r.provisional);
    // Without reply_working_days the server's default (5) applies: 8, 9, 10 (make-up), 12, 13 Oct.
    let d = app
        .market
        .send_inquiry_letter(&letter(&["approval"], None))
        .await
        .unwrap();
    assert_eq!(d.reply_working_days, 5);
    assert_eq!(reply(&d, "approval").due, at("2026-10-14T00:00:00+08:00"));
    // 31 Dec 2026, 1 working day: 2027's notice is not published (元旦 counted, the
    // weekend) → the end of Mon 4 Jan, provisional, on the letter and on the duty.
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let p = app
        .approval
        .send_inquiry_letter(&letter(&["market"], Some(1)))
        .await
        .unwrap();
    let r = reply(&p, "market");
    assert_eq!(r.due, at("2027-01-05T00:00:00+08:00"));
    assert!(r.provisional);
    let duty = reply_duties(&app.market)
        .await
        .into_iter()
        .find(|d| d.subject_id == p.id)
        .unwrap();
    assert!(duty.provisional);
    // The 2027 notice is loaded (1–4 January off): the lawful deadline is later, so the
    // duty is re-derived and the letter shows the new deadline, no longer provisional.
    let notice: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/holidays-2027.json")).unwrap();
    let mut notice = notice.as_object().unwrap().clone();
    notice.remove("papers");
    let _: CalendarInfo = app
        .admin
        .post("/api/v1/calendar/years", &notice)
        .await
        .unwrap();
    let p = app.market.inquiry_letter(p.id).await.unwrap();
    let r = reply(&p, "market");
    assert_eq!(r.due, at("2027-01-06T00:00:00+08:00"));
    assert!(!r.provisional);
    app.finish().await;
}

async fn bad_letters_write_nothing(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let token = app.approval.token().unwrap().to_string();
    let good = json!({"subject": "函询", "body": "请回复", "recipients": ["market"]});
    let with = |k: &str, v: serde_json::Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let mut no_subject = good.clone();
    no_subject.as_object_mut().unwrap().remove("subject");
    let too_many: Vec<String> = (0..65).map(|i| format!("d{i}")).collect();
    let cases = [
        (no_subject, "subject"),
        (with("subject", json!("  ")), "subject"),
        (with("body", json!("")), "body"),
        (with("recipients", json!([])), "recipients"),
        (with("recipients", json!(too_many)), "recipients"),
        (with("recipients", json!(["nowhere"])), "recipients[0]"),
        (
            with("recipients", json!(["market", "market"])),
            "recipients[1]",
        ),
        (with("recipients", json!(["approval"])), "recipients[0]"),
        (with("reply_working_days", json!(0)), "reply_working_days"),
        (with("reply_working_days", json!(61)), "reply_working_days"),
        (with("reply_working_days", json!(-1)), "reply_working_days"),
    ];
    for (body, field) in cases {
        let (status, err) = app
            .request(
                Method::POST,
                "/api/v1/inquiry-letters",
                Some(&token),
                Some(&body.to_string()),
            )
            .await;
        assert_eq!(status, 422, "{body} → {err}");
        let got = err["error"]["field"].as_str().unwrap_or_default();
        assert!(got == field || got.starts_with(field), "{body}: {err}");
    }
    // Roles that send for no department may not send.
    let supervisor = app
        .supervisor
        .send_inquiry_letter(&letter(&["market"], None))
        .await;
    assert_eq!(refused_status(supervisor), 403);
    assert_eq!(app.count("inquiry_letters").await, 0);
    assert_eq!(app.count("inquiry_recipients").await, 0);
    assert_eq!(app.count("duties").await, 0);

    // A bad reply writes nothing either.
    let l = app
        .approval
        .send_inquiry_letter(&letter(&["market"], None))
        .await
        .unwrap();
    let (status, err) = app
        .request(
            Method::POST,
            &format!("/api/v1/inquiry-letters/{}/replies", l.id),
            Some(app.market.token().unwrap()),
            Some(r#"{"body": " "}"#),
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (422, Some("body"))
    );
    assert_eq!(app.count("inquiry_messages").await, 0);
    assert_eq!(reply_duties(&app.market).await[0].state, DutyState::Open);
    app.finish().await;
}

async fn only_the_parties_see_a_letter(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let l = app
        .approval
        .send_inquiry_letter(&letter(&["market"], None))
        .await
        .unwrap();
    // health is no party: the letter does not exist for it.
    assert_eq!(refused_status(app.health.inquiry_letter(l.id).await), 404);
    assert_eq!(
        refused_status(app.health.reply_inquiry_letter(l.id, "意见").await),
        404
    );
    assert!(
        app.health
            .inquiry_letters(None, None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(reply_duties(&app.health).await.is_empty());
    // The parties and the roles that see all do; the supervisor may not write in it.
    assert_eq!(app.market2.inquiry_letter(l.id).await.unwrap().id, l.id);
    assert_eq!(app.supervisor.inquiry_letter(l.id).await.unwrap().id, l.id);
    assert_eq!(
        refused_status(app.supervisor.reply_inquiry_letter(l.id, "意见").await),
        403
    );
    // Lists: received for market, sent for the bureau, filtered by reply status.
    let received = app
        .market
        .inquiry_letters(Some("received"), None)
        .await
        .unwrap();
    assert_eq!(received.items.len(), 1);
    assert!(
        app.market
            .inquiry_letters(Some("sent"), None)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let sent = app
        .approval
        .inquiry_letters(Some("sent"), Some("awaiting"))
        .await
        .unwrap();
    assert_eq!(sent.items.len(), 1);
    app.market.reply_inquiry_letter(l.id, "同意").await.unwrap();
    assert!(
        app.market
            .inquiry_letters(None, Some("awaiting"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let answered = app
        .approval
        .inquiry_letters(None, Some("answered"))
        .await
        .unwrap();
    assert_eq!(
        answered.items[0].replies[0].status,
        InquiryReplyStatus::Answered
    );
    // The sender's name is not shown to the recipient.
    assert_eq!(app.market.inquiry_letter(l.id).await.unwrap().sent_by, None);
    assert_eq!(
        app.approval
            .inquiry_letter(l.id)
            .await
            .unwrap()
            .sent_by
            .as_deref(),
        Some("shenpi1")
    );
    // Bad list parameters name the parameter.
    let (status, err) = app
        .request(
            Method::GET,
            "/api/v1/inquiry-letters?direction=sideways",
            Some(app.market.token().unwrap()),
            None,
        )
        .await;
    assert_eq!(
        (status, err["error"]["field"].as_str()),
        (400, Some("direction"))
    );
    app.finish().await;
}
