//! Verification duties (art. 8) in the bureau's queue: the primary key opens the result
//! dialog (pass, or fail with findings; Tab switches), sends the result, and reports what
//! became of the task.

use crate::support::console::{draw, text};
use shenguan::api::{Me, Role, VerificationState, VerificationTask};
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

/// The bureau's verification of 公共场所卫生许可 WS001, due before every delivery.
fn verification(kind: DutyKind) -> Duty {
    let mut d = fixtures::duty(
        9,
        kind,
        "approval",
        "公共场所卫生许可 WS001",
        now() - Duration::minutes(90),
    );
    d.counterpart = None;
    d
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
    assert_eq!(a.selected_duty().map(|d| d.id), Some(9));
    a
}

fn task(state: VerificationState) -> VerificationTask {
    serde_json::from_value(serde_json::json!({
        "id": 509, "push_id": 1, "license_no": "WS001", "item_name": "公共场所卫生许可",
        "counterparty_name": "高青县示例宾馆", "department": "approval", "supervising": ["health"],
        "catalogue_item_id": 1, "catalogue_version": 1, "compliance_date": "2026-11-20",
        "due": "2026-12-04T00:00:00+08:00", "provisional": false, "state": state,
        "results": [], "created_at": "2026-11-20T10:00:00+08:00"
    }))
    .unwrap()
}

#[test]
fn the_primary_key_records_a_verification_result() {
    let mut a = with_duty(bureau_staff(), verification(DutyKind::Verification));
    assert_eq!(a.update(Action::Command(Command::Claim)), None);
    let Mode::TextBox(tb) = &a.mode else {
        panic!("the result dialog")
    };
    assert_eq!(
        tb.purpose,
        Purpose::Verify {
            task_id: 509,
            round: 1,
            title: "公共场所卫生许可 WS001".into(),
            pass: true
        }
    );
    insta::assert_snapshot!("verification_pass_dialog", text(&draw(&a, 100, 24)));
    // Tab: fail, which needs findings.
    a.update(code(KeyCode::Tab));
    insta::assert_snapshot!("verification_fail_dialog", text(&draw(&a, 100, 24)));
    assert_eq!(a.update(ctrl('s')), None);
    assert_eq!(a.status.as_ref().unwrap().kind, StatusKind::Error);
    a.update(Action::Paste("消毒间未设置".into()));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::RecordVerification {
            task_id: 509,
            round: 1,
            pass: false,
            findings: Some("消毒间未设置".into())
        })
    );
    a.update(Action::VerificationDone {
        task_id: 509,
        result: Ok(Box::new(task(VerificationState::Rectifying))),
    });
    assert!(matches!(a.mode, Mode::Normal));
    assert!(status(&a).contains("进入整改"), "{}", status(&a));
}

#[test]
fn a_pass_needs_no_note_and_a_refusal_keeps_the_dialog() {
    let mut a = with_duty(bureau_staff(), verification(DutyKind::Reverification));
    a.update(Action::Command(Command::Claim));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::RecordVerification {
            task_id: 509,
            round: 2,
            pass: true,
            findings: None
        })
    );
    a.update(Action::VerificationDone {
        task_id: 509,
        result: Err(RequestError::Failed(
            "该审批决定已撤销 / the approval of this verification task is already revoked".into(),
        )),
    });
    assert!(matches!(a.mode, Mode::TextBox(_)), "the box stays open");
    assert!(status(&a).contains("已撤销"), "{}", status(&a));
}

/// The supervisor sees the bureau's verification duty in the queue but gets no dialog: the
/// key is refused for the role.
#[test]
fn only_the_bureau_records_results() {
    let mut w = with_duty(app(), verification(DutyKind::Verification));
    assert_eq!(w.update(Action::Command(Command::Claim)), None);
    assert!(matches!(w.mode, Mode::Normal));
    assert_eq!(w.status.as_ref().unwrap().kind, StatusKind::Error);
}
