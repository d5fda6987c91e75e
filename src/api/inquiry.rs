//! Inquiry letters (函询, art. 12): the bureau or a supervision department asks one or more
//! departments about a plan, policy or standard; each recipient replies within the working
//! days the letter gives. No reply by the deadline is deemed consent (视为同意): the sweeper
//! marks it at the deadline instant and the ledger records it against the recipient.
//!
//! A letter has one thread. A recipient's first message before its deadline is its answer
//! (`answered`); its later messages, and any message of the sender, are follow-ups that change
//! no state. A recipient that has not answered may not write once its deadline has come.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where one recipient's reply stands.
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
pub enum InquiryReplyStatus {
    /// The deadline has not come and the recipient has not answered.
    Awaiting,
    /// The recipient answered before its deadline.
    Answered,
    /// No answer by the deadline: deemed consent (art. 12), with a ledger record.
    DeemedConsent,
}

super::wire_names!(InquiryReplyStatus, "inquiry reply status");

/// `POST /api/v1/inquiry-letters`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewInquiryLetter {
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    /// Department codes, distinct, not the sender's own; 1–64.
    pub recipients: Vec<String>,
    /// Working days each recipient has to reply (1–60); the server's
    /// `--inquiry-reply-working-days` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 60)]
    pub reply_working_days: Option<u32>,
}

/// `POST /api/v1/inquiry-letters/{id}/replies`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewInquiryMessage {
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
}

/// One recipient's reply: its deadline and where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InquiryReply {
    pub department: String,
    /// Replying at or after this instant is too late: the letter is deemed consented to.
    pub due: DateTime<FixedOffset>,
    /// The deadline runs through a year whose holiday notice is not yet published.
    pub provisional: bool,
    pub status: InquiryReplyStatus,
    /// When it was answered, or the deadline instant at which consent was deemed.
    #[serde(default)]
    pub concluded_at: Option<DateTime<FixedOffset>>,
}

/// A message of a letter's thread.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InquiryMessage {
    pub id: i64,
    /// The department that wrote it (the sender or a recipient).
    pub department: String,
    pub body: String,
    pub at: DateTime<FixedOffset>,
    /// The writer (shown only to the writer's own department and the roles that see all).
    #[serde(default)]
    pub by: Option<String>,
    /// This message was its department's answer (the first reply before the deadline).
    pub answers: bool,
}

/// An inquiry letter with its replies and thread.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct InquiryLetter {
    pub id: i64,
    /// The sending department.
    pub sender: String,
    pub subject: String,
    pub body: String,
    pub reply_working_days: u32,
    pub sent_at: DateTime<FixedOffset>,
    /// Shown only to the sender's department and the roles that see all.
    #[serde(default)]
    pub sent_by: Option<String>,
    /// One per recipient, in the order of the departments' ids.
    pub replies: Vec<InquiryReply>,
    /// The thread, oldest first.
    pub messages: Vec<InquiryMessage>,
}
