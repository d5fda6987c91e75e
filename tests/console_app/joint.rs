//! The joint-work pane (联合踏勘): loading, snapshots, acknowledge / sign / dissent keys, and
//! live updates from the event stream.

use crate::support::console::{draw, text};
use shenguan::api::*;
use shenguan::console::app::{Inspection, Purpose};

use crate::*;

fn participant(dept: &str, acked: bool) -> JointParticipant {
    JointParticipant {
        department: dept.into(),
        acknowledged_at: acked.then(now),
        acknowledged_by: None,
    }
}

fn joint(
    id: i64,
    kind: JointEventKind,
    title: &str,
    at: chrono::DateTime<chrono::FixedOffset>,
    parts: &[(&str, bool)],
) -> JointEvent {
    JointEvent {
        id,
        kind,
        title: title.into(),
        starts_at: at,
        place: "县政务服务中心".into(),
        organiser: "approval".into(),
        subject: None,
        status: JointEventStatus::Scheduled,
        notified_at: now() - Duration::days(3),
        emergency: None,
        participants: parts.iter().map(|(d, a)| participant(d, *a)).collect(),
        agenda: vec![],
        history: vec![],
        minutes: vec![],
        report: None,
        experts: vec![],
        created_at: now() - Duration::days(3),
    }
}

fn report(event_id: i64, signed: &[(&str, bool)], unsigned: &[&str]) -> JointReport {
    JointReport {
        event_id,
        body: "现场勘验报告".into(),
        recorded_at: now(),
        recorded_by: None,
        signatures: signed
            .iter()
            .map(|(d, agree)| Signature {
                department: d.to_string(),
                agree: *agree,
                comment: (!agree).then(|| "不同意".into()),
                signer: None,
                signed_at: now(),
            })
            .collect(),
        unsigned: unsigned.iter().map(|d| d.to_string()).collect(),
        is_final: unsigned.is_empty(),
        final_at: unsigned.is_empty().then(now),
    }
}

/// A week of joint work around "now" (Thu 26 Nov 2026 14:30).
fn week() -> Vec<JointEvent> {
    let mut held = joint(
        1,
        JointEventKind::Inspection,
        "食品生产许可现场踏勘",
        cst(2026, 11, 25, 9, 0, 0),
        &[("market", true), ("health", true)],
    );
    held.report = Some(report(1, &[("health", false)], &["market"]));
    let mut done = joint(
        2,
        JointEventKind::Review,
        "建筑工程施工图联合会审",
        cst(2026, 11, 24, 14, 0, 0),
        &[("housing", true), ("emergency", true)],
    );
    done.report = Some(report(2, &[("housing", true), ("emergency", true)], &[]));
    let upcoming = joint(
        3,
        JointEventKind::Hearing,
        "排污许可听证",
        cst(2026, 11, 27, 9, 30, 0),
        &[("market", false), ("ecology", true)],
    );
    let mut cancelled = joint(
        4,
        JointEventKind::Meeting,
        "审管联席会议",
        cst(2026, 11, 30, 15, 0, 0),
        &[("market", false)],
    );
    cancelled.status = JointEventStatus::Cancelled;
    let mut urgent = joint(
        5,
        JointEventKind::Inspection,
        "危化品仓库险情联合踏勘",
        cst(2026, 11, 26, 16, 0, 0),
        &[("emergency", false), ("market", true)],
    );
    urgent.emergency = Some(EmergencyOverride {
        reason: "险情".into(),
        by: None,
    });
    vec![held, done, upcoming, cancelled, urgent]
}

fn loaded(mut a: App) -> App {
    a.update(Action::JointEvents(Ok(JointEventList { items: week() })));
    a.update(Action::Command(Command::NextPane));
    a.update(Action::Command(Command::NextPane));
    assert_eq!(a.focus, Pane::Inspections);
    a
}

fn select(a: &mut App, id: i64) {
    a.update(Action::Command(Command::Home));
    while a.selected_inspection().map(|i| i.id) != Some(id) {
        let before = a.pane(Pane::Inspections).list.selected;
        a.update(Action::Command(Command::Down));
        assert_ne!(
            before,
            a.pane(Pane::Inspections).list.selected,
            "row {id} not found"
        );
    }
}

#[test]
fn loading_until_the_server_answers_then_empty_only_if_it_says_so() {
    let mut a = App::new(
        Lang::Zh,
        shenguan::console::keymap::Keymap::default_keymap(),
        Theme::default_theme(),
        false,
        now(),
        Some(fixtures::market_staff()),
    );
    let startup = a.startup();
    let Effect::Batch(list) = startup else {
        panic!("a batch")
    };
    let Effect::Batch(reload) = &list[0] else {
        panic!("the reload")
    };
    assert!(reload.contains(&Effect::LoadJointEvents), "loaded on start");
    a.update(Action::Command(Command::NextPane));
    a.update(Action::Command(Command::NextPane));
    let s = a.s();
    let t = text(&draw(&a, 100, 20));
    assert!(
        t.contains(s.loading) && !t.contains(s.empty_inspections),
        "{t}"
    );
    a.update(Action::JointEvents(Ok(JointEventList { items: vec![] })));
    let t = text(&draw(&a, 100, 20));
    assert!(t.contains(s.empty_inspections), "{t}");
    // A failed load is an error in the status line, not "nothing scheduled".
    let mut b = App::new(
        Lang::Zh,
        shenguan::console::keymap::Keymap::default_keymap(),
        Theme::default_theme(),
        false,
        now(),
        Some(fixtures::market_staff()),
    );
    b.update(Action::JointEvents(Err(RequestError::Failed(
        "服务暂不可用 / service unavailable".into(),
    ))));
    assert!(!b.inspections_loaded);
    assert!(status(&b).contains("service unavailable"));
}

#[test]
fn pane_snapshots() {
    let a = loaded(staff());
    let t = text(&draw(&a, 140, 24));
    // Soonest first; market's own outstanding acknowledgement stands out.
    let order: Vec<usize> = [
        "建筑工程施工图联合会审",
        "食品生产许可现场踏勘",
        "危化品仓库险情联合踏勘",
        "排污许可听证",
        "审管联席会议",
    ]
    .iter()
    .map(|n| t.find(n).unwrap_or_else(|| panic!("{n} shown:\n{t}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{t}");
    for s in ["待签收", "已定稿", "1/2", "已取消", "[紧急]"] {
        assert!(t.contains(s), "{s}:\n{t}");
    }
    insta::assert_snapshot!("joint_zh_140x24", t);
    let en = loaded(fixtures::app(
        Lang::En,
        Theme::default_theme(),
        fixtures::market_staff(),
    ));
    insta::assert_snapshot!("joint_en_140x24", text(&draw(&en, 140, 24)));
    let wall = loaded(app());
    insta::assert_snapshot!("joint_supervisor_zh_80x24", text(&draw(&wall, 80, 24)));
}

#[test]
fn acknowledge_my_departments_notice() {
    let mut a = loaded(staff());
    select(&mut a, 3);
    assert_eq!(
        a.update(key('a')),
        Some(Effect::Acknowledge { event_id: 3 })
    );
    let mut after = week().remove(2);
    after.participants[0].acknowledged_at = Some(now());
    a.update(Action::JointDone {
        event_id: 3,
        result: Ok(Box::new(after)),
    });
    assert!(status(&a).contains("已签收通知"), "{}", status(&a));
    assert_eq!(
        a.selected_inspection().unwrap().acknowledged,
        ["market", "ecology"]
    );
    // Acknowledged already: said so, nothing sent.
    assert_eq!(a.update(key('a')), None);
    assert!(status(&a).contains("本部门已签收"));
    // Not a participant: refused here, nothing sent.
    select(&mut a, 2);
    assert_eq!(a.update(key('a')), None);
    assert!(status(&a).contains("本部门未参加"));
    // A refusal from the server is shown.
    select(&mut a, 4);
    assert_eq!(
        a.update(key('a')),
        Some(Effect::Acknowledge { event_id: 4 })
    );
    a.update(Action::JointDone {
        event_id: 4,
        result: Err(RequestError::Failed(
            "该联合工作已取消 / the joint event is cancelled".into(),
        )),
    });
    assert!(status(&a).contains("cancelled"));
    // Supervisors do not take part: the key is refused for the role.
    let mut w = loaded(app());
    assert_eq!(w.update(key('a')), None);
    assert_eq!(w.status.as_ref().unwrap().kind, StatusKind::Error);
}

#[test]
fn sign_agree_or_dissent_in_a_text_box() {
    let mut a = loaded(staff());
    // No report yet on the hearing: nothing to sign.
    select(&mut a, 3);
    assert_eq!(a.update(key('s')), None);
    assert!(status(&a).contains("报告尚未录入"));
    select(&mut a, 1);
    // Dissent needs a reason.
    a.update(key('d'));
    let Mode::TextBox(tb) = &a.mode else {
        panic!("a text box")
    };
    assert_eq!(
        tb.purpose,
        Purpose::Sign {
            event_id: 1,
            title: "食品生产许可现场踏勘".into(),
            agree: false
        }
    );
    insta::assert_snapshot!("joint_dissent_dialog", text(&draw(&a, 100, 24)));
    assert_eq!(a.update(ctrl('s')), None);
    a.update(Action::Paste("排水设施不符合要求".into()));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::Sign {
            event_id: 1,
            agree: false,
            comment: Some("排水设施不符合要求".into())
        })
    );
    a.mode = Mode::Normal;
    // Agreeing needs no comment.
    a.update(key('s'));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::Sign {
            event_id: 1,
            agree: true,
            comment: None
        })
    );
    let mut signed = week().remove(0);
    signed.report = Some(report(1, &[("health", false), ("market", true)], &[]));
    a.update(Action::JointDone {
        event_id: 1,
        result: Ok(Box::new(signed)),
    });
    assert!(matches!(a.mode, Mode::Normal), "the box closes");
    assert!(status(&a).contains("已在报告上签字"));
    let row = a.selected_inspection().unwrap();
    assert!(row.report_final && row.signed == 2);
    // Signed already: said so.
    assert_eq!(a.update(key('s')), None);
    assert!(status(&a).contains("本部门已签字"));
}

#[test]
fn live_from_the_event_stream() {
    let mut a = loaded(staff());
    let new = joint(
        9,
        JointEventKind::Review,
        "消防设计联合审查",
        cst(2026, 11, 27, 10, 0, 0),
        &[("market", false)],
    );
    a.update(event(1000, event_types::JOINT_EVENT_SCHEDULED, &new));
    assert!(a.inspections.iter().any(|i| i.id == 9));
    assert!(status(&a).contains("消防设计联合审查"));
    let mut moved = new.clone();
    moved.starts_at = cst(2026, 12, 1, 10, 0, 0);
    a.update(event(1001, event_types::JOINT_EVENT_RESCHEDULED, &moved));
    let row: &Inspection = a.inspections.iter().find(|i| i.id == 9).unwrap();
    assert_eq!(row.at, cst(2026, 12, 1, 10, 0, 0));
    assert_eq!(a.inspections.iter().filter(|i| i.id == 9).count(), 1);
    let mut signed = week().remove(0);
    signed.report = Some(report(1, &[("health", false), ("market", true)], &[]));
    a.update(event(1002, event_types::REPORT_SIGNED, &signed));
    assert!(
        a.inspections
            .iter()
            .find(|i| i.id == 1)
            .unwrap()
            .report_final
    );
    // Kept in time order.
    let ats: Vec<_> = a.inspections.iter().map(|i| i.at).collect();
    assert!(ats.windows(2).all(|w| w[0] <= w[1]));
}
