//! App-state behaviour, without a terminal or a network: every test drives `App::update`.

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shenguan::api::{Delivery, DeliveryStatus, DisputeStatus, ErrorBody, Event, Page, event_types};
use shenguan::client::StreamItem;
use shenguan::console::action::{Action, Command, Effect, RequestError};
use shenguan::console::app::{
    Connection, Mode, Pane, StatusKind, Urgency, format_countdown, urgency,
};
use shenguan::console::config::Thresholds;
use shenguan::console::fixtures::{self, cst, now};
use shenguan::console::theme::Theme;
use shenguan::console::{App, Lang};

/// The supervisor's view: every department's deliveries.
fn app() -> App {
    fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::supervisor())
}

/// A market-supervision staff member's view: only the market deliveries (101, 108), and the
/// one who claims and replies.
fn staff() -> App {
    fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::market_staff())
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(k: KeyCode) -> Action {
    Action::Key(KeyEvent::new(k, KeyModifiers::NONE))
}

fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn event(id: i64, kind: &str, data: impl serde::Serialize) -> Action {
    Action::Stream(StreamItem::Event(Event {
        id,
        kind: kind.into(),
        at: now(),
        data: serde_json::to_value(data).unwrap(),
    }))
}

fn ids(app: &App) -> Vec<i64> {
    (0..app.delivery_count())
        .map(|i| app.delivery(i).unwrap().id)
        .collect()
}

fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}

#[test]
fn starts_on_unclaimed_with_first_row_selected_soonest_first() {
    let a = app();
    assert_eq!(a.focus, Pane::Unclaimed);
    assert_eq!(a.selected_delivery().unwrap().id, 101);
    let deadlines: Vec<_> = (0..a.delivery_count())
        .map(|i| a.delivery(i).unwrap().claim_deadline)
        .collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn claim_key_requests_claim_and_success_removes_row() {
    let mut a = staff();
    let eff = a.update(key('c'));
    assert_eq!(eff, Some(Effect::Claim { id: 101 }));
    assert!(status(&a).contains("正在认领"));
    // A second press while the request is in flight does not send another.
    assert_eq!(a.update(key('c')), None);
    let mut claimed = a.selected_delivery().unwrap().clone();
    claimed.status = DeliveryStatus::Claimed;
    claimed.claimed_by = Some("li.market".into());
    a.update(Action::Claimed {
        id: 101,
        result: Ok(claimed),
    });
    assert!(!ids(&a).contains(&101));
    assert_eq!(
        a.selected_delivery().unwrap().id,
        108,
        "selection moves to the next row"
    );
    assert!(status(&a).starts_with("已认领"));
}

#[test]
fn refused_claim_shows_the_servers_message() {
    let mut a = staff();
    assert_eq!(a.update(key('c')), Some(Effect::Claim { id: 101 }));
    a.update(Action::Claimed {
        id: 101,
        result: Err(RequestError::Failed(
            "该推送已被认领 / already claimed".into(),
        )),
    });
    let st = a.status.clone().unwrap();
    assert_eq!(st.kind, StatusKind::Error);
    assert!(st.text.contains("该推送已被认领 / already claimed"));
    assert!(ids(&a).contains(&101));
}

#[test]
fn client_error_maps_to_server_message_and_unauthorized() {
    let body: ErrorBody = serde_json::from_str(
        r#"{"error":{"code":"claim_window_closed","message":"认领期限已过 / the claim window has closed"}}"#,
    )
    .unwrap();
    let e = shenguan::client::ClientError::Api {
        status: reqwest::StatusCode::CONFLICT,
        body: body.clone(),
    };
    assert_eq!(
        RequestError::from(e),
        RequestError::Failed("认领期限已过 / the claim window has closed".into())
    );
    let e = shenguan::client::ClientError::Api {
        status: reqwest::StatusCode::UNAUTHORIZED,
        body,
    };
    assert_eq!(RequestError::from(e), RequestError::Unauthorized);
    // An idle-expired session is told apart by its code.
    let idle: ErrorBody = serde_json::from_str(
        r#"{"error":{"code":"session_idle","message":"会话闲置超过 480 分钟已自动结束 / idle"}}"#,
    )
    .unwrap();
    let e = shenguan::client::ClientError::Api {
        status: reqwest::StatusCode::UNAUTHORIZED,
        body: idle,
    };
    assert_eq!(RequestError::from(e), RequestError::SessionIdle);
}

#[test]
fn claimed_event_from_a_colleague_removes_the_row() {
    let mut a = app();
    a.update(key('j'));
    assert_eq!(a.selected_delivery().unwrap().id, 102);
    let mut d = fixtures::deliveries()
        .into_iter()
        .find(|d| d.id == 101)
        .unwrap();
    d.status = DeliveryStatus::Claimed;
    d.claimed_by = Some("li.market".into());
    a.update(event(1, event_types::DELIVERY_CLAIMED, &d));
    assert!(!ids(&a).contains(&101));
    assert_eq!(
        a.selected_delivery().unwrap().id,
        102,
        "the same delivery stays selected"
    );
    assert!(status(&a).contains("li.market"), "{}", status(&a));
}

#[test]
fn created_event_inserts_in_deadline_order_without_refetch() {
    let mut a = app();
    let d = fixtures::delivery(
        500,
        "market",
        "新推送",
        "某公司",
        now() + Duration::minutes(30),
    );
    let eff = a.update(event(5, event_types::DELIVERY_CREATED, &d));
    assert_eq!(eff, None, "no refetch per event");
    let pos = ids(&a).iter().position(|&i| i == 500).unwrap();
    assert_eq!(pos, 1, "between the overdue row and the 40-minute one");
    assert_eq!(
        a.selected_delivery().unwrap().id,
        101,
        "selection stays put"
    );
    assert!(status(&a).contains("新推送"));
}

#[test]
fn events_are_applied_once_even_if_replayed() {
    let mut a = app();
    let d = fixtures::delivery(
        500,
        "market",
        "新推送",
        "某公司",
        now() + Duration::minutes(30),
    );
    a.update(event(7, event_types::DELIVERY_CREATED, &d));
    let mut claimed = d.clone();
    claimed.status = DeliveryStatus::Claimed;
    a.update(event(8, event_types::DELIVERY_CLAIMED, &claimed));
    assert!(!ids(&a).contains(&500));
    // A replay of the creation (id ≤ last seen) must not bring it back.
    a.update(event(7, event_types::DELIVERY_CREATED, &d));
    assert!(!ids(&a).contains(&500));
    assert_eq!(a.last_event_id, Some(8));
}

#[test]
fn staff_ignore_other_departments_deliveries() {
    let mut a = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::market_staff());
    let before = ids(&a);
    let d = fixtures::delivery(
        600,
        "health",
        "别的部门",
        "某公司",
        now() + Duration::hours(1),
    );
    a.update(event(3, event_types::DELIVERY_CREATED, &d));
    assert_eq!(ids(&a), before);
}

#[test]
fn a_page_does_not_resurrect_a_delivery_claimed_while_loading() {
    let mut a = App::new(
        Lang::En,
        shenguan::console::keymap::Keymap::default_keymap(),
        Theme::default_theme(),
        false,
        now(),
        Some(fixtures::supervisor()),
    );
    let _ = a.startup();
    let all = fixtures::deliveries();
    let eff = a.update(Action::Deliveries {
        page: Ok(Page {
            items: all[..4].to_vec(),
            next_cursor: Some("c1".into()),
        }),
        first: true,
    });
    assert_eq!(
        eff,
        Some(Effect::LoadDeliveries {
            cursor: Some("c1".into())
        })
    );
    assert!(a.deliveries_loading);
    let mut gone = all[6].clone();
    gone.status = DeliveryStatus::AutoClaimed;
    a.update(event(1, event_types::DELIVERY_AUTO_CLAIMED, &gone));
    let eff = a.update(Action::Deliveries {
        page: Ok(Page {
            items: all[4..].to_vec(),
            next_cursor: None,
        }),
        first: false,
    });
    assert_eq!(eff, None);
    assert!(!a.deliveries_loading);
    assert_eq!(a.delivery_count(), all.len() - 1);
    assert!(!ids(&a).contains(&gone.id));
}

#[test]
fn filter_as_you_type_and_clear() {
    let mut a = app();
    a.update(key('/'));
    assert!(matches!(a.mode, Mode::Filter));
    for c in "许可证".chars() {
        a.update(key(c));
    }
    assert_eq!(ids(&a), vec![104]);
    a.update(code(KeyCode::Backspace));
    assert!(ids(&a).len() > 1, "backspace widens the filter");
    a.update(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.filters[0], "许可");
    // Filter by department name and by ASCII, case-insensitively.
    a.update(key('/'));
    a.update(code(KeyCode::Esc));
    assert_eq!(a.delivery_count(), fixtures::deliveries().len());
    a.update(key('/'));
    for c in "JY3".chars() {
        a.update(key(c.to_ascii_lowercase()));
    }
    assert_eq!(a.delivery_count(), fixtures::deliveries().len());
    a.update(code(KeyCode::Esc));
    a.update(key('/'));
    for c in "应急".chars() {
        a.update(key(c));
    }
    assert_eq!(ids(&a), vec![104]);
    // Claim works on the filtered selection (for staff, who may claim).
    let mut a = staff();
    a.update(key('/'));
    for c in "药品".chars() {
        a.update(key(c));
    }
    assert_eq!(ids(&a), vec![108]);
    a.update(code(KeyCode::Enter));
    assert_eq!(a.update(key('c')), Some(Effect::Claim { id: 108 }));
}

#[test]
fn month_navigation() {
    let mut a = app();
    assert_eq!(a.month_str(), "2026-11");
    assert_eq!(
        a.update(key('[')),
        Some(Effect::LoadMonthly {
            month: "2026-10".into()
        })
    );
    assert!(a.monthly.is_none() && a.monthly_loading);
    // A late answer for the old month is ignored.
    a.update(Action::Monthly {
        month: "2026-11".into(),
        stats: Ok(fixtures::monthly("2026-11")),
    });
    assert!(a.monthly.is_none());
    a.update(Action::Monthly {
        month: "2026-10".into(),
        stats: Ok(fixtures::monthly("2026-10")),
    });
    assert_eq!(a.monthly.as_ref().unwrap().month, "2026-10");
    a.update(key(']'));
    assert_eq!(
        a.update(key(']')),
        Some(Effect::LoadMonthly {
            month: "2026-12".into()
        })
    );
    assert_eq!(
        a.update(key(']')),
        Some(Effect::LoadMonthly {
            month: "2027-01".into()
        })
    );
    a.month = (2026, 1);
    assert_eq!(
        a.update(key('[')),
        Some(Effect::LoadMonthly {
            month: "2025-12".into()
        })
    );
}

#[test]
fn readonly_blocks_every_mutating_action_in_one_place() {
    let mut a = app();
    a.readonly = true;
    for cmd in [Command::Claim, Command::Reply, Command::Escalate] {
        assert_eq!(a.update(Action::Command(cmd)), None);
        assert!(matches!(a.mode, Mode::Normal), "{cmd:?} opened nothing");
        let st = a.status.clone().unwrap();
        assert_eq!(st.kind, StatusKind::Error);
        assert!(st.text.contains("只读"), "{}", st.text);
    }
    a.update(key('c'));
    assert!(status(&a).contains("只读"));
    // Every mutating command is refused, whatever key it is bound to.
    for &cmd in Command::ALL.iter().filter(|c| c.is_mutating()) {
        assert_eq!(a.update(Action::Command(cmd)), None);
    }
    // Reading still works.
    assert_eq!(
        a.update(Action::Command(Command::Details)),
        Some(Effect::LoadDetail { id: 101 })
    );
}

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
fn countdown_formatting_and_urgency() {
    let s = Lang::Zh.strings();
    let n = now();
    assert_eq!(
        format_countdown(n + Duration::seconds(3725), n, s),
        "01:02:05"
    );
    assert_eq!(
        format_countdown(n + Duration::seconds(86_400 + 61), n, s),
        "1天 00:01:01"
    );
    assert_eq!(format_countdown(n, n, s), "已超时 00:00:00");
    assert_eq!(
        format_countdown(n - Duration::seconds(90), n, s),
        "已超时 00:01:30"
    );
    assert_eq!(
        format_countdown(n + Duration::seconds(59), n, Lang::En.strings()),
        "00:00:59"
    );
    assert_eq!(
        format_countdown(n - Duration::days(2), n, Lang::En.strings()),
        "overdue 2d 00:00:00"
    );
    let th = Thresholds::default();
    assert_eq!(urgency(n + Duration::hours(5), n, &th), Urgency::Plenty);
    assert_eq!(urgency(n + Duration::hours(4), n, &th), Urgency::Plenty);
    assert_eq!(
        urgency(n + Duration::hours(4) - Duration::seconds(1), n, &th),
        Urgency::Urgent
    );
    assert_eq!(
        urgency(n + Duration::minutes(59), n, &th),
        Urgency::Critical
    );
    assert_eq!(
        urgency(n, n, &th),
        Urgency::Overdue,
        "acting at the deadline instant is late"
    );
    let th =
        Thresholds::parse("[urgency]\nurgent_minutes = 480\ncritical_minutes = 120\n").unwrap();
    assert_eq!(urgency(n + Duration::hours(5), n, &th), Urgency::Urgent);
    assert_eq!(
        urgency(n + Duration::minutes(90), n, &th),
        Urgency::Critical
    );
    assert!(Thresholds::parse("[urgency]\nurgent_minutes = 10\ncritical_minutes = 60\n").is_err());
    assert!(Thresholds::parse("[urgency]\nsoon = 1\n").is_err());
}

#[test]
fn tick_moves_countdowns_and_marks_dirty_once_per_second() {
    let mut a = app();
    a.dirty = false;
    a.update(Action::Tick(now()));
    assert!(!a.dirty, "same second: nothing to redraw");
    a.update(Action::Tick(now() + Duration::seconds(1)));
    assert!(a.dirty);
    assert_eq!(a.now, now() + Duration::seconds(1));
}

#[test]
fn monthly_refreshes_after_claims_at_most_every_ten_seconds() {
    let mut a = app();
    let mut d = fixtures::deliveries()[0].clone();
    d.status = DeliveryStatus::Claimed;
    a.update(event(1, event_types::DELIVERY_CLAIMED, &d));
    assert_eq!(
        a.update(Action::Tick(now() + Duration::seconds(1))),
        None,
        "not yet"
    );
    assert_eq!(
        a.update(Action::Tick(now() + Duration::seconds(11))),
        Some(Effect::LoadMonthly {
            month: "2026-11".into()
        })
    );
}

#[test]
fn connection_states_and_unauthorized_stream() {
    let mut a = app();
    a.update(Action::Stream(StreamItem::Reconnecting {
        after: std::time::Duration::from_millis(500),
        reason: "connection refused".into(),
    }));
    assert_eq!(
        a.connection,
        Connection::Reconnecting {
            after_secs: 1,
            reason: "connection refused".into()
        }
    );
    // No event seen yet, so the stream cannot resume from an id: the lists are reloaded.
    let eff = a.update(Action::Stream(StreamItem::Connected));
    assert!(
        matches!(&eff, Some(Effect::Batch(v)) if v.contains(&Effect::LoadDeliveries { cursor: None })),
        "{eff:?}"
    );
    assert_eq!(a.connection, Connection::Live);
    assert!(status(&a).contains("已重新连接"));
    // With an event seen, the stream resumes after it: no reload.
    a.update(event(
        40,
        event_types::DELIVERY_REMINDER,
        &fixtures::deliveries()[0],
    ));
    a.update(Action::Stream(StreamItem::Reconnecting {
        after: std::time::Duration::from_millis(250),
        reason: "eof".into(),
    }));
    assert_eq!(a.update(Action::Stream(StreamItem::Connected)), None);
    assert_eq!(
        a.update(Action::Stream(StreamItem::Unauthorized)),
        Some(Effect::Quit)
    );
    assert!(a.quit);
    assert!(a.fatal.as_deref().unwrap().contains("shenguan login"));
}

/// A session ended for idleness: the console quits saying so, and asks for a new login.
#[test]
fn idle_session_stream_says_so() {
    let mut a = app();
    assert_eq!(
        a.update(Action::Stream(StreamItem::SessionIdle)),
        Some(Effect::Quit)
    );
    let msg = a.fatal.as_deref().unwrap();
    assert!(
        msg.contains("未操作") && msg.contains("shenguan login"),
        "{msg}"
    );
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

#[test]
fn navigation_keys_and_panes() {
    let mut a = staff();
    let last = a.delivery_count() - 1;
    a.update(code(KeyCode::End));
    assert_eq!(a.lists[0].selected, last);
    a.update(code(KeyCode::Down));
    assert_eq!(a.lists[0].selected, last, "stays on the last row");
    a.update(code(KeyCode::Home));
    assert_eq!(a.lists[0].selected, 0);
    a.update(code(KeyCode::PageDown));
    assert!(a.lists[0].selected > 0);
    a.update(Action::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    assert_eq!(a.focus, Pane::Monthly);
    a.update(code(KeyCode::Tab));
    assert_eq!(a.focus, Pane::Unclaimed);
    // Claim is not for the statistics pane.
    a.update(code(KeyCode::BackTab));
    assert_eq!(a.update(key('c')), None);
    assert!(status(&a).contains("不适用"));
    assert_eq!(a.update(key('q')), Some(Effect::Quit));
}

#[test]
fn help_and_details_overlays_close_with_cancel() {
    let mut a = app();
    a.update(key('?'));
    assert!(matches!(a.mode, Mode::Help { .. }));
    a.update(key('q'));
    assert!(
        matches!(a.mode, Mode::Normal),
        "q closes the overlay rather than quitting"
    );
    assert!(!a.quit);
    a.update(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Details(_)));
    a.update(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
    let help = a.help_lines();
    assert!(help.iter().any(|(k, d)| k == "c" && d.contains("认领")));
}

#[test]
fn unused_delivery_fields_do_not_break_sorting() {
    // Equal deadlines are ordered by id, as the server orders them.
    let mut a = app();
    let dl = cst(2026, 11, 28, 0, 0, 0);
    let d: Delivery = fixtures::delivery(103_000, "market", "同一期限", "某公司", dl);
    a.update(event(1, event_types::DELIVERY_CREATED, &d));
    let same: Vec<i64> = (0..a.delivery_count())
        .map(|i| a.delivery(i).unwrap())
        .filter(|d| d.claim_deadline == dl)
        .map(|d| d.id)
        .collect();
    let mut sorted = same.clone();
    sorted.sort();
    assert_eq!(same, sorted);
    assert_eq!(*same.last().unwrap(), 103_000);
}

#[test]
fn filtered_view_stays_correct_under_live_events() {
    use std::collections::BTreeMap;
    let mut a = app();
    a.update(key('/'));
    for c in "许可".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    // A model of what should be pending: (deadline, id) → delivery.
    let mut model: BTreeMap<_, Delivery> = fixtures::deliveries()
        .into_iter()
        .map(|d| ((d.claim_deadline, d.id), d))
        .collect();
    let titles = [
        "食品经营许可",
        "排污登记",
        "药品零售许可",
        "建筑垃圾处置核准",
    ];
    let mut seed = 7u64;
    let mut rand = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    for step in 0..400i64 {
        let r = rand();
        if r % 3 == 0 && !model.is_empty() {
            let k = *model.keys().nth(rand() % model.len()).unwrap();
            let mut d = model.remove(&k).unwrap();
            d.status = DeliveryStatus::Claimed;
            a.update(event(step + 1, event_types::DELIVERY_CLAIMED, &d));
        } else if r % 3 == 1 && !model.is_empty() {
            // A reminder for an existing row: updated in place, not duplicated.
            let k = *model.keys().nth(rand() % model.len()).unwrap();
            let mut d = model[&k].clone();
            d.important = !d.important;
            model.insert(k, d.clone());
            a.update(event(step + 1, event_types::DELIVERY_REMINDER, &d));
        } else {
            let d = fixtures::delivery(
                10_000 + step,
                "market",
                titles[rand() % titles.len()],
                "某公司",
                now() + Duration::minutes((rand() % 600) as i64 - 60),
            );
            model.insert((d.claim_deadline, d.id), d.clone());
            a.update(event(step + 1, event_types::DELIVERY_CREATED, &d));
        }
        let expected: Vec<i64> = model
            .values()
            .filter(|d| d.title.contains("许可"))
            .map(|d| d.id)
            .collect();
        assert_eq!(ids(&a), expected, "step {step}");
        assert_eq!(a.delivery_total(), model.len());
    }
    // Clearing the filter shows everything, in order.
    a.update(code(KeyCode::Esc));
    let all: Vec<i64> = model.values().map(|d| d.id).collect();
    assert_eq!(ids(&a), all);
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
fn roles_are_offered_only_what_they_may_do() {
    use shenguan::console::ui::hint_commands;
    // A supervisor escalates but neither claims nor replies: not offered, and refused at once
    // without a request if the key is pressed anyway.
    let mut a = app();
    let bar = hint_commands(&a);
    assert!(bar.contains(&Command::Escalate));
    assert!(!bar.contains(&Command::Claim) && !bar.contains(&Command::Reply));
    assert_eq!(a.update(key('c')), None);
    assert!(status(&a).contains("当前角色不能"), "{}", status(&a));
    assert_eq!(a.update(key('r')), None);
    assert!(matches!(a.mode, Mode::Normal));
    // Staff are offered all three.
    let a = staff();
    let bar = hint_commands(&a);
    for c in [Command::Claim, Command::Reply, Command::Escalate] {
        assert!(bar.contains(&c), "{c:?}");
    }
    // The duty officer (值班) watches: none of the three.
    let mut me = fixtures::supervisor();
    me.role = shenguan::api::Role::DutyOfficer;
    let mut a = fixtures::app(Lang::En, Theme::default_theme(), me);
    let bar = hint_commands(&a);
    assert!(
        ![Command::Claim, Command::Reply, Command::Escalate]
            .iter()
            .any(|c| bar.contains(c))
    );
    assert_eq!(a.update(key('e')), None);
    assert!(status(&a).contains("Your role cannot"), "{}", status(&a));
}

#[test]
fn a_new_department_is_named_as_soon_as_it_is_created() {
    let mut a = app();
    assert_eq!(
        a.department_name("tax"),
        "tax",
        "unknown codes show as codes"
    );
    a.update(event(
        900,
        event_types::DEPARTMENT_CREATED,
        shenguan::api::Department {
            code: "tax".into(),
            name: "税务局".into(),
            kind: shenguan::api::DepartmentKind::Supervision,
        },
    ));
    assert_eq!(a.department_name("tax"), "税务局");
}

#[test]
fn a_filter_on_a_department_name_picks_up_rows_once_the_name_arrives() {
    let tax = || shenguan::api::Department {
        code: "tax".into(),
        name: "税务局".into(),
        kind: shenguan::api::DepartmentKind::Supervision,
    };
    let row = fixtures::delivery(950, "tax", "排污登记", "某公司", now() + Duration::hours(2));
    // A new department's name arrives as an event.
    let mut a = app();
    a.update(event(901, event_types::DELIVERY_CREATED, &row));
    a.update(key('/'));
    for c in "税务".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    assert_eq!(ids(&a), Vec::<i64>::new(), "the code alone does not match");
    a.update(event(902, event_types::DEPARTMENT_CREATED, tax()));
    assert_eq!(ids(&a), vec![950]);
    // Or with the department list (e.g. loaded after the deliveries).
    let mut a = app();
    a.update(event(901, event_types::DELIVERY_CREATED, &row));
    a.update(key('/'));
    for c in "税务".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    assert_eq!(ids(&a), Vec::<i64>::new());
    let mut deps = fixtures::departments();
    deps.push(tax());
    a.set_departments(deps);
    assert_eq!(ids(&a), vec![950]);
}
