//! Licences and holders in the console (issue 10): a delivery whose holder is under
//! restricted or strict admission is marked in the queue and its details; the lookup key opens
//! a prompt that finds a licence or holder and shows its standing and the licence's history.

use shenguan::api::*;
use shenguan::console::model::LookupResult;

use crate::support::console::{draw, text};
use crate::*;

/// Market's delivery 120, pushed with a restricted-admission acknowledgement.
fn restricted() -> Delivery {
    let mut d = fixtures::delivery(
        120,
        "market",
        "食品经营许可",
        "高青县示例餐饮有限公司",
        now() + Duration::minutes(5),
    );
    d.admission = Some(AdmissionMode::Restricted);
    d
}

fn licence(no: &str, state: LicenseState) -> License {
    License {
        license_no: no.into(),
        state,
        item_name: "食品经营许可".into(),
        holder_code: "91350100M000100Y43".into(),
        holder_name: "高青县示例餐饮有限公司".into(),
        issue_date: "2026-09-01".parse().unwrap(),
        valid_until: "2031-08-31".parse().unwrap(),
        approval_department: "approval".into(),
        departments: vec!["market".into()],
        source_push_id: 7,
        created_at: cst(2026, 9, 1, 10, 0, 0),
        updated_at: cst(2026, 11, 20, 9, 30, 0),
        history: None,
    }
}

fn found() -> LookupResult {
    let mut first = licence("JY13703220000001", LicenseState::Changed);
    first.history = Some(vec![
        LicenseHistoryEntry {
            event: "approved".into(),
            state: LicenseState::Active,
            push_id: Some(7),
            at: cst(2026, 9, 1, 10, 0, 0),
            actor: "shenpi1".into(),
            detail: serde_json::json!({}),
        },
        LicenseHistoryEntry {
            event: "reissued".into(),
            state: LicenseState::Changed,
            push_id: Some(31),
            at: cst(2026, 11, 20, 9, 30, 0),
            actor: "shenpi2".into(),
            detail: serde_json::json!({}),
        },
    ]);
    let reason = AdmissionReason {
        record_id: 3,
        status: CreditStatus::AbnormalOperation,
        authority: "高青县市场监督管理局".into(),
        decision_no: "高市监异〔2026〕7号".into(),
        start_date: "2026-11-20".parse().unwrap(),
        end_date: None,
    };
    LookupResult {
        query: "JY1370".into(),
        licenses: vec![
            first.clone(),
            licence("JY13703220000002", LicenseState::Active),
        ],
        license: Some(first.clone()),
        holder: Some(CounterpartyView {
            code: "91350100M000100Y43".into(),
            name: "高青县示例餐饮有限公司".into(),
            admission: Admission::Restricted,
            reasons: vec![reason],
            credit: vec![CreditRecord {
                id: 3,
                status: CreditStatus::AbnormalOperation,
                authority: "高青县市场监督管理局".into(),
                decision_no: "高市监异〔2026〕7号".into(),
                start_date: "2026-11-20".parse().unwrap(),
                end_date: None,
                in_force: true,
                push_id: 30,
                department: "market".into(),
                recorded_at: cst(2026, 11, 20, 9, 0, 0),
            }],
            penalties: vec![],
            licenses: vec![first],
        }),
    }
}

#[test]
fn a_restricted_holders_delivery_is_marked_in_the_queue() {
    let mut a = staff();
    a.update(event(1, event_types::DELIVERY_CREATED, restricted()));
    let t = text(&draw(&a, 100, 12));
    let row = t.lines().find(|l| l.contains("高青县示例餐饮")).expect(&t);
    assert!(row.contains('限'), "{row}");
    insta::assert_snapshot!("licenses_queue_mark_zh_100x12", t);
    // Other rows carry no mark.
    assert_eq!(t.lines().filter(|l| l.starts_with("│限")).count(), 1, "{t}");
}

#[test]
fn the_details_show_the_admission_acknowledgement() {
    let mut a = staff();
    a.update(event(1, event_types::DELIVERY_CREATED, restricted()));
    let i = (0..a.delivery_count())
        .find(|i| a.delivery(*i).is_some_and(|d| d.id == 120))
        .unwrap();
    for _ in 0..i {
        a.update(Action::Command(Command::Down));
    }
    let e = a.update(code(KeyCode::Enter));
    assert_eq!(e, Some(Effect::LoadDetail { id: 120 }));
    let mut push = support::fixtures::approval_push(&["market"]);
    push.admission = Some(AdmissionAck {
        mode: AdmissionMode::Restricted,
        reason: "不适用告知承诺，不予容缺受理".into(),
    });
    let detail = DeliveryDetail {
        delivery: restricted(),
        push: Push {
            id: 1120,
            kind: PushKind::Approval,
            source_department: "approval".into(),
            created_at: now(),
            created_by: "行政审批服务局".into(),
            content: PushContent::Approval(push),
            deliveries: vec![restricted()],
            catalogue_version: None,
        },
        disputes: vec![],
        escalations: vec![],
        history: vec![],
    };
    a.update(Action::Detail(Ok(Box::new(detail))));
    let t = text(&draw(&a, 100, 40));
    assert!(t.contains("准入管理：限制准入"), "{t}");
    assert!(t.contains("不适用告知承诺"), "{t}");
}

#[test]
fn the_lookup_key_finds_a_licence_and_shows_standing_and_history() {
    let mut a = staff();
    assert_eq!(a.update(key('L')), None);
    assert!(matches!(a.mode, Mode::Lookup(_)));
    // Typing goes into the prompt (not to the keymap: `j` is not "down" here).
    for c in "JY1370".chars() {
        assert_eq!(a.update(key(c)), None);
    }
    let e = a.update(code(KeyCode::Enter));
    assert_eq!(
        e,
        Some(Effect::Lookup {
            query: "JY1370".into()
        })
    );
    // A second Enter while searching sends nothing more.
    assert_eq!(a.update(code(KeyCode::Enter)), None);
    insta::assert_snapshot!("licenses_lookup_searching", text(&draw(&a, 100, 12)));
    a.update(Action::LookedUp(Ok(Box::new(found()))));
    let t = text(&draw(&a, 110, 34));
    for want in [
        "限制准入",
        "高市监异〔2026〕7号",
        "JY13703220000002",
        "换发 / 变更",
        "审批推送",
        "已变更",
    ] {
        assert!(t.contains(want), "{want}: {t}");
    }
    insta::assert_snapshot!("licenses_lookup_found_zh_110x34", t);
    // Esc closes it; the queue is back.
    a.update(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn a_lookup_that_finds_nothing_says_so_in_english_too() {
    let mut a = fixtures::app(Lang::En, Theme::default_theme(), fixtures::market_staff());
    a.update(key('L'));
    for c in "nothing".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    a.update(Action::LookedUp(Ok(Box::new(LookupResult {
        query: "nothing".into(),
        licenses: vec![],
        license: None,
        holder: None,
    }))));
    let t = text(&draw(&a, 100, 12));
    assert!(t.contains("No licence matches “nothing”"), "{t}");
    // A refused lookup shows the server's message in the overlay.
    a.update(code(KeyCode::Enter));
    a.update(Action::LookedUp(Err(RequestError::Failed("boom".into()))));
    assert!(text(&draw(&a, 100, 12)).contains("boom"));
}

#[test]
fn the_help_lists_the_lookup_key() {
    let mut a = staff();
    a.update(Action::Command(Command::Help));
    let lines = a.help_lines();
    assert!(
        lines
            .iter()
            .any(|(k, d)| k == "L" && d.contains("查询许可证")),
        "{lines:?}"
    );
}
