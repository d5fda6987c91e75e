//! Licence-action letters (函告, art. 7(2)3) in the bureau's countdown queue: the primary key
//! on a `license_action_decision` row opens the decision dialog. Kept to one text box:
//! accepting takes the decision number from the first line (further lines are kept as the
//! decision's reasons) and dates the decision — and its effect — today; rejecting takes the
//! whole text as the reasons. Tab switches between accept and reject. A decision with another
//! date or effective date is made through the API.

use ratatui_textarea::TextArea;

use super::App;
use crate::api::{
    Duty, LicenseAction, LicenseActionDecisionInput, LicenseActionOutcome, LicenseActionState,
};
use crate::console::action::{Effect, Outcome};
use crate::console::i18n::fill;
use crate::console::model::{Mode, Purpose, StatusKind, TextBox};
use crate::domain::{Action, policy};

/// The request the dialog's text makes (`today`: the server's China date).
pub fn letter_decision(
    accept: bool,
    text: &str,
    today: chrono::NaiveDate,
) -> LicenseActionDecisionInput {
    let text = text.trim();
    if accept {
        let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
        let rest = rest.trim();
        LicenseActionDecisionInput {
            outcome: LicenseActionOutcome::Accept,
            decision_no: Some(first.trim().to_string()),
            decision_date: Some(today),
            effective_date: Some(today),
            reasons: (!rest.is_empty()).then(|| rest.to_string()),
        }
    } else {
        LicenseActionDecisionInput {
            outcome: LicenseActionOutcome::Reject,
            decision_no: None,
            decision_date: None,
            effective_date: None,
            reasons: Some(text.to_string()),
        }
    }
}

impl App {
    /// The decision dialog for the duty's letter (its subject), if my role decides letters.
    pub(super) fn open_letter_box(&mut self, d: &Duty) -> Option<Effect> {
        let l = self.s().letters;
        let may = self
            .me
            .as_ref()
            .is_some_and(|m| policy::role_may(m.role, Action::DecideLicenseAction));
        if !may {
            self.set_status(fill(l.st_not_bureau, &[&d.title]), StatusKind::Error);
            return None;
        }
        let mut area = TextArea::default();
        area.set_placeholder_text(self.s().dlg_placeholder);
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        self.mode = Mode::TextBox(Box::new(TextBox {
            purpose: Purpose::DecideLetter {
                action_id: d.subject_id,
                title: d.title.clone(),
                accept: true,
            },
            area,
            confirm_discard: false,
            sending: false,
        }));
        None
    }

    /// Tab in the decision dialog: accept ↔ reject.
    pub(crate) fn toggle_letter_outcome(&mut self) -> bool {
        if let Mode::TextBox(tb) = &mut self.mode
            && let Purpose::DecideLetter { accept, .. } = &mut tb.purpose
        {
            *accept = !*accept;
            return true;
        }
        false
    }

    /// The server's answer to a decision (the duty leaves the queue by its `duty.done`).
    pub(super) fn on_letter_decided(
        &mut self,
        action_id: i64,
        result: Outcome<Box<LicenseAction>>,
    ) -> Option<Effect> {
        let l = self.s().letters;
        let result = result.map(|a| {
            let text = if a.state == LicenseActionState::Accepted {
                l.st_accepted
            } else {
                l.st_rejected
            };
            fill(text, &[&format!("{} {}", l.action(a.action), a.license_no)])
        });
        self.on_text_result(
            |p| matches!(p, Purpose::DecideLetter { action_id: x, .. } if *x == action_id),
            result,
        )
    }
}
