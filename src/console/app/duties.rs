//! Duties in the countdown queue: pages of outstanding duties, their live events, and the
//! primary key on a duty row (each kind's own action: decide, verify, acknowledge, sign,
//! answer).

use super::App;
use crate::api::{Duty, DutyDeadlineChanged, Event, Page, event_types};
use crate::console::action::{Effect, Outcome};
use crate::console::i18n::fill;
use crate::console::model::{LegacyDialog, Purpose, StatusKind};
use crate::console::queue::{ItemId, ItemKind, QueueItem};

impl App {
    pub(super) fn upsert_duty(&mut self, d: Duty) {
        let key = self.selected_key();
        self.queue
            .upsert(QueueItem::Duty(Box::new(d)), &self.department_names);
        self.reselect_queue(key);
    }

    pub(super) fn remove_duty(&mut self, d: &Duty) {
        let key = (d.due, ItemId::duty(d.id));
        if self.queue.duties_loading {
            self.queue.tombstone(key.1);
        }
        let sel = self.selected_key();
        if self.queue.remove(key) {
            self.reselect_queue(sel);
        }
    }

    pub(super) fn on_duties(&mut self, page: Outcome<Page<Duty>>, first: bool) -> Option<Effect> {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                self.queue.duties_loading = false;
                return self.request_failed(e, true);
            }
        };
        let key = self.selected_key();
        if first {
            self.queue
                .clear_kind(ItemKind::Duty, &self.department_names);
        }
        for d in page.items {
            let id = ItemId::duty(d.id);
            if !d.state.is_outstanding()
                || !self.is_mine(&d.department)
                || self.queue.is_tombstoned(id)
                || self.queue.contains(id)
            {
                continue;
            }
            self.queue
                .upsert(QueueItem::Duty(Box::new(d)), &self.department_names);
        }
        let next = page.next_cursor;
        self.queue.duties_loading = next.is_some();
        if !self.queue.loading && !self.queue.duties_loading {
            self.queue.clear_tombstones();
        }
        self.reselect_queue(key);
        next.map(|c| Effect::LoadDuties { cursor: Some(c) })
    }

    /// A `duty.*` event: an outstanding duty of mine is (re)placed in the queue, any other
    /// leaves it. Returns whether it was a duty event.
    pub(super) fn apply_duty_event(&mut self, e: &Event) -> bool {
        if !e.kind.starts_with("duty.") {
            return false;
        }
        if e.kind == event_types::DUTY_DEADLINE_CHANGED
            && let Ok(c) = serde_json::from_value::<DutyDeadlineChanged>(e.data.clone())
        {
            // The row moves: drop it from its old place first.
            let mut old = c.duty.clone();
            old.due = c.previous_due;
            self.remove_duty(&old);
        }
        let Ok(d) = serde_json::from_value::<Duty>(e.data.clone()) else {
            return true;
        };
        self.monthly.mark_stale();
        let s = self.s();
        if d.state.is_outstanding() && self.is_mine(&d.department) {
            let label = s.duty_kind(d.kind);
            let msg = match e.kind.as_str() {
                event_types::DUTY_CREATED if !self.queue.contains(ItemId::duty(d.id)) => {
                    Some(fill(s.st_duty_new, &[label, &d.title]))
                }
                event_types::DUTY_OVERDUE => Some(fill(s.st_duty_overdue, &[label, &d.title])),
                _ => None,
            };
            if let Some(m) = msg {
                self.set_status(m, StatusKind::Info);
            }
            self.upsert_duty(d);
        } else {
            if e.kind == event_types::DUTY_LAPSED && self.queue.contains(ItemId::duty(d.id)) {
                let label = s.duty_kind(d.kind);
                self.set_status(fill(s.st_duty_lapsed, &[label, &d.title]), StatusKind::Info);
            }
            self.remove_duty(&d);
        }
        true
    }

    /// The primary key on a duty row: the kind's own action. Each feature adds its kind's arm
    /// (a request, or a text box / confirmation first).
    pub(super) fn duty_primary(&mut self, d: &Duty) -> Option<Effect> {
        let s = self.s();
        match d.kind {
            // Acknowledge the joint event's notice (the duty's subject is the event).
            crate::api::DutyKind::NoticeAck => {
                self.set_status(
                    fill(s.joint.st_acknowledging, &[&d.title]),
                    StatusKind::Info,
                );
                return Some(Effect::Acknowledge {
                    event_id: d.subject_id,
                });
            }
            // Sign the joint report: the text box (agree; the comment may stay empty).
            crate::api::DutyKind::ReportSignature => {
                self.open_sign_box(d.subject_id, d.title.clone(), true);
                return None;
            }
            // Answer the inquiry letter (the duty's subject is the letter).
            crate::api::DutyKind::InquiryReply => {
                self.open_case_box(Purpose::InquiryReply {
                    letter_id: d.subject_id,
                    title: d.title.clone(),
                });
                return None;
            }
            // A legacy case's step (the duty's subject is the case): the step's dialog.
            crate::api::DutyKind::LegacyOpinion
            | crate::api::DutyKind::LegacyVerification
            | crate::api::DutyKind::LegacyDecision => {
                let step = match d.kind {
                    crate::api::DutyKind::LegacyOpinion => LegacyDialog::Opinion {
                        rectification_required: false,
                    },
                    crate::api::DutyKind::LegacyVerification => {
                        LegacyDialog::Verification { pass: true }
                    }
                    _ => LegacyDialog::Decision,
                };
                self.open_case_box(Purpose::Legacy {
                    case_id: d.subject_id,
                    title: d.title.clone(),
                    step,
                });
                return None;
            }
            // Record the verification's result (the duty's subject is the task).
            crate::api::DutyKind::Verification | crate::api::DutyKind::Reverification => {
                return self.open_verify_box(d);
            }
            // Decide the licence-action letter (the duty's subject is the letter).
            crate::api::DutyKind::LicenseActionDecision => {
                return self.open_letter_box(d);
            }
            // Every kind has its arm today; a kind added later says it has no action yet.
            #[allow(unreachable_patterns)]
            _ => {}
        }
        self.set_status(
            fill(s.st_duty_no_action, &[s.duty_kind(d.kind), &d.title]),
            StatusKind::Info,
        );
        None
    }

    /// A department's own record (roles that see all: every department's).
    fn is_mine(&self, department: &str) -> bool {
        match &self.me {
            Some(me) if !me.role.sees_all() => me.department.as_deref() == Some(department),
            _ => true,
        }
    }
}
