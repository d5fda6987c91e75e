//! Panes, overlays, the clock, the connection, the month and who may do what.

use crate::*;

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
    assert!(a.monthly.stats.is_none() && a.monthly.loading);
    // A late answer for the old month is ignored.
    a.update(Action::Monthly {
        month: "2026-11".into(),
        stats: Ok(fixtures::monthly("2026-11")),
    });
    assert!(a.monthly.stats.is_none());
    a.update(Action::Monthly {
        month: "2026-10".into(),
        stats: Ok(fixtures::monthly("2026-10")),
    });
    assert_eq!(a.monthly.stats.as_ref().unwrap().month, "2026-10");
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
    a.monthly.month = (2026, 1);
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

#[test]
fn navigation_keys_and_panes() {
    let mut a = staff();
    let last = a.delivery_count() - 1;
    a.update(code(KeyCode::End));
    assert_eq!(a.pane(Pane::Unclaimed).list.selected, last);
    a.update(code(KeyCode::Down));
    assert_eq!(
        a.pane(Pane::Unclaimed).list.selected,
        last,
        "stays on the last row"
    );
    a.update(code(KeyCode::Home));
    assert_eq!(a.pane(Pane::Unclaimed).list.selected, 0);
    a.update(code(KeyCode::PageDown));
    assert!(a.pane(Pane::Unclaimed).list.selected > 0);
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
