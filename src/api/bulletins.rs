//! The monthly bulletin (每月通报, art. 7; issue 13): issued versions, their frozen contents,
//! and the live draft beside them. Definitions of every figure in `docs/STATISTICS.md`.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AccountabilityRecord, DepartmentMonth};

/// `POST /api/v1/bulletins`: issue the bulletin of a month, or (with `correction`) a corrected
/// new version of one already issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewBulletin {
    /// `YYYY-MM`.
    #[schema(pattern = "^[0-9]{4}-(0[1-9]|1[0-2])$")]
    pub month: String,
    /// Present to issue a correction: a new version; the earlier ones stay readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<Correction>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    /// Why the bulletin is corrected (printed on the corrected version).
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// The head of the tamper-evident audit chain when a bulletin was issued: a later rewrite of
/// history is detectable against a bulletin already forwarded outside the system.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ChainHead {
    /// The newest audit record's `seq` (its number in the chain, not its row id).
    pub record: i64,
    /// Its chain hash (SHA-256, hex).
    pub hash: String,
}

/// One issued version (the answer to `POST /api/v1/bulletins`, and the list of versions).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BulletinIssued {
    pub month: String,
    pub version: i32,
    pub issued_at: DateTime<FixedOffset>,
    /// Username of the duty officer or admin who issued it.
    pub issued_by: String,
    /// The correction's reason (absent on version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Absent only while the server keeps no audit chain.
    pub chain_head: Option<ChainHead>,
}

/// `GET /api/v1/bulletins/{month}`: an issued version (frozen), or the live draft
/// (`?version=live`: `issued` absent, `draft` true, figures as of `generated_at`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Bulletin {
    pub month: String,
    /// The issued version; absent on the live draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<BulletinIssued>,
    /// True for the live draft (草稿): figures that may still change.
    pub draft: bool,
    pub contents: BulletinContents,
}

/// What a bulletin holds (issue 13 part 2). Stored as issued, as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct BulletinContents {
    pub month: String,
    /// When the figures were computed (the issue instant for an issued version).
    pub generated_at: DateTime<FixedOffset>,
    pub uploads: Uploads,
    /// One line per department, in department order.
    pub departments: Vec<DepartmentLine>,
    /// Departments with something decided in the month, best first (docs/STATISTICS.md).
    pub ranking: Vec<RankEntry>,
    /// The month's accountability ledger (to a department: its own records only).
    pub ledger: Vec<AccountabilityRecord>,
    /// Approval pushes made late (to a department other than the sender: none listed).
    pub late_uploads: Vec<LateUpload>,
    /// The audit chain's head when the figures were computed.
    pub chain_head: Option<ChainHead>,
}

/// Uploads (上传) of the month, by direction and by sender.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Uploads {
    /// Approval pushes (审批信息, art. 7(1)) made in the month, and their deliveries.
    pub approval_pushes: i64,
    pub approval_deliveries: i64,
    /// Supervision pushes (监管信息, art. 7(2)) and their deliveries.
    pub supervision_pushes: i64,
    pub supervision_deliveries: i64,
    /// Approval pushes made after their upload deadline (see `late_rule_working_days`).
    pub late_approval_pushes: i64,
    /// The late-upload rule: an approval push is late when made at or after the end of this
    /// many working days after its licence date (server flag `--late-upload-working-days`).
    pub late_rule_working_days: u32,
    /// One line per sending department that pushed in the month.
    pub by_sender: Vec<SenderUploads>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct SenderUploads {
    pub department: String,
    pub name: String,
    /// `approval` or `supervision`: the kind of push this line counts.
    pub direction: super::PushKind,
    pub pushes: i64,
    pub deliveries: i64,
    /// Of `pushes`, made late (approval pushes only; 0 for supervision).
    pub late: i64,
}

/// An approval push made late (迟报).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LateUpload {
    pub push_id: i64,
    pub department: String,
    pub item: String,
    pub license_date: NaiveDate,
    /// The end of the upload period (the push was due before this instant).
    pub due: DateTime<FixedOffset>,
    pub pushed_at: DateTime<FixedOffset>,
}

/// One department's line: the live statistics' figures and the bulletin's own.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DepartmentLine {
    #[serde(flatten)]
    pub stats: DepartmentMonth,
    /// Mean working hours from receipt to a person's claim (time on working days only);
    /// absent when nothing was claimed by a person.
    pub avg_claim_working_hours: Option<f64>,
    /// Question/dispute threads opened in the month that this department had to answer.
    pub answers_due: i64,
    /// Of those, answered before the answer deadline.
    pub answered_on_time: i64,
    /// Of those, answered at or after the deadline, or still unanswered past it.
    pub answered_late: i64,
    /// Of those, unanswered and not yet due.
    pub answers_open: i64,
    /// Position in the ranking (1 = best); absent when nothing was decided in the month.
    pub rank: Option<u32>,
}

/// A line of the ranking (排名).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RankEntry {
    pub rank: u32,
    pub department: String,
    pub name: String,
    /// Every deadline of the department decided in the month (claims, answers, duties).
    pub decided: i64,
    pub on_time: i64,
    pub late: i64,
    /// on_time / decided.
    pub on_time_rate: f64,
    /// Rate below 50 %: named for attention (需重点关注整改).
    pub attention: bool,
}

/// `GET /api/v1/reports/monthly` formats.
#[derive(
    Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq, strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReportFormat {
    Xlsx,
    Csv,
    Md,
}

impl ReportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Md => "text/markdown; charset=utf-8",
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
            Self::Md => "md",
        }
    }
}
