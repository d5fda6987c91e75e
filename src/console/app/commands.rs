//! Carrying out commands: the one place where `--readonly` and the signed-in role refuse
//! what the console must not do.

use std::cell::Cell;

use ratatui_textarea::TextArea;

use super::App;
use crate::console::action::{Command, Effect};
use crate::console::i18n::fill;
use crate::console::model::{Details, Mode, Pane, Purpose, StatusKind, TextBox};

impl App {
    /// Whether the signed-in role may do this at all (the server decides each case; this only
    /// keeps the command bar and the keys from offering what would certainly be refused).
    /// Asked of the server's own rules (`domain::policy`), before a record is chosen.
    fn role_may(&self, cmd: Command) -> bool {
        use crate::domain::policy::{self, Action};
        let Some(me) = &self.me else { return true };
        let actions: &[Action] = match cmd {
            Command::Claim => &[Action::Claim],
            // Reply raises feedback on a delivery or replies in a thread.
            Command::Reply => &[Action::RaiseFeedback, Action::Reply],
            Command::Escalate => &[Action::Escalate],
            Command::IssueBulletin => &[Action::IssueBulletin],
            Command::Acknowledge | Command::Sign | Command::Dissent => &[Action::Participate],
            _ => return true,
        };
        actions.iter().any(|a| policy::role_may(me.role, *a))
    }

    /// Whether the console offers `cmd` at all: not a change under `--readonly`, and only
    /// what the signed-in role may do.
    pub fn may(&self, cmd: Command) -> bool {
        !(self.readonly && cmd.is_mutating()) && self.role_may(cmd)
    }

    /// The one place where commands are carried out — and where `--readonly` refuses every
    /// command that would change something on the server.
    pub(crate) fn dispatch(&mut self, cmd: Command) -> Option<Effect> {
        let s = self.s();
        if !self.may(cmd) {
            let refusal = if self.readonly && cmd.is_mutating() {
                s.st_readonly
            } else {
                s.st_role
            };
            self.set_status(fill(refusal, &[cmd.label(s)]), StatusKind::Error);
            return None;
        }
        let pane = self.focus;
        match cmd {
            Command::Quit => {
                self.quit = true;
                Some(Effect::Quit)
            }
            Command::NextPane => {
                self.focus = self.focus.next();
                None
            }
            Command::PrevPane => {
                self.focus = self.focus.prev();
                None
            }
            Command::Up
            | Command::Down
            | Command::PageUp
            | Command::PageDown
            | Command::Home
            | Command::End => {
                let len = self.pane_len(pane);
                let l = &mut self.pane_mut(pane).list;
                let last = len.saturating_sub(1);
                l.selected = match cmd {
                    Command::Up => l.selected.saturating_sub(1),
                    Command::Down => (l.selected + 1).min(last),
                    Command::PageUp => l.selected.saturating_sub(l.page()),
                    Command::PageDown => (l.selected + l.page()).min(last),
                    Command::Home => 0,
                    _ => last,
                };
                None
            }
            Command::Claim => {
                if pane != Pane::Unclaimed {
                    return self.not_here(cmd);
                }
                // On a duty row the key does that kind's own action.
                if let Some(d) = self.selected_duty().cloned() {
                    return self.duty_primary(&d);
                }
                let Some(d) = self.selected_delivery() else {
                    self.set_status(s.st_nothing_selected.into(), StatusKind::Error);
                    return None;
                };
                let (id, title) = (d.id, d.title.clone());
                if !self.claiming.insert(id) {
                    return None; // already on its way
                }
                self.set_status(fill(s.st_claiming, &[&title]), StatusKind::Info);
                Some(Effect::Claim { id })
            }
            Command::Reply | Command::Escalate => {
                let purpose = match (pane, cmd) {
                    (Pane::Unclaimed, _) => self.selected_delivery().map(|d| {
                        if cmd == Command::Reply {
                            Purpose::Feedback {
                                delivery_id: d.id,
                                title: d.title.clone(),
                            }
                        } else {
                            Purpose::Escalate {
                                delivery_id: d.id,
                                title: d.title.clone(),
                            }
                        }
                    }),
                    (Pane::Disputes, Command::Reply) => {
                        self.selected_dispute().map(|d| Purpose::Reply {
                            dispute_id: d.id,
                            subject: d.subject.clone(),
                        })
                    }
                    (Pane::Disputes, _) => self.selected_dispute().map(|d| Purpose::Escalate {
                        delivery_id: d.delivery_id,
                        title: d.subject.clone(),
                    }),
                    _ => return self.not_here(cmd),
                };
                match purpose {
                    Some(purpose) => {
                        let mut area = TextArea::default();
                        area.set_placeholder_text(s.dlg_placeholder);
                        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
                        self.mode = Mode::TextBox(Box::new(TextBox {
                            purpose,
                            area,
                            confirm_discard: false,
                            sending: false,
                        }));
                    }
                    None => self.set_status(s.st_nothing_selected.into(), StatusKind::Error),
                }
                None
            }
            Command::Details if pane == Pane::Monthly => {
                let sel = self.pane(Pane::Monthly).list.selected;
                let Some(code) = self.visible_months().get(sel).map(|d| d.department.clone())
                else {
                    self.set_status(s.st_nothing_selected.into(), StatusKind::Error);
                    return None;
                };
                self.mode = Mode::MonthDrill {
                    department: code,
                    scroll: Cell::new(0),
                };
                None
            }
            Command::IssueBulletin => {
                if pane != Pane::Monthly {
                    return self.not_here(cmd);
                }
                self.mode = Mode::ConfirmIssue {
                    month: self.month_str(),
                };
                None
            }
            Command::ExportBulletin => {
                if pane != Pane::Monthly {
                    return self.not_here(cmd);
                }
                // What is shown is what is exported: the issued version, or the live draft.
                let version = match (&self.monthly.issued, self.monthly.show_live) {
                    (Some(b), false) => b.issued.as_ref().map(|i| i.version),
                    _ => None,
                };
                self.set_status(s.month_end.st_exporting.into(), StatusKind::Info);
                Some(Effect::ExportBulletin {
                    month: self.month_str(),
                    version,
                })
            }
            Command::ToggleLive => {
                if pane != Pane::Monthly {
                    return self.not_here(cmd);
                }
                self.monthly.show_live = !self.monthly.show_live;
                let text = if self.monthly.show_live {
                    s.month_end.st_show_live
                } else {
                    s.month_end.st_show_issued
                };
                self.set_status(text.into(), StatusKind::Info);
                let len = self.pane_len(Pane::Monthly);
                self.pane_mut(Pane::Monthly).list.clamp(len);
                None
            }
            Command::Acknowledge | Command::Sign | Command::Dissent => {
                if pane != Pane::Inspections {
                    return self.not_here(cmd);
                }
                self.joint_command(cmd)
            }
            Command::Details => {
                let id = match pane {
                    Pane::Unclaimed => self.selected_delivery().map(|d| d.id),
                    Pane::Disputes => self.selected_dispute().map(|d| d.delivery_id),
                    _ => return self.not_here(cmd),
                };
                let Some(id) = id else {
                    self.set_status(s.st_nothing_selected.into(), StatusKind::Error);
                    return None;
                };
                self.mode = Mode::Details(Box::new(Details {
                    delivery_id: id,
                    detail: None,
                    error: None,
                    scroll: Cell::new(0),
                }));
                Some(Effect::LoadDetail { id })
            }
            Command::Filter => {
                self.mode = Mode::Filter;
                None
            }
            Command::PrevMonth | Command::NextMonth => {
                let effect = self.monthly.step(cmd == Command::PrevMonth);
                self.pane_mut(Pane::Monthly).list.selected = 0;
                let month = self.month_str();
                self.set_status(fill(s.st_month, &[&month]), StatusKind::Info);
                Some(effect)
            }
            Command::Refresh => {
                self.set_status(s.st_refreshing.into(), StatusKind::Info);
                Some(self.reload())
            }
            Command::Lookup => {
                self.mode = Mode::Lookup(Box::default());
                None
            }
            Command::Help => {
                self.mode = Mode::Help {
                    scroll: Cell::new(0),
                };
                None
            }
            Command::Cancel => {
                if !self.pane(pane).filter.is_empty() {
                    self.pane_mut(pane).filter.clear();
                    self.filter_changed();
                    self.set_status(s.st_filter_cleared.into(), StatusKind::Info);
                }
                None
            }
            Command::Send | Command::Confirm | Command::Toggle => None,
        }
    }

    fn not_here(&mut self, cmd: Command) -> Option<Effect> {
        let s = self.s();
        self.set_status(fill(s.st_not_here, &[cmd.label(s)]), StatusKind::Error);
        None
    }
}
