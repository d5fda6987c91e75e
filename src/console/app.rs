//! The console's state and its one update function.
//!
//! [`App::update`] takes an [`Action`] and returns at most one [`Effect`] (a request for the
//! event loop to make). It never touches the terminal or the network, so every behaviour —
//! claiming, filtering, live events, read-only mode — is tested without either.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, FixedOffset};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use super::action::{Action, Command, Context, Effect, Outcome, RequestError};
use super::config::Thresholds;
use super::i18n::{Lang, Strings, fill};
use super::keymap::Keymap;
use super::theme::Theme;
use crate::api::{
    Delivery, DeliveryDetail, DeliveryStatus, Department, Dispute, DisputeStatus, Event, Me,
    MonthlyStats, event_types,
};
use crate::client::StreamItem;

/// How many deliveries one request asks for; the rest are loaded page by page after the first
/// frame is on screen.
pub const PAGE_SIZE: u32 = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Unclaimed,
    Disputes,
    Inspections,
    Monthly,
}

impl Pane {
    pub const ALL: [Pane; 4] = [
        Pane::Unclaimed,
        Pane::Disputes,
        Pane::Inspections,
        Pane::Monthly,
    ];

    pub fn index(self) -> usize {
        self as usize
    }
    pub fn title(self, s: &Strings) -> &'static str {
        match self {
            Pane::Unclaimed => s.pane_unclaimed,
            Pane::Disputes => s.pane_disputes,
            Pane::Inspections => s.pane_inspections,
            Pane::Monthly => s.pane_monthly,
        }
    }
    fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % 4]
    }
    fn prev(self) -> Pane {
        Pane::ALL[(self.index() + 3) % 4]
    }
}

/// How close a deadline is; each has its own colour role in the theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Plenty,
    /// Under the `urgent` threshold (4 hours by default).
    Urgent,
    /// Under the `critical` threshold (1 hour by default).
    Critical,
    Overdue,
}

pub fn urgency(
    deadline: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
    th: &Thresholds,
) -> Urgency {
    let left = deadline.signed_duration_since(now);
    if left <= chrono::Duration::zero() {
        // Acting exactly at the deadline instant is late.
        Urgency::Overdue
    } else if left < chrono::Duration::from_std(th.critical).unwrap_or(chrono::Duration::MAX) {
        Urgency::Critical
    } else if left < chrono::Duration::from_std(th.urgent).unwrap_or(chrono::Duration::MAX) {
        Urgency::Urgent
    } else {
        Urgency::Plenty
    }
}

/// `03:04:05`, `1天 03:04:05` / `1d 03:04:05`, and `已超时 00:05:00` / `overdue 00:05:00`.
pub fn format_countdown(
    deadline: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
    s: &Strings,
) -> String {
    let secs = deadline.signed_duration_since(now).num_seconds();
    let (neg, secs) = if secs <= 0 {
        (true, -secs)
    } else {
        (false, secs)
    };
    let d = secs / 86_400;
    let h = (secs % 86_400) / 3600;
    let m = (secs % 3600) / 60;
    let sec = secs % 60;
    let body = if d > 0 {
        format!("{d}{} {h:02}:{m:02}:{sec:02}", s.day_unit)
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    };
    if neg {
        format!("{} {body}", s.overdue)
    } else {
        body
    }
}

/// A joint inspection, review, hearing or meeting (art. 9–11), as the inspections pane shows it.
/// Fed by [`Action::Inspections`] once the coordination API exists.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub id: i64,
    pub kind: InspectionKind,
    pub title: String,
    pub at: DateTime<FixedOffset>,
    pub place: String,
    /// Department codes taking part.
    pub departments: Vec<String>,
    /// Experts drawn for it.
    pub experts: Vec<String>,
    /// Departments that have signed the joint report, of `departments.len()`.
    pub signed: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InspectionKind {
    Inspection,
    Review,
    Hearing,
    Meeting,
}

impl InspectionKind {
    pub fn label(self, s: &Strings) -> &'static str {
        match self {
            InspectionKind::Inspection => s.kind_inspection,
            InspectionKind::Review => s.kind_review,
            InspectionKind::Hearing => s.kind_hearing,
            InspectionKind::Meeting => s.kind_meeting,
        }
    }
}

/// Selection and scroll of one list. The offset and height are kept in cells so drawing (which
/// only reads the app) can keep the selection in view.
#[derive(Debug, Default)]
pub struct ListState {
    pub selected: usize,
    pub offset: Cell<usize>,
    /// Rows visible at the last draw (for PgUp/PgDn).
    pub height: Cell<usize>,
}

impl ListState {
    fn page(&self) -> usize {
        self.height.get().max(2) - 1
    }
    fn clamp(&mut self, len: usize) {
        if len == 0 {
            self.selected = 0;
        } else if self.selected >= len {
            self.selected = len - 1;
        }
    }
    /// The first row to draw so that `selected` is visible in `height` rows.
    pub fn scroll_for(&self, len: usize, height: usize) -> usize {
        self.height.set(height);
        let mut off = self.offset.get();
        if height == 0 {
            return off;
        }
        if self.selected < off {
            off = self.selected;
        } else if self.selected >= off + height {
            off = self.selected + 1 - height;
        }
        off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        off
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    Connecting,
    Live,
    Reconnecting { after_secs: u64, reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Ok,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub text: String,
    pub kind: StatusKind,
    pub at: DateTime<FixedOffset>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// Raise a question/dispute on a delivery (unclaimed pane).
    Feedback { delivery_id: i64, title: String },
    /// Reply to a dispute thread (disputes pane).
    Reply { dispute_id: i64, subject: String },
    /// Escalate (督办) a delivery with a reason.
    Escalate { delivery_id: i64, title: String },
}

pub struct TextBox {
    pub purpose: Purpose,
    pub area: TextArea<'static>,
    /// Esc was pressed with text typed: asking whether to discard it.
    pub confirm_discard: bool,
    /// Sent; waiting for the server's answer (the box stays open if it is refused).
    pub sending: bool,
}

impl TextBox {
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }
}

pub struct Details {
    pub delivery_id: i64,
    pub detail: Option<Box<DeliveryDetail>>,
    pub error: Option<String>,
    pub scroll: Cell<u16>,
}

pub enum Mode {
    Normal,
    /// Typing into the focused pane's filter.
    Filter,
    TextBox(Box<TextBox>),
    Details(Box<Details>),
    Help {
        scroll: Cell<u16>,
    },
}

/// Everything the console shows.
pub struct App {
    pub lang: Lang,
    pub keymap: Keymap,
    pub theme: Theme,
    pub thresholds: Thresholds,
    pub readonly: bool,
    pub server: String,
    pub me: Option<Me>,

    /// The server's current time (local clock corrected by the measured skew).
    pub now: DateTime<FixedOffset>,
    pub focus: Pane,
    pub mode: Mode,
    pub lists: [ListState; 4],
    pub filters: [String; 4],
    pub connection: Connection,
    pub status: Option<Status>,

    /// Pending deliveries, soonest claim deadline first (ties by id), as the server orders them.
    /// Boxed on purpose: a live insert or removal among 100,000 rows then moves pointers, not
    /// whole records.
    #[allow(clippy::vec_box)]
    deliveries: Vec<Box<Delivery>>,
    delivery_ids: HashSet<i64>,
    /// Ids removed by events while pages are still loading, so a later page does not resurrect them.
    gone_ids: HashSet<i64>,
    /// Indices into `deliveries` matching the unclaimed pane's filter (`None`: no filter).
    view: Option<Vec<usize>>,
    pub deliveries_loading: bool,
    pub deliveries_loaded_once: bool,
    claiming: HashSet<i64>,

    /// Open disputes, soonest answer due first.
    pub disputes: Vec<Dispute>,
    pub disputes_loaded: bool,
    pub inspections: Vec<Inspection>,

    pub month: (i32, u32),
    pub monthly: Option<MonthlyStats>,
    pub monthly_loading: bool,
    monthly_stale: bool,
    monthly_loaded_at: Option<DateTime<FixedOffset>>,

    pub department_names: HashMap<String, String>,
    pub last_event_id: Option<i64>,
    pub quit: bool,
    /// Set when the console must stop with a message (expired or revoked token).
    pub fatal: Option<String>,
    /// Something visible changed since the last draw.
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
        let month = (now.year(), now.month());
        App {
            lang,
            keymap,
            theme,
            thresholds: Thresholds::default(),
            readonly,
            server: String::new(),
            me,
            now,
            focus: Pane::Unclaimed,
            mode: Mode::Normal,
            lists: Default::default(),
            filters: Default::default(),
            connection: Connection::Connecting,
            status: None,
            deliveries: Vec::new(),
            delivery_ids: HashSet::new(),
            gone_ids: HashSet::new(),
            view: None,
            deliveries_loading: true,
            deliveries_loaded_once: false,
            claiming: HashSet::new(),
            disputes: Vec::new(),
            disputes_loaded: false,
            inspections: Vec::new(),
            month,
            monthly: None,
            monthly_loading: false,
            monthly_stale: false,
            monthly_loaded_at: None,
            department_names: HashMap::new(),
            last_event_id: None,
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
        self.deliveries_loading = true;
        self.monthly_loading = true;
        Effect::Batch(vec![
            Effect::LoadDeliveries { cursor: None },
            Effect::LoadDisputes,
            Effect::LoadMonthly {
                month: self.month_str(),
            },
        ])
    }

    pub fn month_str(&self) -> String {
        format!("{:04}-{:02}", self.month.0, self.month.1)
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

    pub fn set_departments(&mut self, deps: Vec<Department>) {
        self.department_names = deps.into_iter().map(|d| (d.code, d.name)).collect();
        self.department_names_changed();
        self.dirty = true;
    }

    /// The filter matches department names too: rebuild the filtered view (if any), keeping
    /// the selected row.
    fn department_names_changed(&mut self) {
        if self.view.is_some() {
            self.refilter_keep(self.selected_delivery_key());
        }
    }

    // ----- read access for drawing -----

    /// Number of rows the unclaimed pane shows (after the filter).
    pub fn delivery_count(&self) -> usize {
        self.view.as_ref().map_or(self.deliveries.len(), Vec::len)
    }

    /// Total pending deliveries loaded (before the filter).
    pub fn delivery_total(&self) -> usize {
        self.deliveries.len()
    }

    /// The `i`-th row of the unclaimed pane.
    pub fn delivery(&self, i: usize) -> Option<&Delivery> {
        let idx = match &self.view {
            Some(v) => *v.get(i)?,
            None => i,
        };
        self.deliveries.get(idx).map(|b| &**b)
    }

    pub fn selected_delivery(&self) -> Option<&Delivery> {
        self.delivery(self.lists[Pane::Unclaimed.index()].selected)
    }

    /// Open disputes after the disputes pane's filter.
    pub fn visible_disputes(&self) -> Vec<&Dispute> {
        let f = &self.filters[Pane::Disputes.index()];
        self.disputes
            .iter()
            .filter(|d| self.dispute_matches(d, f))
            .collect()
    }

    pub fn selected_dispute(&self) -> Option<&Dispute> {
        self.visible_disputes()
            .get(self.lists[Pane::Disputes.index()].selected)
            .copied()
    }

    pub fn visible_inspections(&self) -> Vec<&Inspection> {
        let f = lower(&self.filters[Pane::Inspections.index()]);
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
        let f = lower(&self.filters[Pane::Monthly.index()]);
        self.monthly
            .iter()
            .flat_map(|m| m.departments.iter())
            .filter(|d| f.is_empty() || contains(&d.department, &f) || contains(&d.name, &f))
            .collect()
    }

    pub fn pane_len(&self, pane: Pane) -> usize {
        match pane {
            Pane::Unclaimed => self.delivery_count(),
            Pane::Disputes => self.visible_disputes().len(),
            Pane::Inspections => self.visible_inspections().len(),
            Pane::Monthly => self.visible_months().len(),
        }
    }

    // ----- the update function -----

    pub fn update(&mut self, action: Action) -> Option<Effect> {
        match action {
            Action::Command(cmd) => self.dispatch(cmd),
            Action::Key(ev) => self.on_key(ev),
            Action::Paste(text) => {
                match &mut self.mode {
                    Mode::TextBox(tb) if !tb.sending => {
                        tb.confirm_discard = false;
                        tb.area.insert_str(text);
                    }
                    Mode::Filter => {
                        let f = &mut self.filters[self.focus.index()];
                        f.push_str(&text.replace(['\n', '\r'], " "));
                        self.refilter();
                    }
                    _ => {}
                }
                self.dirty = true;
                None
            }
            Action::Tick(now) => self.on_tick(now),
            Action::Resize => {
                self.dirty = true;
                None
            }
            Action::Stream(item) => self.on_stream(item),
            Action::Me(me) => {
                self.me = Some(me);
                self.dirty = true;
                None
            }
            Action::Deliveries { page, first } => self.on_deliveries(page, first),
            Action::Disputes(res) => {
                self.dirty = true;
                match res {
                    Ok(page) => {
                        let sel = self.selected_dispute().map(|d| d.id);
                        self.disputes = page
                            .items
                            .into_iter()
                            .filter(|d| d.status == DisputeStatus::Open)
                            .collect();
                        self.disputes.sort_by_key(|d| (d.answer_due, d.id));
                        self.disputes_loaded = true;
                        self.reselect_dispute(sel);
                        None
                    }
                    Err(e) => self.request_failed(e, true),
                }
            }
            Action::Monthly { month, stats } => {
                self.dirty = true;
                if month != self.month_str() {
                    return None; // an answer for a month no longer shown
                }
                self.monthly_loading = false;
                match stats {
                    Ok(s) => {
                        self.monthly = Some(s);
                        self.monthly_loaded_at = Some(self.now);
                        self.lists[Pane::Monthly.index()].clamp(self.pane_len(Pane::Monthly));
                        None
                    }
                    Err(e) => self.request_failed(e, true),
                }
            }
            Action::Detail(res) => {
                self.dirty = true;
                match (&mut self.mode, res) {
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
                }
            }
            Action::Claimed { id, result } => {
                self.claiming.remove(&id);
                self.dirty = true;
                match result {
                    Ok(d) => {
                        self.remove_delivery((d.claim_deadline, id));
                        self.set_status(fill(self.s().st_claimed, &[&d.title]), StatusKind::Ok);
                        self.monthly_stale = true;
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
            } => {
                let from_box = match &self.mode {
                    Mode::TextBox(tb) => match &tb.purpose {
                        Purpose::Escalate {
                            delivery_id: d,
                            title,
                        } if *d == delivery_id => Some(title.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                let title = from_box
                    .or_else(|| self.find_delivery(delivery_id).map(|d| d.title.clone()))
                    .unwrap_or_else(|| format!("#{delivery_id}"));
                if result.is_ok()
                    && let Some(pos) = self.deliveries.iter().position(|d| d.id == delivery_id)
                {
                    self.deliveries[pos].escalated = true;
                }
                let result = result.map(|_| fill(self.s().st_escalated, &[&title]));
                self.on_text_result(
                    |p| matches!(p, Purpose::Escalate { delivery_id: d, .. } if *d == delivery_id),
                    result,
                )
            }
            Action::Departments(deps) => {
                self.set_departments(deps);
                None
            }
            Action::Inspections(list) => {
                let mut list = list;
                list.sort_by_key(|i| (i.at, i.id));
                self.inspections = list;
                self.lists[Pane::Inspections.index()].clamp(self.pane_len(Pane::Inspections));
                self.dirty = true;
                None
            }
        }
    }

    /// Whether the signed-in role may do this at all (the server decides each case; this only
    /// keeps the command bar and the keys from offering what would certainly be refused):
    /// claims and replies are for departments' staff, escalation also for supervisors.
    fn role_may(&self, cmd: Command) -> bool {
        use crate::domain::policy::{self, Action};
        let Some(me) = &self.me else { return true };
        // The server's own rules (`domain::policy`), asked before a record is chosen.
        let actions: &[Action] = match cmd {
            Command::Claim => &[Action::Claim],
            // Reply raises feedback on a delivery or replies in a thread.
            Command::Reply => &[Action::RaiseFeedback, Action::Reply],
            Command::Escalate => &[Action::Escalate],
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
    fn dispatch(&mut self, cmd: Command) -> Option<Effect> {
        self.dirty = true;
        if !self.may(cmd) {
            let refusal = if self.readonly && cmd.is_mutating() {
                self.s().st_readonly
            } else {
                self.s().st_role
            };
            self.set_status(fill(refusal, &[self.s().command(cmd)]), StatusKind::Error);
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
                let l = &mut self.lists[pane.index()];
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
                let Some(d) = self.selected_delivery() else {
                    self.set_status(self.s().st_nothing_selected.into(), StatusKind::Error);
                    return None;
                };
                let (id, title) = (d.id, d.title.clone());
                if !self.claiming.insert(id) {
                    return None; // already on its way
                }
                self.set_status(fill(self.s().st_claiming, &[&title]), StatusKind::Info);
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
                        area.set_placeholder_text(self.s().dlg_placeholder);
                        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
                        self.mode = Mode::TextBox(Box::new(TextBox {
                            purpose,
                            area,
                            confirm_discard: false,
                            sending: false,
                        }));
                    }
                    None => self.set_status(self.s().st_nothing_selected.into(), StatusKind::Error),
                }
                None
            }
            Command::Details => {
                let id = match pane {
                    Pane::Unclaimed => self.selected_delivery().map(|d| d.id),
                    Pane::Disputes => self.selected_dispute().map(|d| d.delivery_id),
                    _ => return self.not_here(cmd),
                };
                let Some(id) = id else {
                    self.set_status(self.s().st_nothing_selected.into(), StatusKind::Error);
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
                let (y, m) = self.month;
                self.month = if cmd == Command::PrevMonth {
                    if m == 1 { (y - 1, 12) } else { (y, m - 1) }
                } else if m == 12 {
                    (y + 1, 1)
                } else {
                    (y, m + 1)
                };
                self.monthly = None;
                self.monthly_loading = true;
                self.lists[Pane::Monthly.index()].selected = 0;
                let month = self.month_str();
                self.set_status(fill(self.s().st_month, &[&month]), StatusKind::Info);
                Some(Effect::LoadMonthly { month })
            }
            Command::Refresh => {
                self.set_status(self.s().st_refreshing.into(), StatusKind::Info);
                Some(self.reload())
            }

            Command::Help => {
                self.mode = Mode::Help {
                    scroll: Cell::new(0),
                };
                None
            }
            Command::Cancel => {
                if !self.filters[pane.index()].is_empty() {
                    self.filters[pane.index()].clear();
                    self.refilter();
                    self.set_status(self.s().st_filter_cleared.into(), StatusKind::Info);
                }
                None
            }
            Command::Send | Command::Confirm => None,
        }
    }

    fn not_here(&mut self, cmd: Command) -> Option<Effect> {
        self.set_status(
            fill(self.s().st_not_here, &[self.s().command(cmd)]),
            StatusKind::Error,
        );
        None
    }

    fn on_key(&mut self, ev: KeyEvent) -> Option<Effect> {
        if ev.kind == crossterm::event::KeyEventKind::Release {
            return None;
        }
        self.dirty = true;
        let modal = self.keymap.lookup(Context::Modal, &ev);
        let normal = self.keymap.lookup(Context::Normal, &ev);
        match &mut self.mode {
            Mode::Normal => match normal.or(modal.filter(|c| *c == Command::Cancel)) {
                Some(cmd) => self.dispatch(cmd),
                None => None,
            },
            Mode::Filter => {
                match modal {
                    Some(Command::Confirm) => {
                        self.mode = Mode::Normal;
                        let f = self.filters[self.focus.index()].clone();
                        if !f.is_empty() {
                            self.set_status(fill(self.s().st_filter, &[&f]), StatusKind::Info);
                        }
                        return None;
                    }
                    Some(Command::Cancel) => {
                        self.mode = Mode::Normal;
                        self.filters[self.focus.index()].clear();
                        self.refilter();
                        return None;
                    }
                    _ => {}
                }
                let plain = !ev
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
                match ev.code {
                    KeyCode::Char(c) if plain => {
                        self.filters[self.focus.index()].push(c);
                        self.refilter();
                    }
                    KeyCode::Backspace => {
                        self.filters[self.focus.index()].pop();
                        self.refilter();
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
            Mode::TextBox(tb) => {
                if tb.sending {
                    // Waiting for the server; Esc closes the box (the answer still shows in
                    // the status line when it comes), nothing else is typed meanwhile.
                    if modal == Some(Command::Cancel) {
                        self.mode = Mode::Normal;
                    }
                    return None;
                }
                if tb.confirm_discard {
                    if modal == Some(Command::Confirm) {
                        self.mode = Mode::Normal;
                        self.set_status(self.s().st_cancelled.into(), StatusKind::Info);
                    } else {
                        tb.confirm_discard = false;
                    }
                    return None;
                }
                match modal {
                    Some(Command::Send) => self.send_text(),
                    Some(Command::Cancel) => {
                        if tb.text().trim().is_empty() {
                            self.mode = Mode::Normal;
                            self.set_status(self.s().st_cancelled.into(), StatusKind::Info);
                        } else {
                            tb.confirm_discard = true;
                        }
                        None
                    }
                    _ => {
                        tb.area.input(ev);
                        None
                    }
                }
            }
            Mode::Details(_) | Mode::Help { .. } => {
                let scroll = match &self.mode {
                    Mode::Details(d) => &d.scroll,
                    Mode::Help { scroll } => scroll,
                    _ => unreachable!("matched above"),
                };
                let close = matches!(modal, Some(Command::Cancel | Command::Confirm))
                    || matches!(normal, Some(Command::Quit))
                    || (matches!(self.mode, Mode::Help { .. }) && normal == Some(Command::Help))
                    || (matches!(self.mode, Mode::Details(_)) && normal == Some(Command::Details));
                if close {
                    self.mode = Mode::Normal;
                    return None;
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
                None
            }
        }
    }

    fn send_text(&mut self) -> Option<Effect> {
        let Mode::TextBox(tb) = &mut self.mode else {
            return None;
        };
        let body = tb.text().trim().to_string();
        if body.is_empty() {
            self.set_status(self.s().st_empty_text.into(), StatusKind::Error);
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
        };
        self.set_status(self.s().st_sending.into(), StatusKind::Info);
        Some(effect)
    }

    /// The answer to a text box's request: close it on success, keep the text on refusal.
    fn on_text_result(
        &mut self,
        is_this: impl Fn(&Purpose) -> bool,
        result: Outcome<String>,
    ) -> Option<Effect> {
        self.dirty = true;
        let open = matches!(&self.mode, Mode::TextBox(tb) if is_this(&tb.purpose));
        match result {
            Ok(msg) => {
                if open {
                    self.mode = Mode::Normal;
                }
                self.set_status(msg, StatusKind::Ok);
                None
            }
            Err(e) => {
                if let Mode::TextBox(tb) = &mut self.mode
                    && open
                {
                    tb.sending = false;
                }
                self.request_failed(e, false)
            }
        }
    }

    fn request_failed(&mut self, e: RequestError, loading: bool) -> Option<Effect> {
        match e {
            RequestError::Unauthorized => {
                self.fatal = Some(self.s().unauthorized.into());
                self.quit = true;
                Some(Effect::Quit)
            }
            RequestError::Failed(m) => {
                let t = if loading {
                    self.s().st_load_failed
                } else {
                    self.s().st_refused
                };
                self.set_status(fill(t, &[&m]), StatusKind::Error);
                None
            }
        }
    }

    pub fn set_status(&mut self, text: String, kind: StatusKind) {
        self.status = Some(Status {
            text,
            kind,
            at: self.now,
        });
        self.dirty = true;
    }

    fn on_tick(&mut self, now: DateTime<FixedOffset>) -> Option<Effect> {
        // Countdowns show seconds: a new second is a visible change.
        if now.timestamp() != self.now.timestamp() {
            self.dirty = true;
        }
        self.now = now;
        if let Some(st) = &self.status
            && st.kind != StatusKind::Error
            && now.signed_duration_since(st.at) > chrono::Duration::seconds(10)
        {
            self.status = None;
        }
        // Keep this month's statistics fresh without a request per event.
        if self.monthly_stale
            && !self.monthly_loading
            && (self.month == (now.year(), now.month()))
            && self
                .monthly_loaded_at
                .is_none_or(|t| now.signed_duration_since(t) >= chrono::Duration::seconds(10))
        {
            self.monthly_stale = false;
            self.monthly_loading = true;
            return Some(Effect::LoadMonthly {
                month: self.month_str(),
            });
        }
        None
    }

    fn on_stream(&mut self, item: StreamItem) -> Option<Effect> {
        self.dirty = true;
        match item {
            StreamItem::Connected => {
                let was_down = matches!(self.connection, Connection::Reconnecting { .. });
                self.connection = Connection::Live;
                if !was_down {
                    return None;
                }
                self.set_status(self.s().st_reconnected.into(), StatusKind::Ok);
                if self.last_event_id.is_none() {
                    // No event seen yet, so the stream could not resume from an id: reload
                    // the lists instead, so nothing that happened while down is missed.
                    return Some(self.reload());
                }
                None
            }
            StreamItem::Reconnecting { after, reason } => {
                self.connection = Connection::Reconnecting {
                    after_secs: after.as_secs_f64().ceil() as u64,
                    reason,
                };
                None
            }
            StreamItem::Unauthorized => self.request_failed(RequestError::Unauthorized, false),
            StreamItem::Reset { newest } => {
                // The server's history is not the one this console followed (e.g. a restored
                // backup): drop what was applied and reload; later events follow `newest`.
                self.last_event_id = Some(newest);
                Some(self.reload())
            }
            StreamItem::Event(e) => {
                self.apply_event(e);
                None
            }
        }
    }

    /// Applies one server event to the lists directly (no refetch). Events at or below the last
    /// applied id are ignored: nothing is applied twice, even if a stream replays.
    pub fn apply_event(&mut self, e: Event) {
        if self.last_event_id.is_some_and(|last| e.id <= last) {
            return;
        }
        self.last_event_id = Some(e.id);
        self.dirty = true;
        let s = self.s();
        match e.kind.as_str() {
            event_types::DELIVERY_CREATED
            | event_types::DELIVERY_REMINDER
            | event_types::DELIVERY_ESCALATED
            | event_types::DELIVERY_DEADLINE_CHANGED => {
                // A moved deadline moves the row: drop it from its old place first.
                if let Ok(c) =
                    serde_json::from_value::<crate::api::DeliveryDeadlineChanged>(e.data.clone())
                {
                    self.remove_delivery((c.previous.claim_deadline, c.delivery.id));
                }
                let Ok(d) = serde_json::from_value::<Delivery>(e.data) else {
                    return;
                };
                if e.kind == event_types::DELIVERY_CREATED {
                    self.monthly_stale = true;
                }
                if d.status == DeliveryStatus::Pending && self.may_see(&d) {
                    if e.kind == event_types::DELIVERY_CREATED && !self.delivery_ids.contains(&d.id)
                    {
                        self.set_status(fill(s.st_new_delivery, &[&d.title]), StatusKind::Info);
                    }
                    self.upsert_delivery(d);
                } else {
                    self.remove_delivery((d.claim_deadline, d.id));
                }
            }
            event_types::DELIVERY_CLAIMED | event_types::DELIVERY_AUTO_CLAIMED => {
                let Ok(d) = serde_json::from_value::<Delivery>(e.data) else {
                    return;
                };
                self.monthly_stale = true;
                let shown = self.delivery_ids.contains(&d.id);
                self.remove_delivery((d.claim_deadline, d.id));
                if shown && !self.claiming.contains(&d.id) {
                    let msg = match (&d.claimed_by, e.kind.as_str()) {
                        (Some(who), event_types::DELIVERY_CLAIMED)
                            if Some(who.as_str()) != self.my_username() =>
                        {
                            Some(fill(s.st_claimed_by, &[&d.title, who]))
                        }
                        (_, event_types::DELIVERY_AUTO_CLAIMED) => {
                            Some(fill(s.st_auto_claimed, &[&d.title]))
                        }
                        _ => None,
                    };
                    if let Some(m) = msg {
                        self.set_status(m, StatusKind::Info);
                    }
                }
            }
            event_types::DEPARTMENT_CREATED => {
                if let Ok(d) = serde_json::from_value::<Department>(e.data) {
                    self.department_names.insert(d.code, d.name);
                    self.department_names_changed();
                }
            }
            event_types::DISPUTE_OPENED
            | event_types::DISPUTE_REPLIED
            | event_types::DISPUTE_RESOLVED
            | event_types::DISPUTE_DEADLINE_CHANGED => {
                let Ok(d) = serde_json::from_value::<Dispute>(e.data) else {
                    return;
                };
                if e.kind == event_types::DISPUTE_OPENED {
                    self.monthly_stale = true;
                }
                let known = self.disputes.iter().any(|x| x.id == d.id);
                let text = match e.kind.as_str() {
                    event_types::DISPUTE_OPENED if !known => Some(s.st_dispute_opened),
                    event_types::DISPUTE_REPLIED => Some(s.st_dispute_replied),
                    _ => None,
                };
                // Our own question or reply is confirmed by its request; no second message.
                let mine = d
                    .messages
                    .last()
                    .is_some_and(|m| Some(m.author.as_str()) == self.my_username());
                if let Some(t) = text
                    && d.status == DisputeStatus::Open
                    && !mine
                {
                    self.set_status(fill(t, &[&d.subject]), StatusKind::Info);
                }
                self.upsert_dispute(d);
            }
            _ => {}
        }
    }

    fn may_see(&self, d: &Delivery) -> bool {
        match &self.me {
            Some(me) if !me.role.sees_all() => {
                me.department.as_deref() == Some(d.department.as_str())
            }
            _ => true,
        }
    }

    fn find_delivery(&self, id: i64) -> Option<&Delivery> {
        self.deliveries.iter().find(|d| d.id == id).map(|b| &**b)
    }

    fn selected_delivery_key(&self) -> Option<(DateTime<FixedOffset>, i64)> {
        self.selected_delivery().map(|d| (d.claim_deadline, d.id))
    }

    /// After the list changed: keep the same delivery selected (or its neighbour if it left).
    fn reselect_delivery(&mut self, key: Option<(DateTime<FixedOffset>, i64)>) {
        let l = &mut self.lists[Pane::Unclaimed.index()];
        if let Some(key) = key {
            let deliveries = &self.deliveries;
            l.selected = match &self.view {
                None => deliveries.partition_point(|d| (d.claim_deadline, d.id) < key),
                Some(v) => {
                    v.partition_point(|&i| (deliveries[i].claim_deadline, deliveries[i].id) < key)
                }
            };
        }
        let len = self.view.as_ref().map_or(self.deliveries.len(), Vec::len);
        l.clamp(len);
    }

    fn upsert_delivery(&mut self, d: Delivery) {
        let key = self.selected_delivery_key();
        if self.delivery_ids.contains(&d.id) {
            self.remove_raw((d.claim_deadline, d.id));
        }
        let f = lower(&self.filters[Pane::Unclaimed.index()]);
        self.insert_raw(d, &f);
        self.reselect_delivery(key);
    }

    /// Inserts in order and keeps the filtered view in step (without re-running the filter
    /// over every row: a live event costs the same with 100,000 rows as with 10).
    /// `f` is the unclaimed pane's filter, already lower-cased. Appending (pages arrive in
    /// order) is a binary search and a push, so loading stays linear.
    fn insert_raw(&mut self, d: Delivery, f: &str) {
        self.gone_ids.remove(&d.id);
        self.delivery_ids.insert(d.id);
        let k = (d.claim_deadline, d.id);
        let pos = self
            .deliveries
            .partition_point(|x| (x.claim_deadline, x.id) < k);
        let matches =
            self.view.is_some() && !f.is_empty() && delivery_matches(&self.department_names, &d, f);
        self.deliveries.insert(pos, Box::new(d));
        if let Some(v) = &mut self.view {
            let at = v.partition_point(|&i| i < pos);
            for i in &mut v[at..] {
                *i += 1;
            }
            if matches {
                v.insert(at, pos);
            }
        }
    }

    /// Removes by `key.1` (the id), found by binary search on the sort key `key` (or by a
    /// scan when the row's deadline has changed meanwhile); keeps the view in step.
    fn remove_raw(&mut self, key: (DateTime<FixedOffset>, i64)) -> bool {
        let id = key.1;
        if !self.delivery_ids.remove(&id) {
            return false;
        }
        let p = self
            .deliveries
            .partition_point(|x| (x.claim_deadline, x.id) < key);
        let by_key = (self.deliveries.get(p).is_some_and(|x| x.id == id)).then_some(p);
        let Some(pos) = by_key.or_else(|| self.deliveries.iter().position(|x| x.id == id)) else {
            return true;
        };
        self.deliveries.remove(pos);
        if let Some(v) = &mut self.view {
            let at = v.partition_point(|&i| i < pos);
            if v.get(at) == Some(&pos) {
                v.remove(at);
            }
            for i in &mut v[at..] {
                *i -= 1;
            }
        }
        true
    }

    fn remove_delivery(&mut self, key: (DateTime<FixedOffset>, i64)) {
        if self.deliveries_loading {
            self.gone_ids.insert(key.1);
        }
        let sel = self.selected_delivery_key();
        if self.remove_raw(key) {
            self.reselect_delivery(sel);
        }
    }

    fn on_deliveries(
        &mut self,
        page: Outcome<crate::api::Page<Delivery>>,
        first: bool,
    ) -> Option<Effect> {
        self.dirty = true;
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                self.deliveries_loading = false;
                return self.request_failed(e, true);
            }
        };
        let key = self.selected_delivery_key();
        if first {
            // A fresh load replaces the list; events that arrive meanwhile still apply on top.
            self.deliveries.clear();
            self.delivery_ids.clear();
            if let Some(v) = &mut self.view {
                v.clear();
            }
        }
        let f = lower(&self.filters[Pane::Unclaimed.index()]);
        for d in page.items {
            if d.status != DeliveryStatus::Pending
                || self.gone_ids.contains(&d.id)
                || self.delivery_ids.contains(&d.id)
            {
                continue;
            }
            self.insert_raw(d, &f);
        }
        self.deliveries_loaded_once = true;
        let next = page.next_cursor;
        self.deliveries_loading = next.is_some();
        if !self.deliveries_loading {
            self.gone_ids.clear();
        }
        self.reselect_delivery(key);
        next.map(|c| Effect::LoadDeliveries { cursor: Some(c) })
    }

    fn upsert_dispute(&mut self, d: Dispute) {
        let sel = self.selected_dispute().map(|x| x.id);
        self.disputes.retain(|x| x.id != d.id);
        if d.status == DisputeStatus::Open {
            let k = (d.answer_due, d.id);
            let pos = self.disputes.partition_point(|x| (x.answer_due, x.id) < k);
            self.disputes.insert(pos, d);
        }
        self.reselect_dispute(sel);
        self.dirty = true;
    }

    fn reselect_dispute(&mut self, id: Option<i64>) {
        let pos = id.and_then(|id| self.visible_disputes().iter().position(|d| d.id == id));
        let len = self.pane_len(Pane::Disputes);
        let l = &mut self.lists[Pane::Disputes.index()];
        if let Some(p) = pos {
            l.selected = p;
        }
        l.clamp(len);
    }

    fn dispute_matches(&self, d: &Dispute, f: &str) -> bool {
        if f.is_empty() {
            return true;
        }
        let f = lower(f);
        contains(&d.subject, &f)
            || contains(&d.raised_by_department, &f)
            || contains(&d.answering_department, &f)
            || contains(self.department_name(&d.raised_by_department), &f)
            || contains(self.department_name(&d.answering_department), &f)
            || d.messages.last().is_some_and(|m| contains(&m.body, &f))
    }

    fn delivery_matches(&self, d: &Delivery, f: &str) -> bool {
        delivery_matches(&self.department_names, d, f)
    }

    fn refilter(&mut self) {
        self.dirty = true;
        match self.focus {
            Pane::Unclaimed => {
                self.refilter_keep(None);
                self.lists[Pane::Unclaimed.index()].selected = 0;
            }
            p => {
                self.lists[p.index()].selected = 0;
            }
        }
    }

    /// Recomputes the unclaimed pane's filtered view, keeping the selection on `key`.
    fn refilter_keep(&mut self, key: Option<(DateTime<FixedOffset>, i64)>) {
        let f = lower(&self.filters[Pane::Unclaimed.index()]);
        self.view = if f.is_empty() {
            None
        } else {
            Some(
                self.deliveries
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| self.delivery_matches(d, &f))
                    .map(|(i, _)| i)
                    .collect(),
            )
        };
        self.reselect_delivery(key);
    }

    /// The text the help overlay shows: every command with its keys in the active keymap.
    pub fn help_lines(&self) -> Vec<(String, &'static str)> {
        Command::ALL
            .iter()
            .map(|&c| (self.keymap.describe(c), self.s().command(c)))
            .filter(|(k, _)| !k.is_empty())
            .collect()
    }
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Case-insensitive substring test; `needle` is already lower case.
fn contains(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        // Avoid allocating for the common ASCII case.
        return hay
            .as_bytes()
            .windows(needle.len().max(1))
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
            || needle.is_empty();
    }
    hay.to_lowercase().contains(needle)
}

/// Whether a delivery matches a (lower-case) filter: item, counterparty, licence number,
/// department codes and names.
fn delivery_matches(names: &HashMap<String, String>, d: &Delivery, f: &str) -> bool {
    let name = |c: &str| names.get(c).is_some_and(|n| contains(n, f));
    contains(&d.title, f)
        || d.counterparty_name
            .as_deref()
            .is_some_and(|c| contains(c, f))
        || d.license_no.as_deref().is_some_and(|c| contains(c, f))
        || contains(&d.department, f)
        || contains(&d.source_department, f)
        || name(&d.department)
        || name(&d.source_department)
}
