//! Licence-action letters (art. 7(2)3) in the bureau's queue: the primary key on the
//! `license_action_decision` row opens the decision dialog (accept: the first line is the
//! decision number; Tab: reject with reasons) and sends the decision.

use crate::support::console::{draw, text};
use shenguan::api::{LicenseAction, LicenseActionDecisionInput, LicenseActionOutcome, Me, Role};
use shenguan::console::app::Purpose;

use crate::*;

fn bureau_staff() -> App {
    let me = Me {
        user: None,
        api_key: None,
        role: Role::ApprovalStaff,
        department: Some("approval".into()),
    };
    fixtures::app(Lang::Zh, Theme::default_theme(), me)
}

fn letter_duty() -> Duty {
    fixtures::duty(
        11,
        DutyKind::LicenseActionDecision,
        "approval",
        "撤销许可证 JY137（食品经营许可）",
        now() - Duration::minutes(90),
    )
}

fn with_duty(mut a: App, d: Duty) -> App {
    a.update(Action::Duties {
        page: Ok(Page {
            items: vec![d],
            next_cursor: None,
        }),
        first: true,
    });
    a.update(Action::Command(Command::Home));
    assert_eq!(a.selected_duty().map(|d| d.id), Some(11));
    a
}

fn decided(state: &str) -> LicenseAction {
    serde_json::from_value(serde_json::json!({
        "id": 611, "license_no": "JY137", "action": "revoke", "basis": {"facts": "无证经营"},
        "department": "market", "bureau": "approval", "state": state,
        "created_at": "2026-11-20T10:00:00+08:00", "provisional": false, "evidence": []
    }))
    .unwrap()
}

#[test]
fn the_primary_key_decides_a_letter() {
    let mut a = with_duty(bureau_staff(), letter_duty());
    let subject = a.selected_duty().unwrap().subject_id;
    assert_eq!(a.update(Action::Command(Command::Claim)), None);
    let Mode::TextBox(tb) = &a.mode else {
        panic!("the decision dialog")
    };
    assert_eq!(
        tb.purpose,
        Purpose::DecideLetter {
            action_id: subject,
            title: "撤销许可证 JY137（食品经营许可）".into(),
            accept: true
        }
    );
    insta::assert_snapshot!("letter_accept_dialog", text(&draw(&a, 100, 24)));
    // An empty decision is refused in the console.
    assert_eq!(a.update(ctrl('s')), None);
    assert_eq!(a.status.as_ref().unwrap().kind, StatusKind::Error);
    // Tab: reject, the text is the reasons.
    a.update(code(KeyCode::Tab));
    a.update(Action::Paste("处罚决定尚未生效".into()));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::DecideLetter {
            action_id: subject,
            decision: LicenseActionDecisionInput {
                outcome: LicenseActionOutcome::Reject,
                decision_no: None,
                decision_date: None,
                effective_date: None,
                reasons: Some("处罚决定尚未生效".into()),
            }
        })
    );
    a.update(Action::LetterDecided {
        action_id: subject,
        result: Ok(Box::new(decided("rejected"))),
    });
    assert!(matches!(a.mode, Mode::Normal));
    assert!(status(&a).contains("不同意"), "{}", status(&a));
}

#[test]
fn accepting_takes_the_first_line_as_the_decision_number() {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let d = shenguan::console::app::letter_decision(true, "高审批决〔2026〕3号\n依法撤销", today);
    assert_eq!(d.outcome, LicenseActionOutcome::Accept);
    assert_eq!(d.decision_no.as_deref(), Some("高审批决〔2026〕3号"));
    assert_eq!(
        (d.decision_date, d.effective_date),
        (Some(today), Some(today))
    );
    assert_eq!(d.reasons.as_deref(), Some("依法撤销"));
    // A supervision department sees no dialog for the bureau's duty.
    let mut w = with_duty(app(), letter_duty());
    assert_eq!(w.update(Action::Command(Command::Claim)), None);
    assert!(matches!(w.mode, Mode::Normal));
}
