//! Verification duties (art. 8) in the countdown queue: the primary key on a `verification`
//! or `reverification` row opens the result dialog — pass (a note may stay empty) or fail
//! (findings required); Tab switches between them.

use ratatui_textarea::TextArea;

use super::App;
use crate::api::{Duty, VerificationState, VerificationTask};
use crate::console::action::{Effect, Outcome};
use crate::console::i18n::fill;
use crate::console::model::{Mode, Purpose, StatusKind, TextBox};
use crate::domain::{Action, policy};

impl App {
    /// The result dialog for the duty's task (its subject), if my role records results.
    pub(super) fn open_verify_box(&mut self, d: &Duty) -> Option<Effect> {
        let c = self.s().credit;
        let may = self
            .me
            .as_ref()
            .is_some_and(|m| policy::role_may(m.role, Action::RecordVerification));
        if !may {
            self.set_status(fill(c.st_not_bureau, &[&d.title]), StatusKind::Error);
            return None;
        }
        let mut area = TextArea::default();
        area.set_placeholder_text(self.s().dlg_placeholder);
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        self.mode = Mode::TextBox(Box::new(TextBox {
            purpose: Purpose::Verify {
                task_id: d.subject_id,
                round: if d.kind == crate::api::DutyKind::Reverification {
                    2
                } else {
                    1
                },
                title: d.title.clone(),
                pass: true,
            },
            area,
            confirm_discard: false,
            sending: false,
        }));
        None
    }

    /// Tab in the result dialog: pass ↔ fail.
    pub(crate) fn toggle_verify_outcome(&mut self) -> bool {
        if let Mode::TextBox(tb) = &mut self.mode
            && let Purpose::Verify { pass, .. } = &mut tb.purpose
        {
            *pass = !*pass;
            return true;
        }
        false
    }

    /// The server's answer to a result: the status line says what became of the task (the
    /// duty leaves the queue through its own `duty.done` event).
    pub(super) fn on_verification_done(
        &mut self,
        task_id: i64,
        result: Outcome<Box<VerificationTask>>,
    ) -> Option<Effect> {
        let c = self.s().credit;
        let result = result.map(|t| {
            let text = match t.state {
                VerificationState::Passed => c.st_passed,
                VerificationState::Rectifying => c.st_failed,
                VerificationState::Revoked | VerificationState::Open => c.st_revoked,
            };
            fill(text, &[&format!("{} {}", t.item_name, t.license_no)])
        });
        self.on_text_result(
            |p| matches!(p, Purpose::Verify { task_id: t, .. } if *t == task_id),
            result,
        )
    }
}
