//! Input handling: a key or a paste, resolved through the keymap for the current mode —
//! browsing, typing a filter, writing in a text box, or reading an overlay.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::LegacyRequest;
use super::action::{Command, Context, Effect};
use super::app::App;
use super::model::{LegacyDialog, Mode, Purpose, StatusKind};

impl App {
    pub(crate) fn on_paste(&mut self, text: String) {
        match &mut self.mode {
            Mode::TextBox(tb) if !tb.sending => {
                tb.confirm_discard = false;
                tb.area.insert_str(text);
            }
            Mode::Lookup(l) if !l.searching => {
                l.query.push_str(&text.replace(['\n', '\r'], " "));
            }
            Mode::Filter => {
                let f = &mut self.panes[self.focus.index()].filter;
                f.push_str(&text.replace(['\n', '\r'], " "));
                self.filter_changed();
            }
            _ => {}
        }
    }

    pub(crate) fn on_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let modal = self.keymap.lookup(Context::Modal, &ev);
        let normal = self.keymap.lookup(Context::Normal, &ev);
        match &self.mode {
            Mode::Normal => match normal.or(modal.filter(|c| *c == Command::Cancel)) {
                Some(cmd) => self.dispatch(cmd),
                None => None,
            },
            Mode::Filter => self.filter_key(ev, modal, normal),
            Mode::TextBox(_) => self.text_box_key(ev, modal),
            Mode::Lookup(_) => self.lookup_key(ev, modal),
            Mode::ConfirmIssue { month } => {
                let month = month.clone();
                match modal {
                    Some(Command::Confirm) => {
                        self.mode = Mode::Normal;
                        self.set_status(self.s().month_end.st_issuing.into(), StatusKind::Info);
                        Some(Effect::IssueBulletin { month })
                    }
                    Some(Command::Cancel) => {
                        self.mode = Mode::Normal;
                        None
                    }
                    _ => None,
                }
            }
            Mode::Details(_) | Mode::Help { .. } | Mode::MonthDrill { .. } => {
                self.overlay_key(modal, normal);
                None
            }
        }
    }

    fn filter_key(
        &mut self,
        ev: KeyEvent,
        modal: Option<Command>,
        normal: Option<Command>,
    ) -> Option<Effect> {
        let s = self.s();
        let pane = self.focus.index();
        match modal {
            Some(Command::Confirm) => {
                self.mode = Mode::Normal;
                let f = self.panes[pane].filter.clone();
                if !f.is_empty() {
                    self.set_status(super::i18n::fill(s.st_filter, &[&f]), StatusKind::Info);
                }
                return None;
            }
            Some(Command::Cancel) => {
                self.mode = Mode::Normal;
                self.panes[pane].filter.clear();
                self.filter_changed();
                return None;
            }
            _ => {}
        }
        let plain = !ev
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match ev.code {
            KeyCode::Char(c) if plain => {
                self.panes[pane].filter.push(c);
                self.filter_changed();
            }
            KeyCode::Backspace => {
                self.panes[pane].filter.pop();
                self.filter_changed();
            }
            _ => {
                // Moving through the results while typing.
                if let Some(
                    cmd @ (Command::Up
                    | Command::Down
                    | Command::PageUp
                    | Command::PageDown
                    | Command::Home
                    | Command::End),
                ) = normal
                {
                    return self.dispatch(cmd);
                }
            }
        }
        None
    }

    fn text_box_key(&mut self, ev: KeyEvent, modal: Option<Command>) -> Option<Effect> {
        let s = self.s();
        let Mode::TextBox(tb) = &mut self.mode else {
            return None;
        };
        if tb.sending {
            // Waiting for the server; Esc closes the box (the answer still shows in the
            // status line when it comes), nothing else is typed meanwhile.
            if modal == Some(Command::Cancel) {
                self.mode = Mode::Normal;
            }
            return None;
        }
        if tb.confirm_discard {
            if modal == Some(Command::Confirm) {
                self.mode = Mode::Normal;
                self.set_status(s.st_cancelled.into(), StatusKind::Info);
            } else {
                tb.confirm_discard = false;
            }
            return None;
        }
        match modal {
            Some(Command::Send) => self.send_text(),
            Some(Command::Toggle) => {
                // Flip the dialog's one choice (a legacy opinion's rectification, a
                // verification's outcome); other boxes have none.
                if let Purpose::Legacy { step, .. } = &mut tb.purpose {
                    match step {
                        LegacyDialog::Opinion {
                            rectification_required,
                        } => *rectification_required = !*rectification_required,
                        LegacyDialog::Verification { pass } => *pass = !*pass,
                        LegacyDialog::Decision => {}
                    }
                }
                None
            }
            Some(Command::Cancel) => {
                if tb.text().trim().is_empty() {
                    self.mode = Mode::Normal;
                    self.set_status(s.st_cancelled.into(), StatusKind::Info);
                } else {
                    tb.confirm_discard = true;
                }
                None
            }
            _ if ev.code == KeyCode::Tab && matches!(tb.purpose, Purpose::Verify { .. }) => {
                self.toggle_verify_outcome();
                None
            }
            _ if ev.code == KeyCode::Tab && matches!(tb.purpose, Purpose::DecideLetter { .. }) => {
                self.toggle_letter_outcome();
                None
            }
            _ => {
                tb.area.input(ev);
                None
            }
        }
    }

    /// Help and details: scroll, or close.
    fn overlay_key(&mut self, modal: Option<Command>, normal: Option<Command>) {
        let (scroll, own) = match &self.mode {
            Mode::Details(d) => (&d.scroll, Command::Details),
            Mode::Help { scroll } => (scroll, Command::Help),
            Mode::MonthDrill { scroll, .. } => (scroll, Command::Details),
            _ => return,
        };
        let close = matches!(modal, Some(Command::Cancel | Command::Confirm))
            || matches!(normal, Some(Command::Quit))
            || normal == Some(own);
        if close {
            self.mode = Mode::Normal;
            return;
        }
        let s = scroll.get();
        scroll.set(match normal {
            Some(Command::Up) => s.saturating_sub(1),
            Some(Command::Down) => s.saturating_add(1),
            Some(Command::PageUp) => s.saturating_sub(10),
            Some(Command::PageDown) => s.saturating_add(10),
            Some(Command::Home) => 0,
            Some(Command::End) => u16::MAX,
            _ => s,
        });
    }

    fn send_text(&mut self) -> Option<Effect> {
        let s = self.s();
        let Mode::TextBox(tb) = &mut self.mode else {
            return None;
        };
        let body = tb.text().trim().to_string();
        // Agreeing to a joint report needs no comment; everything else needs text.
        let may_be_empty = matches!(
            tb.purpose,
            Purpose::Sign { agree: true, .. } | Purpose::Verify { pass: true, .. }
        );
        if body.is_empty() && !may_be_empty {
            self.set_status(s.st_empty_text.into(), StatusKind::Error);
            return None;
        }
        tb.sending = true;
        let effect = match &tb.purpose {
            Purpose::Feedback { delivery_id, .. } => Effect::Feedback {
                delivery_id: *delivery_id,
                body,
            },
            Purpose::Reply { dispute_id, .. } => Effect::Reply {
                dispute_id: *dispute_id,
                body,
            },
            Purpose::Escalate { delivery_id, .. } => Effect::Escalate {
                delivery_id: *delivery_id,
                reason: body,
            },
            Purpose::Sign {
                event_id, agree, ..
            } => Effect::Sign {
                event_id: *event_id,
                agree: *agree,
                comment: (!body.is_empty()).then_some(body),
            },
            Purpose::InquiryReply { letter_id, .. } => Effect::InquiryReply {
                letter_id: *letter_id,
                body,
            },
            Purpose::Legacy { case_id, step, .. } => Effect::Legacy {
                case_id: *case_id,
                step: match *step {
                    LegacyDialog::Opinion {
                        rectification_required,
                    } => LegacyRequest::Opinion(crate::api::LegacyOpinion {
                        body,
                        rectification_required,
                    }),
                    LegacyDialog::Verification { pass } => {
                        LegacyRequest::Verification(crate::api::LegacyVerification {
                            outcome: if pass {
                                crate::api::VerificationOutcome::Pass
                            } else {
                                crate::api::VerificationOutcome::Fail
                            },
                            findings: body,
                        })
                    }
                    LegacyDialog::Decision => LegacyRequest::Decision(crate::api::LegacyDecision {
                        decision: body,
                        decision_no: None,
                    }),
                },
            },
            Purpose::Verify {
                task_id,
                round,
                pass,
                ..
            } => Effect::RecordVerification {
                task_id: *task_id,
                round: *round,
                pass: *pass,
                findings: (!body.is_empty()).then_some(body),
            },
            Purpose::DecideLetter {
                action_id, accept, ..
            } => Effect::DecideLetter {
                action_id: *action_id,
                decision: crate::console::app::letter_decision(
                    *accept,
                    &body,
                    self.now.date_naive(),
                ),
            },
        };
        self.set_status(s.st_sending.into(), StatusKind::Info);
        Some(effect)
    }
}
