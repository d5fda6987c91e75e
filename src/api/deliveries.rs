use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Push, PushKind};

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
pub enum DeliveryStatus {
    Pending,
    Claimed,
    /// Not claimed by the deadline: claimed by the system, the department held to account.
    AutoClaimed,
}

super::wire_names!(DeliveryStatus, "delivery status");

/// One push as received by one department: the unit that is claimed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub push_id: i64,
    pub push_kind: PushKind,
    /// The receiving department's code.
    pub department: String,
    /// The pushing department's code.
    pub source_department: String,
    /// Item name (approval) or title (supervision).
    pub title: String,
    #[serde(default)]
    pub counterparty_name: Option<String>,
    #[serde(default)]
    pub license_no: Option<String>,
    pub important: bool,
    pub status: DeliveryStatus,
    pub received_at: DateTime<FixedOffset>,
    /// End of the 1st working day after receipt; claiming at or after it is late.
    pub claim_deadline: DateTime<FixedOffset>,
    /// Questions and disputes are accepted until this instant.
    pub feedback_deadline: DateTime<FixedOffset>,
    /// The deadline runs through a year whose holiday notice is not yet published.
    pub deadline_provisional: bool,
    #[serde(default)]
    pub claimed_at: Option<DateTime<FixedOffset>>,
    /// Username of the claimer; absent when auto-claimed, and on another department's
    /// delivery (a department never sees who in another department acted).
    #[serde(default)]
    pub claimed_by: Option<String>,
    pub escalated: bool,
    /// The holder's restricted or strict admission (art. 7(2)1): on an approval push, the
    /// bureau's acknowledgement (the holder was under it when pushed); on a credit-status
    /// supervision push, the regime the listing left the holder under. Absent: normal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admission: Option<super::AdmissionMode>,
}

/// `POST /api/v1/deliveries/{id}/feedback`, `POST /api/v1/disputes/{id}/replies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub body: String,
}

/// `POST /api/v1/disputes/{id}/resolve`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveDispute {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub resolution: Option<String>,
}

/// `POST /api/v1/deliveries/{id}/escalate` (督办).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEscalation {
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Escalation {
    pub id: i64,
    pub delivery_id: i64,
    /// Who escalated; a person of another department is named by their department.
    pub by: String,
    pub reason: String,
    pub at: DateTime<FixedOffset>,
}

#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    ToSchema,
    PartialEq,
    Eq,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DisputeStatus {
    Open,
    Resolved,
}

super::wire_names!(DisputeStatus, "dispute status");

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Message {
    pub id: i64,
    /// The author's username; for a message of another department, that department's name.
    pub author: String,
    pub department: Option<String>,
    pub body: String,
    pub at: DateTime<FixedOffset>,
}

/// A question or dispute thread raised on a delivery (art. 7(1)1, 7(2)1).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Dispute {
    pub id: i64,
    pub delivery_id: i64,
    /// Delivery title, for lists.
    pub subject: String,
    /// The department that raised it (the recipient of the push).
    pub raised_by_department: String,
    /// The department that must answer (the pusher).
    pub answering_department: String,
    pub status: DisputeStatus,
    pub opened_at: DateTime<FixedOffset>,
    /// Service target for the answer: end of the 1st working day after opening.
    pub answer_due: DateTime<FixedOffset>,
    /// `answer_due` runs through a year whose holiday notice is not yet published.
    #[serde(default)]
    pub answer_due_provisional: bool,
    #[serde(default)]
    pub resolved_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub resolution: Option<String>,
    pub messages: Vec<Message>,
}

/// One line of a delivery's history (from the audit log).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<FixedOffset>,
    /// Who acted; a person of another department is named by their department.
    pub actor: String,
    pub action: String,
}

/// `GET /api/v1/deliveries/{id}`: the delivery with its push, threads and history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryDetail {
    pub delivery: Delivery,
    pub push: Push,
    pub disputes: Vec<Dispute>,
    pub escalations: Vec<Escalation>,
    pub history: Vec<HistoryEntry>,
}

/// A delivery's deadlines before a change (`previous` in `delivery.deadline_changed`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeliveryDeadlines {
    pub claim_deadline: DateTime<FixedOffset>,
    pub feedback_deadline: DateTime<FixedOffset>,
    pub deadline_provisional: bool,
}

/// Data of the `delivery.deadline_changed` event: the delivery as it now stands (its fields,
/// the new deadlines) and `previous`, the deadlines it had. A deadline only ever moves later.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeliveryDeadlineChanged {
    #[serde(flatten)]
    pub delivery: Delivery,
    pub previous: DeliveryDeadlines,
}

/// A dispute's deadline before a change (`previous` in `dispute.deadline_changed`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DisputeDeadline {
    pub answer_due: DateTime<FixedOffset>,
    pub answer_due_provisional: bool,
}

/// Data of the `dispute.deadline_changed` event: the thread as it now stands and `previous`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DisputeDeadlineChanged {
    #[serde(flatten)]
    pub dispute: Dispute,
    pub previous: DisputeDeadline,
}
