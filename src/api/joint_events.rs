//! Joint work (arts. 9–11): inspections, reviews, hearings and meetings the approval bureau
//! organises with the supervision departments, their notices and acknowledgements, meeting
//! agendas and minutes, and the joint report every participant signs.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What kind of joint work.
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
pub enum JointEventKind {
    /// 联合踏勘 / 现场勘验: a joint site inspection (art. 11).
    Inspection,
    /// 联合会审 / 图审: a joint review (art. 10).
    Review,
    /// 听证 / 论证: a hearing or expert consultation (art. 10(4)).
    Hearing,
    /// 联席会议: a joint meeting on important approval items (art. 9).
    Meeting,
}

super::wire_names!(JointEventKind, "joint event kind");

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
pub enum JointEventStatus {
    Scheduled,
    Cancelled,
}

super::wire_names!(JointEventStatus, "joint event status");

/// What joint work concerns, or a meeting agenda item: exactly one key.
/// `{"push": 12}` an approval push, `{"licence": "XK-…"}` a licence number,
/// `{"dispute": 3}` a dispute thread, `{"topic": "…"}` (agenda only) a free topic.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JointRef {
    Push(i64),
    Licence(String),
    Dispute(i64),
    Topic(String),
}

/// An admin's emergency override of the notice period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EmergencyRequest {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST /api/v1/joint-events`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJointEvent {
    pub kind: JointEventKind,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// At least 1 working day after the notice date (China time), unless an admin overrides.
    pub starts_at: DateTime<FixedOffset>,
    #[schema(min_length = 1, max_length = 200)]
    pub place: String,
    /// The participating departments' codes (supervision departments).
    pub departments: Vec<String>,
    #[serde(default)]
    pub subject: Option<JointRef>,
    /// Meetings only: important approval pushes, escalated disputes, topics.
    #[serde(default)]
    pub agenda: Option<Vec<JointRef>>,
    #[serde(default)]
    pub emergency: Option<EmergencyRequest>,
}

/// `POST /api/v1/joint-events/{id}/reschedule`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleJointEvent {
    pub starts_at: DateTime<FixedOffset>,
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
    #[serde(default)]
    pub emergency: Option<EmergencyRequest>,
}

/// `POST /api/v1/joint-events/{id}/cancel`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelJointEvent {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// `POST /api/v1/joint-events/{id}/minutes`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMinutes {
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    #[serde(default)]
    pub decisions: Vec<String>,
}

/// `POST /api/v1/joint-events/{id}/report`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewJointReport {
    #[schema(min_length = 1, max_length = 50000)]
    pub body: String,
}

/// `POST /api/v1/joint-events/{id}/report/signatures`: the caller's department signs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSignature {
    pub agree: bool,
    /// Required when `agree` is false (a dissent says why).
    #[serde(default)]
    pub comment: Option<String>,
}

/// The override recorded with a notice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EmergencyOverride {
    pub reason: String,
    /// The admin who overrode (absent for another department's viewer).
    #[serde(default)]
    pub by: Option<String>,
}

/// One participating department and its acknowledgement of the notice in force.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JointParticipant {
    pub department: String,
    #[serde(default)]
    pub acknowledged_at: Option<DateTime<FixedOffset>>,
    /// Who acknowledged (only shown to that department and the roles that see all).
    #[serde(default)]
    pub acknowledged_by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AgendaItem {
    pub item: JointRef,
    /// The push's item name, the dispute's subject, or the topic.
    pub title: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum JointChangeKind {
    Rescheduled,
    Cancelled,
}

/// A reschedule or cancellation, with its reason.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JointChange {
    pub change: JointChangeKind,
    pub reason: String,
    #[serde(default)]
    pub previous_starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub new_starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub emergency: Option<String>,
    pub at: DateTime<FixedOffset>,
    #[serde(default)]
    pub by: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Minutes {
    pub body: String,
    pub decisions: Vec<String>,
    pub at: DateTime<FixedOffset>,
    #[serde(default)]
    pub by: Option<String>,
}

/// One department's signature on the joint report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Signature {
    pub department: String,
    pub agree: bool,
    #[serde(default)]
    pub comment: Option<String>,
    /// The signer (only shown to that department and the roles that see all).
    #[serde(default)]
    pub signer: Option<String>,
    pub signed_at: DateTime<FixedOffset>,
}

/// The joint report (art. 11): final only when every participating department has signed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JointReport {
    pub event_id: i64,
    pub body: String,
    pub recorded_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub recorded_by: Option<String>,
    pub signatures: Vec<Signature>,
    /// The participating departments that have not signed yet.
    pub unsigned: Vec<String>,
    #[serde(rename = "final")]
    pub is_final: bool,
    #[serde(default)]
    pub final_at: Option<DateTime<FixedOffset>>,
}

/// A scheduled piece of joint work with everything recorded about it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JointEvent {
    pub id: i64,
    pub kind: JointEventKind,
    pub title: String,
    pub starts_at: DateTime<FixedOffset>,
    pub place: String,
    /// The organising (bureau) department's code.
    pub organiser: String,
    #[serde(default)]
    pub subject: Option<JointRef>,
    pub status: JointEventStatus,
    /// When the notice in force went out.
    pub notified_at: DateTime<FixedOffset>,
    /// Set when an admin overrode the notice period for the notice in force.
    #[serde(default)]
    pub emergency: Option<EmergencyOverride>,
    pub participants: Vec<JointParticipant>,
    pub agenda: Vec<AgendaItem>,
    pub history: Vec<JointChange>,
    pub minutes: Vec<Minutes>,
    #[serde(default)]
    pub report: Option<JointReport>,
    pub created_at: DateTime<FixedOffset>,
    /// The experts drawn by the event's latest draw (art. 10(3); its participants see them).
    #[serde(default)]
    pub experts: Vec<super::DrawnExpert>,
}

/// `GET /api/v1/joint-events`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct JointEventList {
    pub items: Vec<JointEvent>,
}
