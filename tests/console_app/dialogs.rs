//! Text boxes: feedback, replies and escalations, and what the status line says about them.

use crate::*;

#[test]
fn reply_on_disputes_pane_and_feedback_on_unclaimed() {
    let mut a = staff();
    a.update(key('r'));
    let Mode::TextBox(tb) = &a.mode else {
        panic!("text box opens")
    };
    assert!(matches!(
        tb.purpose,
        shenguan::console::app::Purpose::Feedback {
            delivery_id: 101,
            ..
        }
    ));
    for c in "请补充材料".chars() {
        a.update(key(c));
    }
    let send = ctrl('s');
    assert_eq!(
        a.update(send),
        Some(Effect::Feedback {
            delivery_id: 101,
            body: "请补充材料".into()
        })
    );
    // Refused: the text box stays open with the text, the server's message shown.
    a.update(Action::FeedbackSent {
        delivery_id: 101,
        result: Err(RequestError::Failed(
            "反馈期限已过 / feedback window closed".into(),
        )),
    });
    let Mode::TextBox(tb) = &a.mode else {
        panic!("still open")
    };
    assert_eq!(tb.text(), "请补充材料");
    assert!(status(&a).contains("feedback window closed"));

    // On the disputes pane, r replies to the thread.
    let mut a = staff();
    a.update(code(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Disputes);
    let first = a.selected_dispute().unwrap().clone();
    a.update(key('r'));
    a.update(key('好'));
    let eff = a.update(ctrl('s'));
    assert_eq!(
        eff,
        Some(Effect::Reply {
            dispute_id: first.id,
            body: "好".into()
        })
    );
    let mut answered = first.clone();
    answered.messages.push(shenguan::api::Message {
        id: 999,
        author: "li.market".into(),
        department: Some("market".into()),
        body: "好".into(),
        at: now(),
    });
    a.update(Action::ReplySent {
        dispute_id: first.id,
        result: Ok(answered),
    });
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(
        a.selected_dispute().unwrap().messages.last().unwrap().body,
        "好"
    );
    assert!(status(&a).starts_with("已回复"));
}

#[test]
fn escape_asks_before_discarding_typed_text() {
    let mut a = app();
    a.update(key('e'));
    a.update(Action::Paste("超期未认领，请督办".into()));
    a.update(code(KeyCode::Esc));
    let Mode::TextBox(tb) = &a.mode else {
        panic!("still open")
    };
    assert!(tb.confirm_discard);
    // Any other key keeps editing.
    a.update(key('x'));
    let Mode::TextBox(tb) = &a.mode else {
        panic!("still open")
    };
    assert!(!tb.confirm_discard);
    assert_eq!(
        tb.text(),
        "超期未认领，请督办",
        "the key only dismissed the question"
    );
    a.update(code(KeyCode::Esc));
    a.update(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Normal));
    // An empty box closes at once.
    a.update(key('e'));
    a.update(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn escalate_sends_reason_and_marks_row() {
    let mut a = app();
    a.update(key('e'));
    a.update(Action::Paste("超期".into()));
    let eff = a.update(ctrl('s'));
    assert_eq!(
        eff,
        Some(Effect::Escalate {
            delivery_id: 101,
            reason: "超期".into()
        })
    );
    a.update(Action::Escalated {
        delivery_id: 101,
        result: Ok(shenguan::api::Escalation {
            id: 1,
            delivery_id: 101,
            by: "wang.duban".into(),
            reason: "超期".into(),
            at: now(),
        }),
    });
    assert!(a.selected_delivery().unwrap().escalated);
    assert!(status(&a).starts_with("已督办"));
}

#[test]
fn a_box_waiting_for_the_server_can_be_closed_and_the_answer_still_shows() {
    let mut a = staff();
    a.update(key('r'));
    a.update(Action::Paste("请核实".into()));
    let send = ctrl('s');
    assert!(a.update(send).is_some());
    a.update(key('x'));
    let Mode::TextBox(tb) = &a.mode else {
        panic!("open while sending")
    };
    assert_eq!(tb.text(), "请核实", "nothing typed while sending");
    a.update(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
    let d = fixtures::dispute(
        77,
        101,
        "食品经营许可（新办）",
        "market",
        now() + Duration::hours(9),
    );
    a.update(Action::FeedbackSent {
        delivery_id: 101,
        result: Ok(d),
    });
    assert!(status(&a).starts_with("已提出疑问/争议"));
    assert!(a.disputes.iter().any(|d| d.id == 77));
}

#[test]
fn own_actions_are_confirmed_once_and_by_name() {
    let mut a = app();
    a.update(code(KeyCode::Tab));
    let d = a.selected_dispute().unwrap().clone();
    // Escalating from the disputes pane names the item even though its delivery is not pending.
    a.update(key('e'));
    a.update(Action::Paste("答复超期".into()));
    let eff = a.update(ctrl('s'));
    assert_eq!(
        eff,
        Some(Effect::Escalate {
            delivery_id: d.delivery_id,
            reason: "答复超期".into()
        })
    );
    a.update(Action::Escalated {
        delivery_id: d.delivery_id,
        result: Ok(shenguan::api::Escalation {
            id: 5,
            delivery_id: d.delivery_id,
            by: "wang.duban".into(),
            reason: "答复超期".into(),
            at: now(),
        }),
    });
    assert_eq!(status(&a), format!("已督办：{}", d.subject));
    // Our own reply, echoed by the event stream, does not replace the confirmation.
    let mut replied = d.clone();
    replied.messages.push(shenguan::api::Message {
        id: 1234,
        author: "wang.duban".into(),
        department: None,
        body: "请尽快答复".into(),
        at: now(),
    });
    a.update(Action::ReplySent {
        dispute_id: d.id,
        result: Ok(replied.clone()),
    });
    a.update(event(90, event_types::DISPUTE_REPLIED, &replied));
    assert!(status(&a).starts_with("已回复"), "{}", status(&a));
    // Someone else's reply is announced.
    replied.messages.push(shenguan::api::Message {
        id: 1235,
        author: "shenpi2".into(),
        department: Some("approval".into()),
        body: "已补推材料".into(),
        at: now(),
    });
    a.update(event(91, event_types::DISPUTE_REPLIED, &replied));
    assert!(status(&a).starts_with("争议有新回复"), "{}", status(&a));
}

#[test]
fn dispute_events_update_the_disputes_pane() {
    let mut a = app();
    let n = a.disputes.len();
    let mut d = fixtures::dispute(
        50,
        101,
        "食品经营许可（新办）",
        "market",
        cst(2026, 11, 27, 0, 0, 0),
    );
    a.update(event(1, event_types::DISPUTE_OPENED, &d));
    assert_eq!(a.disputes.len(), n + 1);
    d.status = DisputeStatus::Resolved;
    a.update(event(2, event_types::DISPUTE_RESOLVED, &d));
    assert_eq!(a.disputes.len(), n);
}
