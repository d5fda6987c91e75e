//! Rendering snapshots with ratatui's TestBackend: Chinese and English, 80×24 and 160×50,
//! every theme, overlays and dialogs. The "now" is fixed; the wall clock is never read.

#[path = "support/mod.rs"]
mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use shenguan::api::{DeliveryDetail, Push, PushContent};
use shenguan::console::action::{Action, Command};
use shenguan::console::theme::Theme;
use shenguan::console::{App, Lang};
use support::console::{self as fixtures, draw, find, text};

fn app(lang: Lang) -> App {
    fixtures::app(lang, Theme::default_theme(), fixtures::supervisor())
}

fn snap(name: &str, app: &App, w: u16, h: u16) {
    let buf = draw(app, w, h);
    insta::assert_snapshot!(name, text(&buf));
}

#[test]
fn zh_80x24() {
    snap("zh_80x24", &app(Lang::Zh), 80, 24);
}

#[test]
fn zh_160x50() {
    snap("zh_160x50", &app(Lang::Zh), 160, 50);
}

#[test]
fn en_80x24() {
    snap("en_80x24", &app(Lang::En), 80, 24);
}

#[test]
fn en_160x50() {
    snap("en_160x50", &app(Lang::En), 160, 50);
}

#[test]
fn department_staff_see_no_department_column_at_120x40() {
    let a = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::market_staff());
    let buf = draw(&a, 120, 40);
    let t = text(&buf);
    assert!(
        !t.contains("接收部门"),
        "staff see only their own department"
    );
    assert!(t.contains("食品经营许可（新办）"));
    assert!(
        !t.contains("建筑工程施工许可"),
        "other departments' deliveries are not shown"
    );
    insta::assert_snapshot!("staff_zh_120x40", t);
}

#[test]
fn each_pane_at_80x24() {
    for (name, lang) in [("zh", Lang::Zh), ("en", Lang::En)] {
        let mut a = app(lang);
        for pane in ["disputes", "inspections", "monthly"] {
            a.update(Action::Command(Command::NextPane));
            snap(&format!("{name}_80x24_{pane}"), &a, 80, 24);
        }
    }
}

#[test]
fn ascii_borders() {
    let mut theme = Theme::default_theme();
    theme.ascii = true;
    let a = fixtures::app(Lang::Zh, theme, fixtures::supervisor());
    let buf = draw(&a, 80, 24);
    let t = text(&buf);
    assert!(
        !t.contains('─') && !t.contains('│') && !t.contains('┌'),
        "no box-drawing characters"
    );
    snap("zh_80x24_ascii", &a, 80, 24);
}

#[test]
fn help_is_generated_from_the_keymap() {
    let mut a = app(Lang::Zh);
    a.update(Action::Command(Command::Help));
    snap("zh_80x24_help", &a, 80, 24);
    let mut a = fixtures::app(Lang::En, Theme::default_theme(), fixtures::supervisor());
    a.keymap = shenguan::console::keymap::Keymap::load("vim").unwrap();
    a.update(Action::Command(Command::Help));
    let t = text(&draw(&a, 80, 24));
    assert!(
        t.contains("Ctrl-D"),
        "vim page-down binding shown in help:\n{t}"
    );
}

fn detail(app: &App) -> DeliveryDetail {
    let d = app.selected_delivery().unwrap().clone();
    let push_json = serde_json::json!({
        "id": d.push_id, "kind": "approval", "source_department": "approval",
        "created_at": "2026-11-25T04:30:00+08:00", "created_by": "zhang.approval",
        "item_name": d.title, "license_no": "JY33703220001234",
        "counterparty": {"name": "高青县鲁味餐饮有限公司", "credit_code": "91370322MA3C0000X1",
                          "contact_name": "刘经理", "contact_phone": "13800000000"},
        "license_date": "2026-11-25", "valid_until": "2031-11-24", "mode": "notify_commit",
        "commitment_letter": {"content": "本单位承诺符合食品经营许可条件。", "signed_on": "2026-11-24"},
        "recipients": ["market", "health"], "important": false,
        "deliveries": [],
    });
    let push: Push = serde_json::from_value(push_json).unwrap();
    assert!(matches!(push.content, PushContent::Approval(_)));
    DeliveryDetail {
        delivery: d,
        push,
        disputes: fixtures::disputes()[..1].to_vec(),
        escalations: vec![],
        history: vec![shenguan::api::HistoryEntry {
            at: fixtures::cst(2026, 11, 25, 4, 30, 0),
            actor: "zhang.approval".into(),
            action: "push.created".into(),
        }],
    }
}

#[test]
fn details_overlay() {
    let mut a = app(Lang::Zh);
    let det = detail(&a);
    a.update(Action::Command(Command::Details));
    a.update(Action::Detail(Ok(Box::new(det))));
    let t = text(&draw(&a, 160, 50));
    for field in [
        "统一社会信用代码",
        "91370322MA3C0000X1",
        "告知承诺书",
        "历史记录",
        "push.created",
        "疑问与争议",
    ] {
        assert!(t.contains(field), "details show {field}:\n{t}");
    }
    snap("zh_80x24_details", &a, 80, 24);
}

/// Another department's record names the department and its status, never a person; a
/// licence without expiry reads 长期 / no expiry.
#[test]
fn details_name_other_departments_not_people() {
    for (lang, claimed, expiry) in [
        (Lang::Zh, "市场监督管理局 已认领", "长期"),
        (Lang::En, "claimed", "no expiry"),
    ] {
        let mut a = app(lang);
        let mut det = detail(&a);
        if let PushContent::Approval(ap) = &mut det.push.content {
            ap.valid_until = shenguan::api::ValidUntil::Indefinite;
        }
        let mut theirs = det.delivery.clone();
        theirs.department = "market".into();
        theirs.status = shenguan::api::DeliveryStatus::Claimed;
        theirs.claimed_at = Some(fixtures::cst(2026, 11, 25, 9, 0, 0));
        theirs.claimed_by = None;
        let mut ours = theirs.clone();
        ours.department = "health".into();
        ours.status = shenguan::api::DeliveryStatus::Pending;
        ours.claimed_at = None;
        det.push.deliveries = vec![theirs.clone(), ours];
        // The bureau's view of market's delivery: status, time and department, no name.
        det.delivery = theirs;
        a.update(Action::Command(Command::Details));
        a.update(Action::Detail(Ok(Box::new(det))));
        let t = text(&draw(&a, 160, 50));
        assert!(t.contains(claimed), "{claimed}:\n{t}");
        assert!(t.contains(expiry), "{expiry}:\n{t}");
        if lang == Lang::Zh {
            assert!(
                t.contains("市场监督管理局 已认领、卫生健康局 待认领"),
                "{t}"
            );
        }
    }
}

#[test]
fn reply_dialog_with_chinese_text() {
    // Staff reply (a supervisor is not offered it).
    let mut a = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::market_staff());
    a.update(Action::Command(Command::Reply));
    for c in "经营面积与申报不符".chars() {
        a.update(Action::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| shenguan::console::ui::render(f, &a)).unwrap();
    let buf = t.backend().buffer().clone();
    // The terminal cursor sits right after the typed text (9 wide characters = 18 cells), where
    // an input method will open its candidate window.
    let (x, y) = find(&buf, "经营面积").unwrap();
    let pos = t.get_cursor_position().unwrap();
    assert_eq!((pos.x, pos.y), (x + 18, y));
    insta::assert_snapshot!("zh_80x24_reply_dialog", text(&buf));
    // Esc with text typed asks before discarding.
    a.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    let t = text(&draw(&a, 80, 24));
    assert!(t.contains("放弃已输入的内容"), "{t}");
}

#[test]
fn urgency_colours_default_theme() {
    let a = app(Lang::Zh);
    let buf = draw(&a, 160, 50);
    let (x, y) = find(&buf, "已超时 00:20:00").expect("overdue countdown shown");
    let st = buf[(x, y)].style();
    assert_eq!(st.bg, Some(Color::Red), "overdue is white on red");
    assert!(st.add_modifier.contains(Modifier::BOLD));
    let (x, y) = find(&buf, "00:40:00").expect("critical countdown shown");
    assert_eq!(buf[(x, y)].style().fg, Some(Color::LightRed));
    let (x, y) = find(&buf, "03:00:00").expect("urgent countdown shown");
    assert_eq!(buf[(x, y)].style().fg, Some(Color::Yellow));
    let (x, y) = find(&buf, "1天 09:30:00").expect("plenty countdown shown");
    assert_eq!(buf[(x, y)].style().fg, Some(Color::Green));
    // The provisional deadline is marked.
    assert!(find(&buf, "01-05 00:00(暂)").is_some());
}

/// For each theme: the style of the cells that carry meaning (urgency, selection, borders).
fn style_report(theme: &str) -> String {
    let a = fixtures::app(
        Lang::Zh,
        Theme::load(theme).unwrap(),
        fixtures::supervisor(),
    );
    let buf = draw(&a, 160, 50);
    let probes = [
        ("overdue", "已超时 00:20:00"),
        ("critical", "00:40:00"),
        ("urgent", "03:00:00"),
        ("plenty", "1天 09:30:00"),
        ("provisional", "01-05 00:00(暂)"),
        ("header", "事项"),
        ("focused title", "待认领"),
        ("live", "● 实时"),
        ("selected row", "食品经营许可（新办）"),
    ];
    let mut out = format!("theme {theme}\n");
    for (what, needle) in probes {
        let (x, y) = find(&buf, needle).unwrap_or_else(|| panic!("{needle} on screen"));
        out.push_str(&format!("{what:>14}: {:?}\n", buf[(x, y)].style()));
    }
    out.push_str(&format!("{:>14}: {:?}\n", "border", buf[(0, 1)].style()));
    out
}

#[test]
fn every_theme() {
    for theme in ["default", "256", "light", "mono"] {
        let report = style_report(theme);
        if theme == "mono" {
            assert!(
                !report.contains("fg: Some") && !report.contains("bg: Some"),
                "mono has no colours:\n{report}"
            );
        }
        if theme == "256" {
            assert!(report.contains("Indexed("), "{report}");
        }
        insta::assert_snapshot!(format!("theme_{theme}"), report);
        // The text is the same in every theme.
        let a = fixtures::app(
            Lang::Zh,
            Theme::load(theme).unwrap(),
            fixtures::supervisor(),
        );
        insta::assert_snapshot!(format!("theme_{theme}_80x24"), text(&draw(&a, 80, 24)));
    }
}

#[test]
fn readonly_is_visible_and_hides_actions_from_the_command_bar() {
    let mut a = app(Lang::Zh);
    a.readonly = true;
    let t = text(&draw(&a, 80, 24));
    assert!(t.contains("只读"), "{t}");
    let bar = t.lines().last().unwrap();
    assert!(
        !bar.contains("认领") && !bar.contains("督办") && !bar.contains("回复"),
        "{bar}"
    );
    assert!(bar.contains("详情") && bar.contains("帮助"), "{bar}");
}

#[test]
fn reconnecting_is_visible() {
    let mut a = app(Lang::En);
    a.update(Action::Stream(shenguan::client::StreamItem::Reconnecting {
        after: std::time::Duration::from_secs(4),
        reason: "cannot reach server: connection refused".into(),
    }));
    let t = text(&draw(&a, 80, 24));
    assert!(t.contains("reconnecting (in 4s)"), "{t}");
    assert!(t.contains("connection refused"), "{t}");
}

#[test]
fn tiny_and_resized_terminals_do_not_panic() {
    let a = app(Lang::Zh);
    for (w, h) in [
        (1, 1),
        (10, 3),
        (20, 6),
        (40, 10),
        (79, 23),
        (119, 39),
        (120, 40),
        (250, 80),
    ] {
        let _ = draw(&a, w, h);
    }
}

#[test]
fn inspections_pane_with_data() {
    use shenguan::console::app::{Inspection, InspectionKind};
    let mut a = app(Lang::Zh);
    a.update(Action::Inspections(vec![
        Inspection {
            id: 2,
            kind: InspectionKind::Hearing,
            title: "排污许可听证".into(),
            at: fixtures::cst(2026, 12, 3, 9, 30, 0),
            place: "县政务服务中心三楼听证室".into(),
            departments: vec!["ecology".into(), "approval".into()],
            experts: vec!["刘工".into(), "陈工".into()],
            signed: 0,
            signatories: vec![],
            acknowledged: vec!["ecology".into()],
            reported: true,
            report_final: false,
            cancelled: false,
            emergency: false,
        },
        Inspection {
            id: 1,
            kind: InspectionKind::Inspection,
            title: "危险化学品经营场所联合踏勘".into(),
            at: fixtures::cst(2026, 11, 30, 14, 0, 0),
            place: "高青县化工园区".into(),
            departments: vec!["emergency".into(), "enforcement".into(), "approval".into()],
            experts: vec!["王工".into()],
            signed: 3,
            signatories: vec!["emergency".into(), "enforcement".into(), "approval".into()],
            acknowledged: vec!["emergency".into(), "enforcement".into(), "approval".into()],
            reported: true,
            report_final: true,
            cancelled: false,
            emergency: false,
        },
    ]));
    a.update(Action::Command(Command::NextPane));
    a.update(Action::Command(Command::NextPane));
    let t = text(&draw(&a, 120, 24));
    let first = t.find("危险化学品经营场所联合踏勘").expect("shown");
    let second = t.find("排污许可听证").expect("shown");
    assert!(first < second, "soonest first");
    assert!(t.contains("已定稿") && t.contains("0/2"), "{t}");
    insta::assert_snapshot!("zh_120x24_inspections_data", t);
}
