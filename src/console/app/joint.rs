//! Joint work (联合踏勘 pane, arts. 9–11): loading it, keeping it live from `joint_event.*`
//! and `report.signed` events, and the participant's keys — acknowledge a notice, sign a
//! report (agree, or dissent with a reason in a text box).

use ratatui_textarea::TextArea;

use super::App;
use crate::api::{JointEvent, JointEventList};
use crate::console::action::{Command, Effect, Outcome};
use crate::console::i18n::fill;
use crate::console::model::{Inspection, Mode, Pane, Purpose, StatusKind, TextBox};

impl App {
    /// The whole list as the server sent it: from now on an empty pane means there is nothing.
    pub(super) fn on_joint_events(&mut self, res: Outcome<JointEventList>) -> Option<Effect> {
        match res {
            Ok(list) => {
                let sel = self.selected_inspection().map(|i| i.id);
                let items = list.items.iter().map(Inspection::from_event).collect();
                self.set_inspections(items);
                self.reselect_inspection(sel);
                None
            }
            Err(e) => self.request_failed(e, true),
        }
    }

    /// Replace the list (sorted by time) and mark it loaded.
    pub(super) fn set_inspections(&mut self, mut list: Vec<Inspection>) {
        list.sort_by_key(|i| (i.at, i.id));
        self.inspections = list;
        self.inspections_loaded = true;
        let len = self.pane_len(Pane::Inspections);
        self.pane_mut(Pane::Inspections).list.clamp(len);
    }

    /// A changed or new event from the stream or from our own request.
    pub(super) fn upsert_joint_event(&mut self, e: &JointEvent) {
        let sel = self.selected_inspection().map(|i| i.id);
        let mut row = Inspection::from_event(e);
        match self.inspections.iter().position(|i| i.id == e.id) {
            Some(p) => {
                // The experts are drawn by another part of the server: keep what is shown.
                row.experts = std::mem::take(&mut self.inspections[p].experts);
                self.inspections[p] = row;
            }
            None => self.inspections.push(row),
        }
        self.inspections.sort_by_key(|i| (i.at, i.id));
        self.reselect_inspection(sel);
    }

    fn reselect_inspection(&mut self, id: Option<i64>) {
        let pos = id.and_then(|id| self.visible_inspections().iter().position(|i| i.id == id));
        let len = self.pane_len(Pane::Inspections);
        let l = &mut self.pane_mut(Pane::Inspections).list;
        if let Some(p) = pos {
            l.selected = p;
        }
        l.clamp(len);
    }

    pub fn selected_inspection(&self) -> Option<&Inspection> {
        self.visible_inspections()
            .get(self.pane(Pane::Inspections).list.selected)
            .copied()
    }

    /// My department's code, if I act for one.
    fn acting_department(&self) -> Option<&str> {
        self.me.as_ref().and_then(|m| m.department.as_deref())
    }

    /// Acknowledge, sign or dissent on the selected row of the joint-work pane.
    pub(super) fn joint_command(&mut self, cmd: Command) -> Option<Effect> {
        let s = self.s();
        let j = s.joint;
        let Some(row) = self.selected_inspection().cloned() else {
            self.set_status(s.st_nothing_selected.into(), StatusKind::Error);
            return None;
        };
        let mine = self.acting_department().map(str::to_string);
        let Some(mine) = mine.filter(|d| row.departments.contains(d)) else {
            self.set_status(fill(j.st_not_participant, &[&row.title]), StatusKind::Error);
            return None;
        };
        match cmd {
            Command::Acknowledge => {
                if row.acknowledged.contains(&mine) {
                    self.set_status(
                        fill(j.st_already_acknowledged, &[&row.title]),
                        StatusKind::Info,
                    );
                    return None;
                }
                self.set_status(fill(j.st_acknowledging, &[&row.title]), StatusKind::Info);
                Some(Effect::Acknowledge { event_id: row.id })
            }
            _ => {
                if !row.reported {
                    self.set_status(fill(j.st_no_report, &[&row.title]), StatusKind::Error);
                    return None;
                }
                if row.signatories.contains(&mine) {
                    self.set_status(fill(j.st_already_signed, &[&row.title]), StatusKind::Info);
                    return None;
                }
                self.open_sign_box(row.id, row.title.clone(), cmd == Command::Sign);
                None
            }
        }
    }

    /// The text box in which my department signs a report (agree, or dissent with a reason).
    pub(super) fn open_sign_box(&mut self, event_id: i64, title: String, agree: bool) {
        let mut area = TextArea::default();
        area.set_placeholder_text(self.s().dlg_placeholder);
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        self.mode = Mode::TextBox(Box::new(TextBox {
            purpose: Purpose::Sign {
                event_id,
                title,
                agree,
            },
            area,
            confirm_discard: false,
            sending: false,
        }));
    }

    /// The answer to an acknowledgement or a signature.
    pub(super) fn on_joint_done(
        &mut self,
        event_id: i64,
        result: Outcome<Box<JointEvent>>,
    ) -> Option<Effect> {
        let j = self.s().joint;
        let signing = matches!(&self.mode, Mode::TextBox(tb)
            if matches!(tb.purpose, Purpose::Sign { event_id: e, .. } if e == event_id));
        let result = result.map(|e| {
            self.upsert_joint_event(&e);
            let t = if signing {
                j.st_signed
            } else {
                j.st_acknowledged
            };
            fill(t, &[&e.title])
        });
        self.on_text_result(
            |p| matches!(p, Purpose::Sign { event_id: e, .. } if *e == event_id),
            result,
        )
    }

    /// A `joint_event.*` or `report.signed` event: the row changes in place.
    pub(super) fn on_joint_event(&mut self, kind: &str, e: JointEvent) {
        let known = self.inspections.iter().any(|i| i.id == e.id);
        self.upsert_joint_event(&e);
        let j = self.s().joint;
        let text = match kind {
            crate::api::event_types::JOINT_EVENT_SCHEDULED if !known => Some(j.st_scheduled),
            crate::api::event_types::JOINT_EVENT_RESCHEDULED
            | crate::api::event_types::JOINT_EVENT_CANCELLED
            | crate::api::event_types::JOINT_EVENT_REPORTED
            | crate::api::event_types::JOINT_EVENT_MINUTES => Some(j.st_changed),
            _ => None,
        };
        if let Some(t) = text {
            self.set_status(fill(t, &[&e.title]), StatusKind::Info);
        }
    }
}
