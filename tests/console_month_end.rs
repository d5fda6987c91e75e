//! The 月度统计 pane as the duty officer's month-end screen (issue 13 part 6): issued vs live,
//! the ranking, the trend, drill-down, issuing with confirmation and exporting; snapshots at
//! 80×24 and 120×40. No terminal, no network: `App::update` and ratatui's TestBackend.

#[path = "support/mod.rs"]
mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shenguan::api::*;
use shenguan::console::action::{Action, Command, Effect, RequestError};
use shenguan::console::app::{Mode, Pane};
use shenguan::console::theme::Theme;
use shenguan::console::{App, Lang};
use support::console::{self as fixtures, cst, draw, text};

/// The fixture month's statistics as a bulletin (issued as version `v`, or the live draft).
fn bulletin(month: &str, version: Option<i32>) -> Bulletin {
    let stats = fixtures::monthly(month);
    let mut departments: Vec<DepartmentLine> = stats
        .departments
        .into_iter()
        .map(|s| DepartmentLine {
            avg_claim_working_hours: Some(s.received as f64 / 10.0),
            answers_due: 0,
            answered_on_time: 0,
            answered_late: 0,
            answers_open: 0,
            rank: None,
            stats: s,
        })
        .collect();
    let ranking = shenguan::bulletin::rank(&mut departments);
    let at = cst(2026, 12, 3, 9, 30, 0);
    Bulletin {
        month: month.into(),
        issued: version.map(|v| BulletinIssued {
            month: month.into(),
            version: v,
            issued_at: at,
            issued_by: "zhiban1".into(),
            reason: None,
            chain_head: None,
        }),
        draft: version.is_none(),
        contents: BulletinContents {
            month: month.into(),
            generated_at: at,
            uploads: Uploads {
                approval_pushes: 0,
                approval_deliveries: 0,
                supervision_pushes: 0,
                supervision_deliveries: 0,
                late_approval_pushes: 0,
                late_rule_working_days: 1,
                by_sender: vec![],
            },
            departments,
            ranking,
            ledger: vec![AccountabilityRecord {
                id: 7,
                department: "market".into(),
                rule: "claim_overdue".into(),
                article: "7(1)1".into(),
                delivery_id: Some(101),
                push_id: Some(55),
                duty_id: None,
                dispute_id: None,
                person: None,
                annotations: vec![],
                item: "食品经营许可（新办）".into(),
                received_at: cst(2026, 11, 20, 9, 0, 0),
                occurred_at: cst(2026, 11, 24, 0, 0, 0),
            }],
            late_uploads: vec![],
            chain_head: None,
        },
    }
}

fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn enter() -> Action {
    Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE))
}

/// An app on the monthly pane with the month's bulletins (and a trend) loaded.
fn month_end(lang: Lang, me: Me, issued: bool) -> App {
    let mut a = fixtures::app(lang, Theme::default_theme(), me);
    while a.focus != Pane::Monthly {
        a.update(Action::Command(Command::NextPane));
    }
    let month = a.month_str();
    a.update(Action::Bulletins {
        month: month.clone(),
        issued: Ok(issued.then(|| Box::new(bulletin(&month, Some(1))))),
        live: Ok(Box::new(bulletin(&month, None))),
    });
    let months: Vec<MonthlyStats> = shenguan::console::app::months_ending(&month)
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let mut s = fixtures::monthly(m);
            for d in &mut s.departments {
                d.on_time_rate = d
                    .on_time_rate
                    .map(|r| (r - 0.05 * (11 - i) as f64).max(0.0));
            }
            s
        })
        .collect();
    a.update(Action::Trend {
        month,
        months: Ok(months),
    });
    a
}

#[test]
fn snapshots_issued_and_live_at_80x24_and_120x40() {
    let a = month_end(Lang::Zh, fixtures::supervisor(), true);
    let t = text(&draw(&a, 120, 40));
    assert!(t.contains("已发布 第1版 · 2026-12-03 09:30"), "{t}");
    assert!(t.contains("排名 · 全部期限按时率"));
    insta::assert_snapshot!("month_end_issued_zh_120x40", t);
    insta::assert_snapshot!("month_end_issued_zh_80x24", text(&draw(&a, 80, 24)));
    let a = month_end(Lang::En, fixtures::supervisor(), false);
    let t = text(&draw(&a, 120, 40));
    assert!(t.contains("Live figures · draft, not issued"), "{t}");
    insta::assert_snapshot!("month_end_live_en_120x40", t);
    insta::assert_snapshot!("month_end_live_en_80x24", text(&draw(&a, 80, 24)));
}

#[test]
fn staff_see_their_own_department_marked() {
    let a = month_end(Lang::Zh, fixtures::market_staff(), true);
    let t = text(&draw(&a, 120, 40));
    assert!(t.contains("» 市场监督"), "{t}");
    assert_eq!(t.matches('»').count(), 1);
    insta::assert_snapshot!("month_end_staff_zh_120x40", t);
}

#[test]
fn toggling_shows_the_live_figures_beside_the_issued_ones() {
    let mut a = month_end(Lang::Zh, fixtures::supervisor(), true);
    a.monthly.live.as_mut().unwrap().contents.departments[0]
        .stats
        .received = 999;
    assert!(!text(&draw(&a, 120, 40)).contains("999"));
    a.update(key('v'));
    let t = text(&draw(&a, 120, 40));
    assert!(t.contains("999") && t.contains("实时数字（未发布"), "{t}");
    a.update(key('v'));
    assert!(!text(&draw(&a, 120, 40)).contains("999"));
}

#[test]
fn issuing_asks_first_and_reloads_after() {
    let mut a = month_end(Lang::Zh, duty_officer(), false);
    assert_eq!(
        a.update(key('I')),
        None,
        "nothing is sent before confirming"
    );
    assert!(matches!(&a.mode, Mode::ConfirmIssue { month } if month == "2026-11"));
    insta::assert_snapshot!("month_end_confirm_zh_80x24", text(&draw(&a, 80, 24)));
    a.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(matches!(a.mode, Mode::Normal));
    a.update(key('I'));
    assert_eq!(
        a.update(enter()),
        Some(Effect::IssueBulletin {
            month: "2026-11".into()
        })
    );
    let issued = bulletin("2026-11", Some(1)).issued.unwrap();
    assert_eq!(
        a.update(Action::Issued(Ok(issued))),
        Some(Effect::LoadMonthly {
            month: "2026-11".into()
        })
    );
    assert!(
        a.status
            .as_ref()
            .unwrap()
            .text
            .contains("已发布 2026-11 月度通报第 1 版")
    );
    a.update(Action::Issued(Err(RequestError::Failed(
        "2026-11 尚有期限未届满，2026-12-02 00:00 起方可发布".into(),
    ))));
    assert!(a.status.as_ref().unwrap().text.contains("2026-12-02 00:00"));
}

#[test]
fn staff_and_supervisors_are_not_offered_issuing() {
    for me in [fixtures::market_staff(), fixtures::supervisor()] {
        let mut a = month_end(Lang::Zh, me, false);
        assert_eq!(a.update(key('I')), None);
        assert!(matches!(a.mode, Mode::Normal), "no confirmation opened");
        assert!(!shenguan::console::ui::hint_commands(&a).contains(&Command::IssueBulletin));
    }
}

#[test]
fn export_takes_what_is_shown_and_says_the_path() {
    let mut a = month_end(Lang::Zh, fixtures::market_staff(), true);
    assert_eq!(
        a.update(key('x')),
        Some(Effect::ExportBulletin {
            month: "2026-11".into(),
            version: Some(1)
        })
    );
    a.update(key('v'));
    assert_eq!(
        a.update(key('x')),
        Some(Effect::ExportBulletin {
            month: "2026-11".into(),
            version: None
        })
    );
    a.update(Action::Exported(Ok("/tmp/bulletin-2026-11-v1.xlsx".into())));
    assert!(
        a.status
            .as_ref()
            .unwrap()
            .text
            .contains("已导出到 /tmp/bulletin-2026-11-v1.xlsx")
    );
}

#[test]
fn drill_down_shows_a_departments_ledger_records() {
    let mut a = month_end(Lang::Zh, fixtures::supervisor(), true);
    // The first line is market (the fixture's order).
    a.update(enter());
    assert!(matches!(&a.mode, Mode::MonthDrill { department, .. } if department == "market"));
    let t = text(&draw(&a, 120, 40));
    assert!(t.contains("市场监督管理局：逾期事项与问责记录"), "{t}");
    assert!(t.contains("claim_overdue (7(1)1)") && t.contains("食品经营许可（新办）"));
    insta::assert_snapshot!("month_end_drill_zh_120x40", t);
    a.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn answers_for_another_month_are_ignored() {
    let mut a = month_end(Lang::Zh, fixtures::supervisor(), true);
    a.update(key('['));
    assert!(a.monthly.issued.is_none() && a.monthly.trend.is_empty());
    a.update(Action::Bulletins {
        month: "2026-11".into(),
        issued: Ok(Some(Box::new(bulletin("2026-11", Some(1))))),
        live: Ok(Box::new(bulletin("2026-11", None))),
    });
    assert!(a.monthly.issued.is_none() && a.monthly.live.is_none());
}

fn duty_officer() -> Me {
    let mut me = fixtures::supervisor();
    me.role = Role::DutyOfficer;
    me
}
