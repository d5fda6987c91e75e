//! The console's view models: what the panes, overlays and dialogs show, as plain data.
//!
//! They live apart from [`crate::console::app`] so that [`crate::console::action`] (which
//! carries some of them, e.g. [`Inspection`]) and the drawing code can name them without
//! importing the app: `model` depends only on the wire types and the interface text.

use std::cell::Cell;

use chrono::{DateTime, FixedOffset};
use ratatui_textarea::TextArea;

use super::i18n::Strings;
use crate::api::DeliveryDetail;

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
    pub fn next(self) -> Pane {
        Pane::ALL[(self.index() + 1) % 4]
    }
    pub fn prev(self) -> Pane {
        Pane::ALL[(self.index() + 3) % 4]
    }
}

/// A joint inspection, review, hearing or meeting (art. 9–11), as the inspections pane shows it.
/// Built from the server's `JointEvent` ([`Inspection::from_event`]).
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
    /// Departments that have signed the report.
    pub signatories: Vec<String>,
    /// Departments that have acknowledged the notice in force.
    pub acknowledged: Vec<String>,
    /// A joint report is recorded (`signed` counts its signatures).
    pub reported: bool,
    /// Every participant has signed the report.
    pub report_final: bool,
    pub cancelled: bool,
    /// Notified under an admin's emergency override of the notice period.
    pub emergency: bool,
}

impl Inspection {
    pub fn from_event(e: &crate::api::JointEvent) -> Self {
        use crate::api::{JointEventKind, JointEventStatus};
        let report = e.report.as_ref();
        Inspection {
            id: e.id,
            kind: match e.kind {
                JointEventKind::Inspection => InspectionKind::Inspection,
                JointEventKind::Review => InspectionKind::Review,
                JointEventKind::Hearing => InspectionKind::Hearing,
                JointEventKind::Meeting => InspectionKind::Meeting,
            },
            title: e.title.clone(),
            at: e.starts_at,
            place: e.place.clone(),
            departments: e
                .participants
                .iter()
                .map(|p| p.department.clone())
                .collect(),
            // The latest draw's experts (a later `draw.made` replaces them live).
            experts: e.experts.iter().map(|x| x.name.clone()).collect(),
            signed: report.map_or(0, |r| r.signatures.len()),
            signatories: report.map_or_else(Vec::new, |r| {
                r.signatures.iter().map(|s| s.department.clone()).collect()
            }),
            acknowledged: e
                .participants
                .iter()
                .filter(|p| p.acknowledged_at.is_some())
                .map(|p| p.department.clone())
                .collect(),
            reported: report.is_some(),
            report_final: report.is_some_and(|r| r.is_final),
            cancelled: e.status == JointEventStatus::Cancelled,
            emergency: e.emergency.is_some(),
        }
    }
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
    pub fn page(&self) -> usize {
        self.height.get().max(2) - 1
    }
    pub fn clamp(&mut self, len: usize) {
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

/// What one pane keeps of its own: where its selection is and what its filter says.
#[derive(Debug, Default)]
pub struct PaneState {
    pub list: ListState,
    /// The filter as typed (matched case-insensitively).
    pub filter: String,
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
    /// Sign a joint report for my department: agree (the comment may be empty) or dissent
    /// (the comment says why).
    Sign {
        event_id: i64,
        title: String,
        agree: bool,
    },
    /// Answer an inquiry letter for my department (its `inquiry_reply` duty).
    InquiryReply { letter_id: i64, title: String },
    /// A legacy case's step (its duty in the queue).
    Legacy {
        case_id: i64,
        title: String,
        step: LegacyDialog,
    },
    /// Record a commitment verification's result (the bureau): pass (a note may be empty)
    /// or fail (the findings say what was found). Tab switches.
    Verify {
        task_id: i64,
        /// 1 the verification, 2 the re-verification (from the duty's kind).
        round: i32,
        title: String,
        pass: bool,
    },
    /// Decide a licence-action letter (the bureau): accept (the first line is the decision
    /// number, dated and effective today; more lines are kept as reasons) or reject (the text
    /// is the reasons). Tab switches.
    DecideLetter {
        action_id: i64,
        title: String,
        accept: bool,
    },
}

/// Which step of a legacy case a text box takes; the toggle key flips its choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LegacyDialog {
    /// The review opinion (the text), and whether it requires rectification.
    Opinion { rectification_required: bool },
    /// The verification of a rectification: pass or fail, the text its findings.
    Verification { pass: bool },
    /// The bureau's handling decision (the text).
    Decision,
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

/// What a lookup found: the licences matching the query, the first one with its history,
/// and its holder's standing (absent when the caller may not see the holder).
#[derive(Debug, Clone, PartialEq)]
pub struct LookupResult {
    pub query: String,
    pub licenses: Vec<crate::api::License>,
    pub license: Option<crate::api::License>,
    pub holder: Option<crate::api::CounterpartyView>,
}

/// The lookup prompt (issue 10): a query typed, sent with confirm, and what it found.
#[derive(Debug, Default)]
pub struct Lookup {
    pub query: String,
    /// Sent; waiting for the answer.
    pub searching: bool,
    pub result: Option<Box<LookupResult>>,
    pub error: Option<String>,
    pub scroll: Cell<u16>,
}

pub enum Mode {
    Normal,
    /// Looking up a licence or holder by code, number or name.
    Lookup(Box<Lookup>),
    /// Typing into the focused pane's filter.
    Filter,
    TextBox(Box<TextBox>),
    Details(Box<Details>),
    /// Confirming the issue of a month's bulletin (confirm issues it, cancel does not).
    ConfirmIssue {
        month: String,
    },
    /// Drill-down of the month-end screen: a department's late items and ledger records in
    /// the shown bulletin.
    MonthDrill {
        department: String,
        scroll: Cell<u16>,
    },
    Help {
        scroll: Cell<u16>,
    },
}

/// Case-insensitive substring test; `needle` is already lower case.
pub fn contains(hay: &str, needle: &str) -> bool {
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
