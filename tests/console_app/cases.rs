//! Inquiry letters and legacy cases in the console: the primary key on their queue rows
//! opens the step's text box (the answer; the opinion with its rectification toggle; the
//! verification's pass / fail; the decision), which sends the step and closes on success.

use crate::support::console::{draw, text};
use shenguan::api::{
    InquiryLetter, LegacyDecision, LegacyOpinion, LegacyVerification, VerificationOutcome,
};
use shenguan::console::action::LegacyRequest;
use shenguan::console::app::{LegacyDialog, Purpose};

use crate::*;

fn with_duty(mut a: App, kind: DutyKind, title: &str) -> App {
    a.update(Action::Duties {
        page: Ok(Page {
            items: vec![fixtures::duty(
                7,
                kind,
                "market",
                title,
                now() + Duration::minutes(10),
            )],
            next_cursor: None,
        }),
        first: true,
    });
    for _ in 0..20 {
        if a.selected_duty().is_some_and(|d| d.id == 7) {
            return a;
        }
        a.update(key('j'));
    }
    panic!("the duty row is in the queue");
}

fn purpose(a: &App) -> Purpose {
    match &a.mode {
        Mode::TextBox(tb) => tb.purpose.clone(),
        _ => panic!("a text box is open"),
    }
}

#[test]
fn the_primary_key_answers_an_inquiry_letter() {
    let mut a = with_duty(
        staff(),
        DutyKind::InquiryReply,
        "关于餐饮油烟排放标准的函询",
    );
    assert_eq!(a.update(key('c')), None);
    assert_eq!(
        purpose(&a),
        Purpose::InquiryReply {
            letter_id: 507,
            title: "关于餐饮油烟排放标准的函询".into()
        }
    );
    insta::assert_snapshot!("inquiry_reply_dialog", text(&draw(&a, 100, 24)));
    // An empty answer is not sent.
    assert_eq!(a.update(ctrl('s')), None);
    a.update(Action::Paste("符合监管要求，无异议。".into()));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::InquiryReply {
            letter_id: 507,
            body: "符合监管要求，无异议。".into()
        })
    );
    // Refused (the deadline came meanwhile): the box stays, the reason is shown.
    a.update(Action::InquiryReplied {
        letter_id: 507,
        result: Err(RequestError::Failed(
            "答复期限已届满，视为同意 / the reply deadline has come: consent is deemed given"
                .into(),
        )),
    });
    assert!(matches!(a.mode, Mode::TextBox(_)));
    assert!(status(&a).contains("视为同意"), "{}", status(&a));
    // Accepted: the box closes.
    let letter: InquiryLetter = serde_json::from_value(serde_json::json!({
        "id": 507, "sender": "approval", "subject": "关于餐饮油烟排放标准的函询", "body": "请回复",
        "reply_working_days": 5, "sent_at": now(), "sent_by": null, "replies": [], "messages": []
    }))
    .unwrap();
    a.update(Action::InquiryReplied {
        letter_id: 507,
        result: Ok(Box::new(letter)),
    });
    assert!(matches!(a.mode, Mode::Normal));
    assert!(status(&a).contains("已答复函询"), "{}", status(&a));
}

#[test]
fn a_legacy_opinion_with_the_rectification_toggle() {
    let mut a = with_duty(staff(), DutyKind::LegacyOpinion, "示例食品公司许可遗留问题");
    a.update(key('c'));
    let opinion = |required| Purpose::Legacy {
        case_id: 507,
        title: "示例食品公司许可遗留问题".into(),
        step: LegacyDialog::Opinion {
            rectification_required: required,
        },
    };
    assert_eq!(purpose(&a), opinion(false));
    a.update(ctrl('t'));
    assert_eq!(purpose(&a), opinion(true));
    insta::assert_snapshot!("legacy_opinion_dialog", text(&draw(&a, 100, 24)));
    a.update(Action::Paste("厂区布局需调整。".into()));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::Legacy {
            case_id: 507,
            step: LegacyRequest::Opinion(LegacyOpinion {
                body: "厂区布局需调整。".into(),
                rectification_required: true
            })
        })
    );
}

#[test]
fn a_legacy_verification_and_decision() {
    let mut a = with_duty(staff(), DutyKind::LegacyVerification, "遗留问题整改");
    a.update(key('c'));
    a.update(ctrl('t'));
    a.update(Action::Paste("仍不合格".into()));
    assert_eq!(
        a.update(ctrl('s')),
        Some(Effect::Legacy {
            case_id: 507,
            step: LegacyRequest::Verification(LegacyVerification {
                outcome: VerificationOutcome::Fail,
                findings: "仍不合格".into()
            })
        })
    );
    let mut en = with_duty(
        fixtures::app(Lang::En, Theme::default_theme(), fixtures::market_staff()),
        DutyKind::LegacyVerification,
        "Legacy rectification",
    );
    en.update(key('c'));
    insta::assert_snapshot!("legacy_verification_dialog_en", text(&draw(&en, 100, 24)));

    let mut d = with_duty(staff(), DutyKind::LegacyDecision, "遗留问题处理");
    d.update(key('c'));
    d.update(ctrl('t')); // a decision has no choice: nothing changes
    assert_eq!(
        purpose(&d),
        Purpose::Legacy {
            case_id: 507,
            title: "遗留问题处理".into(),
            step: LegacyDialog::Decision
        }
    );
    d.update(Action::Paste("依法补办变更手续".into()));
    assert_eq!(
        d.update(ctrl('s')),
        Some(Effect::Legacy {
            case_id: 507,
            step: LegacyRequest::Decision(LegacyDecision {
                decision: "依法补办变更手续".into(),
                decision_no: None
            })
        })
    );
}
