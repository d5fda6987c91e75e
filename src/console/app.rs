//! The console's state: a small root over parts that each own their state and update.
//!
//! [`App::update`] takes an [`Action`] and returns at most one [`Effect`] (a request for the
//! event loop to make). It never touches the terminal or the network, so every behaviour —
//! claiming, filtering, live events, read-only mode — is tested without either.
//!
//! The parts: the countdown [`Queue`] (pending deliveries, soonest first), the open
//! [`DisputeList`], the [`Monthly`] statistics, one [`PaneState`] per pane (selection and
//! filter), and the [`Mode`] (overlays and text boxes). Commands are carried out in
//! [`commands`], server events applied in [`events`], keys resolved in
//! `console/input.rs`. Whether the screen must be redrawn is decided in one place,
//! [`App::update`].

mod cases;
mod commands;
mod deliveries;
mod disputes;
mod draws;
mod duties;
mod events;
mod joint;
mod letters;
mod lookup;
mod month_end;
mod monthly;
mod requests;
mod verifications;

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset};
use crossterm::event::KeyEventKind;

pub use self::disputes::DisputeList;
pub use self::letters::letter_decision;
pub use self::lookup::lookup;
pub use self::monthly::{Monthly, months_ending};
use super::action::{Action, Command, Effect, RequestError};
use super::config::Thresholds;
use super::i18n::{Lang, Strings, fill};
use super::keymap::Keymap;
use super::model::contains;
// The view models (defined in `model`), also where the tests and the drawing code have always
// found them.
pub use super::model::{
    Connection, Details, Inspection, InspectionKind, LegacyDialog, ListState, Mode, Pane,
    PaneState, Purpose, Status, StatusKind, TextBox,
};
use super::queue::{ItemId, Queue, QueueItem};
use super::theme::Theme;
use crate::api::{Delivery, Department, Dispute, Me};

/// How many deliveries one request asks for; the rest are loaded page by page after the first
/// frame is on screen.
pub const PAGE_SIZE: u32 = 500;

/// Everything the console shows.
pub struct App {
    // Settings, fixed for the session.
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    pub thresholds: Thresholds,
    pub readonly: bool,
    pub server: String,

    // The session.
    pub me: Option<Me>,
    /// The server's current time (local clock corrected by the measured skew).
    pub now: DateTime<FixedOffset>,
    pub connection: Connection,
    pub last_event_id: Option<i64>,
    pub department_names: HashMap<String, String>,

    // What is on screen.
    pub focus: Pane,
    pub mode: Mode,
    pub panes: [PaneState; 4],
    pub status: Option<Status>,

    // The parts.
    /// Pending deliveries and outstanding duties, soonest deadline first.
    pub queue: Queue,
    /// Deliveries whose claim request is on its way.
    claiming: std::collections::HashSet<i64>,
    pub disputes: DisputeList,
    pub inspections: Vec<Inspection>,
    /// The server answered the joint-work list (until then the pane says it is loading).
    pub inspections_loaded: bool,
    pub monthly: Monthly,

    // Lifecycle.
    pub quit: bool,
    /// Set when the console must stop with a message (expired or revoked token).
    pub fatal: Option<String>,
    /// Something visible changed since the last draw (set only by [`App::update`]; the event
    /// loop clears it after drawing).
    pub dirty: bool,
}

impl App {
    pub fn new(
        lang: Lang,
        keymap: Keymap,
        theme: Theme,
        readonly: bool,
        now: DateTime<FixedOffset>,
        me: Option<Me>,
    ) -> App {
        App {
            lang,
            keymap,
            theme,
            thresholds: Thresholds::default(),
            readonly,
            server: String::new(),
            me,
            now,
            connection: Connection::Connecting,
            last_event_id: None,
            department_names: HashMap::new(),
            focus: Pane::Unclaimed,
            mode: Mode::Normal,
            panes: Default::default(),
            status: None,
            queue: Queue::new_loading(),
            claiming: Default::default(),
            disputes: DisputeList::default(),
            inspections: Vec::new(),
            inspections_loaded: false,
            monthly: Monthly::new(now),
            quit: false,
            fatal: None,
            dirty: true,
        }
    }

    pub fn s(&self) -> &'static Strings {
        self.lang.strings()
    }

    /// The requests to make when the console starts.
    pub fn startup(&mut self) -> Effect {
        Effect::Batch(vec![self.reload(), Effect::LoadDepartments])
    }

    /// The truncation mark: `…`, or `~` with ASCII borders (terminals that draw `…` wide).
    pub fn ellipsis(&self) -> &'static str {
        if self.theme.ascii { "~" } else { "…" }
    }

    /// Reload every list from the server.
    fn reload(&mut self) -> Effect {
        self.queue.loading = true;
        self.queue.duties_loading = true;
        Effect::Batch(vec![
            Effect::LoadDeliveries { cursor: None },
            Effect::LoadDuties { cursor: None },
            Effect::LoadDisputes,
            Effect::LoadJointEvents,
            self.monthly.load(),
        ])
    }

    pub fn month_str(&self) -> String {
        self.monthly.month_str()
    }

    /// Supervisors, duty officers and admins see every department (and a department column).
    pub fn sees_all(&self) -> bool {
        self.me.as_ref().is_none_or(|m| m.role.sees_all())
    }

    pub fn my_username(&self) -> Option<&str> {
        self.me
            .as_ref()
            .and_then(|m| m.user.as_ref())
            .map(|u| u.username.as_str())
    }

    pub fn department_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.department_names
            .get(code)
            .map(String::as_str)
            .unwrap_or(code)
    }

    /// Department names arrived (a shortcut for [`Action::Departments`]).
    pub fn set_departments(&mut self, deps: Vec<Department>) {
        self.update(Action::Departments(deps));
    }

    pub fn pane(&self, pane: Pane) -> &PaneState {
        &self.panes[pane.index()]
    }

    fn pane_mut(&mut self, pane: Pane) -> &mut PaneState {
        &mut self.panes[pane.index()]
    }

    // ----- read access for drawing -----

    /// Number of rows the unclaimed pane shows (after the filter).
    pub fn delivery_count(&self) -> usize {
        self.queue.len()
    }

    /// Total pending deliveries loaded (before the filter).
    pub fn delivery_total(&self) -> usize {
        self.queue.total()
    }

    /// The `i`-th row of the unclaimed pane, if it is a delivery.
    pub fn delivery(&self, i: usize) -> Option<&Delivery> {
        self.queue.get(i).and_then(QueueItem::as_delivery)
    }

    pub fn selected_delivery(&self) -> Option<&Delivery> {
        self.delivery(self.pane(Pane::Unclaimed).list.selected)
    }

    /// The `i`-th row of the countdown queue shown (a delivery or a duty).
    pub fn queue_item(&self, i: usize) -> Option<&QueueItem> {
        self.queue.get(i)
    }

    pub fn selected_duty(&self) -> Option<&crate::api::Duty> {
        self.queue
            .get(self.pane(Pane::Unclaimed).list.selected)
            .and_then(QueueItem::as_duty)
    }

    /// Open disputes after the disputes pane's filter.
    pub fn visible_disputes(&self) -> Vec<&Dispute> {
        self.disputes
            .visible(&self.pane(Pane::Disputes).filter, &self.department_names)
    }

    pub fn selected_dispute(&self) -> Option<&Dispute> {
        self.visible_disputes()
            .get(self.pane(Pane::Disputes).list.selected)
            .copied()
    }

    pub fn visible_inspections(&self) -> Vec<&Inspection> {
        let f = self.pane(Pane::Inspections).filter.to_lowercase();
        self.inspections
            .iter()
            .filter(|i| {
                f.is_empty()
                    || contains(&i.title, &f)
                    || contains(&i.place, &f)
                    || i.departments
                        .iter()
                        .any(|d| contains(d, &f) || contains(self.department_name(d), &f))
            })
            .collect()
    }

    pub fn visible_months(&self) -> Vec<&crate::api::DepartmentMonth> {
        self.monthly
            .visible(&self.pane(Pane::Monthly).filter.to_lowercase())
    }

    pub fn pane_len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Unclaimed => self.delivery_count(),
            Pane::Disputes => self.visible_disputes().len(),
            Pane::Inspections => self.visible_inspections().len(),
            Pane::Monthly => self.visible_months().len(),
        }
    }

    /// The text the help overlay shows: every command with its keys in the active keymap.
    pub fn help_lines(&self) -> Vec<(String, &'static str)> {
        Command::ALL
            .iter()
            .map(|&c| (self.keymap.describe(c), c.label(self.s())))
            .filter(|(k, _)| !k.is_empty())
            .collect()
    }

    // ----- the update function -----

    /// Applies one action. This is also the one place that decides whether the screen must be
    /// redrawn: every action changes something visible, except a key release and a tick within
    /// the same second (countdowns show seconds, so a new second is a visible change).
    pub fn update(&mut self, action: Action) -> Option<Effect> {
        let redraw = match &action {
            Action::Key(ev) => ev.kind != KeyEventKind::Release,
            Action::Tick(now) => now.timestamp() != self.now.timestamp(),
            _ => true,
        };
        let effect = self.apply(action);
        self.dirty |= redraw;
        effect
    }

    fn apply(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Command(cmd) => self.dispatch(cmd),
            Action::Key(ev) => self.on_key(ev),
            Action::Paste(text) => {
                self.on_paste(text);
                None
            }
            Action::Tick(now) => self.on_tick(now),
            Action::Resize => None,
            Action::Stream(item) => self.on_stream(item),
            Action::Me(me) => {
                self.me = Some(me);
                None
            }
            Action::Deliveries { page, first } => self.on_deliveries(page, first),
            Action::Duties { page, first } => self.on_duties(page, first),
            Action::Disputes(res) => match res {
                Ok(page) => {
                    let sel = self.selected_dispute().map(|d| d.id);
                    self.disputes.replace(page.items);
                    self.reselect_dispute(sel);
                    None
                }
                Err(e) => self.request_failed(e, true),
            },
            Action::Monthly { month, stats } => {
                if month != self.month_str() {
                    return None; // an answer for a month no longer shown
                }
                match self.monthly.loaded(stats, self.now) {
                    Ok(()) => {
                        let len = self.pane_len(Pane::Monthly);
                        self.pane_mut(Pane::Monthly).list.clamp(len);
                        None
                    }
                    Err(e) => self.request_failed(e, true),
                }
            }
            Action::Bulletins {
                month,
                issued,
                live,
            } => self.on_bulletins(month, issued, live),
            Action::Trend { month, months } => self.on_trend(month, months),
            Action::Issued(result) => self.on_issued(result),
            Action::Exported(result) => self.on_exported(result),
            Action::Detail(res) => match (&mut self.mode, res) {
                (Mode::Details(d), Ok(detail)) if d.delivery_id == detail.delivery.id => {
                    d.detail = Some(detail);
                    None
                }
                (Mode::Details(d), Err(RequestError::Failed(m))) => {
                    d.error = Some(m);
                    None
                }
                (_, Err(e)) => self.request_failed(e, false),
                _ => None,
            },
            Action::Claimed { id, result } => {
                self.claiming.remove(&id);
                match result {
                    Ok(d) => {
                        self.remove_delivery((d.claim_deadline, ItemId::delivery(id)));
                        self.set_status(fill(self.s().st_claimed, &[&d.title]), StatusKind::Ok);
                        self.monthly.mark_stale();
                        None
                    }
                    Err(e) => self.request_failed(e, false),
                }
            }
            Action::FeedbackSent {
                delivery_id,
                result,
            } => {
                let result = result.map(|d| {
                    let msg = fill(self.s().st_feedback_sent, &[&d.subject]);
                    self.upsert_dispute(d);
                    msg
                });
                self.on_text_result(
                    |p| matches!(p, Purpose::Feedback { delivery_id: d, .. } if *d == delivery_id),
                    result,
                )
            }
            Action::ReplySent { dispute_id, result } => {
                let result = result.map(|d| {
                    let msg = fill(self.s().st_reply_sent, &[&d.subject]);
                    self.upsert_dispute(d);
                    msg
                });
                self.on_text_result(
                    |p| matches!(p, Purpose::Reply { dispute_id: d, .. } if *d == dispute_id),
                    result,
                )
            }
            Action::Escalated {
                delivery_id,
                result,
            } => self.on_escalated(delivery_id, result),
            Action::Departments(deps) => {
                self.department_names = deps.into_iter().map(|d| (d.code, d.name)).collect();
                self.department_names_changed();
                None
            }
            Action::Inspections(list) => {
                self.set_inspections(list);
                None
            }
            Action::JointEvents(res) => self.on_joint_events(res),
            Action::JointDone { event_id, result } => self.on_joint_done(event_id, result),
            Action::InquiryReplied { letter_id, result } => {
                self.on_inquiry_replied(letter_id, result)
            }
            Action::LegacyDone { case_id, result } => self.on_legacy_done(case_id, result),
            Action::VerificationDone { task_id, result } => {
                self.on_verification_done(task_id, result)
            }
            Action::LetterDecided { action_id, result } => {
                self.on_letter_decided(action_id, result)
            }
            Action::LookedUp(result) => self.on_looked_up(result),
        }
    }

    pub(crate) fn set_status(&mut self, text: String, kind: StatusKind) {
        self.status = Some(Status {
            text,
            kind,
            at: self.now,
        });
    }

    fn on_tick(&mut self, now: DateTime<FixedOffset>) -> Option<Effect> {
        self.now = now;
        if let Some(st) = &self.status
            && st.kind != StatusKind::Error
            && now.signed_duration_since(st.at) > chrono::Duration::seconds(10)
        {
            self.status = None;
        }
        self.monthly.refresh_if_due(now)
    }

    // ----- disputes -----

    fn upsert_dispute(&mut self, d: Dispute) {
        let sel = self.selected_dispute().map(|x| x.id);
        self.disputes.upsert(d);
        self.reselect_dispute(sel);
    }

    fn reselect_dispute(&mut self, id: Option<i64>) {
        let pos = id.and_then(|id| self.visible_disputes().iter().position(|d| d.id == id));
        let len = self.pane_len(Pane::Disputes);
        let l = &mut self.pane_mut(Pane::Disputes).list;
        if let Some(p) = pos {
            l.selected = p;
        }
        l.clamp(len);
    }

    // ----- filters -----

    /// The focused pane's filter changed: refilter and go back to its first row.
    pub(crate) fn filter_changed(&mut self) {
        let pane = self.focus;
        if pane == Pane::Unclaimed {
            self.queue
                .set_filter(&self.panes[pane.index()].filter, &self.department_names);
            self.reselect_queue(None);
        }
        self.pane_mut(pane).list.selected = 0;
    }

    /// The filter matches department names too: rebuild the queue's filtered view (if any),
    /// keeping the selected row.
    fn department_names_changed(&mut self) {
        if self.queue.is_filtered() {
            let key = self.selected_key();
            self.queue.refilter(&self.department_names);
            self.reselect_queue(key);
        }
    }
}
