//! Inquiry letters and legacy cases in the console (arts. 12–13): their duties are rows of
//! the countdown queue, and the primary key on one opens the step's text box (`duty_primary`
//! in `duties.rs`): the answer to a letter, a review opinion (with the rectification toggle),
//! a verification (pass / fail and the findings) or the bureau's decision. When the server
//! accepts it, the duty's `duty.done` event takes the row off the queue.

use ratatui_textarea::TextArea;

use super::App;
use crate::api::{InquiryLetter, LegacyCase};
use crate::console::action::{Effect, Outcome};
use crate::console::i18n::fill;
use crate::console::model::{Mode, Purpose, TextBox};

impl App {
    /// The text box of an inquiry answer or a legacy case's step.
    pub(super) fn open_case_box(&mut self, purpose: Purpose) {
        let mut area = TextArea::default();
        area.set_placeholder_text(self.s().dlg_placeholder);
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        self.mode = Mode::TextBox(Box::new(TextBox {
            purpose,
            area,
            confirm_discard: false,
            sending: false,
        }));
    }

    /// The server's answer to an inquiry reply.
    pub(super) fn on_inquiry_replied(
        &mut self,
        letter_id: i64,
        result: Outcome<Box<InquiryLetter>>,
    ) -> Option<Effect> {
        let c = self.s().cases;
        let result = result.map(|l| fill(c.st_answered, &[&l.subject]));
        self.on_text_result(
            |p| matches!(p, Purpose::InquiryReply { letter_id: l, .. } if *l == letter_id),
            result,
        )
    }

    /// The server's answer to a legacy case's step.
    pub(super) fn on_legacy_done(
        &mut self,
        case_id: i64,
        result: Outcome<Box<LegacyCase>>,
    ) -> Option<Effect> {
        let c = self.s().cases;
        let result = result.map(|k| fill(c.st_step_done, &[&k.title]));
        self.on_text_result(
            |p| matches!(p, Purpose::Legacy { case_id: k, .. } if *k == case_id),
            result,
        )
    }
}
