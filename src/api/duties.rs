//! Duties: every deadline on a department other than a delivery's claim (DESIGN.md, "One
//! countdown queue"). A duty is one thing one department (and, where one person is
//! responsible, that person) must do by a deadline: decide a licence-action letter, verify a
//! commitment, acknowledge a notice, sign a report, answer an inquiry letter, take a step of a
//! legacy case. The core gives every kind the same queue row, reminders, sweep, ledger record,
//! calendar re-derivation, events and monthly figures.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of duty: each names its rule and article (`db::duties::SPECS`).
#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    ToSchema,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DutyKind {
    /// The bureau decides a licence-action letter (函告, art. 7(2)3).
    LicenseActionDecision,
    /// The bureau verifies a commitment after the committed compliance date (art. 8).
    Verification,
    /// The bureau verifies again after the rectification period (art. 8).
    Reverification,
    /// A participant acknowledges the notice of joint work before it starts (arts. 10–11).
    NoticeAck,
    /// A participant signs the joint report (art. 11).
    ReportSignature,
    /// A recipient answers an inquiry letter; no answer in time is deemed consent (art. 12).
    InquiryReply,
    /// The supervision department's written review opinion on a legacy case (art. 13).
    LegacyOpinion,
    /// The supervision department verifies a legacy case's rectification (art. 13).
    LegacyVerification,
    /// The bureau's handling decision on a legacy case (art. 13).
    LegacyDecision,
}

super::wire_names!(DutyKind, "duty kind");

/// Where a duty stands.
#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    ToSchema,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DutyState {
    /// Running: the deadline has not passed.
    Open,
    /// Done before the deadline.
    Done,
    /// The deadline passed and it is still to be done (it stays in the queue; the ledger has
    /// a record).
    Overdue,
    /// Done after the deadline.
    DoneLate,
    /// The deadline passed and the rule itself ended it (deemed consent, the notice's event
    /// began); the ledger has a record.
    Lapsed,
    /// Its subject was withdrawn (an event cancelled): not counted.
    Cancelled,
}

super::wire_names!(DutyState, "duty state");

impl DutyState {
    /// Still on the department's queue.
    pub fn is_outstanding(self) -> bool {
        matches!(self, DutyState::Open | DutyState::Overdue)
    }
}

/// One duty, as listed by `GET /api/v1/duties` and carried by `duty.*` events.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Duty {
    pub id: i64,
    pub kind: DutyKind,
    /// The department that must act.
    pub department: String,
    /// The other party (the letter's sender, the bureau that scheduled the event), if any.
    #[serde(default)]
    pub counterpart: Option<String>,
    /// The person responsible, when one is (never shown to another department).
    #[serde(default)]
    pub person: Option<String>,
    /// The id of the record the duty is about, in its kind's resource (the inquiry letter,
    /// the verification task, the joint event, the legacy case, …).
    pub subject_id: i64,
    pub title: String,
    /// The instant the period runs from; the duty belongs to this instant's month (China time).
    pub origin_at: DateTime<FixedOffset>,
    /// Acting at or after this instant is late.
    pub due: DateTime<FixedOffset>,
    /// The deadline runs through a year whose holiday notice is not yet published.
    pub provisional: bool,
    pub state: DutyState,
    #[serde(default)]
    pub done_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub done_by: Option<String>,
}

/// A duty whose deadline moved (event `duty.deadline_changed`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DutyDeadlineChanged {
    #[serde(flatten)]
    pub duty: Duty,
    pub previous_due: DateTime<FixedOffset>,
    pub previous_provisional: bool,
}

/// One kind of deadline's figures for one department and month (docs/STATISTICS.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeadlineFigures {
    pub kind: DutyKind,
    /// Duties of the month (by `origin_at`), cancelled ones excepted.
    pub due: i64,
    /// Done before the deadline.
    pub on_time: i64,
    /// Deadline passed: overdue, done late, or lapsed.
    pub late: i64,
    /// Still running.
    pub open: i64,
}
