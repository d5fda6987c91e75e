//! Verification of commitments (核验, art. 8 para 3–4): a `notify_commit` approval push for a
//! `post_verification` catalogue item opens a task the bureau must verify within 10 working
//! days after the committed compliance date; a failure opens a rectification period and a
//! re-verification; failing again — or a supervision department reporting a broken commitment
//! or false materials — revokes the approval, pushed to every department that supervises the
//! licence.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a verification task stands.
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
pub enum VerificationState {
    /// To be verified (a `verification` duty of the bureau).
    Open,
    /// Failed; the holder rectifies, then the bureau verifies again (a `reverification` duty).
    Rectifying,
    /// Verified: the commitment is kept.
    Passed,
    /// The approval was revoked (撤销): re-verification failed, or a broken commitment or
    /// false materials were reported.
    Revoked,
}

super::wire_names!(VerificationState, "verification state");

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
pub enum VerificationOutcome {
    Pass,
    Fail,
}

super::wire_names!(VerificationOutcome, "verification outcome");

/// What a supervision push reports about a commitment (art. 8 para 4): it revokes the
/// approval.
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
pub enum CommitmentBreach {
    /// 违反承诺约定.
    BrokenCommitment,
    /// 提供虚假材料等不正当手段骗取许可.
    FalseMaterials,
}

super::wire_names!(CommitmentBreach, "commitment breach");

/// Why an approval was revoked.
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
pub enum RevocationReason {
    /// 经限期整改仍达不到法定条件.
    ReverificationFailed,
    BrokenCommitment,
    FalseMaterials,
}

super::wire_names!(RevocationReason, "revocation reason");

impl From<CommitmentBreach> for RevocationReason {
    fn from(b: CommitmentBreach) -> Self {
        match b {
            CommitmentBreach::BrokenCommitment => Self::BrokenCommitment,
            CommitmentBreach::FalseMaterials => Self::FalseMaterials,
        }
    }
}

/// `POST /api/v1/verifications/{id}/result` (the bureau).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewVerificationResult {
    pub outcome: VerificationOutcome,
    /// What was found; required for `fail`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub findings: Option<String>,
    /// The supervision departments (codes) that took part in the verification.
    #[serde(default)]
    #[schema(max_items = 64)]
    pub departments: Vec<String>,
    /// The round this result is for: 1 the verification, 2 the re-verification. When given
    /// and another round is current, the result is refused (409): two people recording at
    /// once cannot turn a first failure into a revocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 2)]
    pub round: Option<i32>,
}

/// One recorded result: round 1 the verification, round 2 the re-verification.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct VerificationResult {
    pub round: i32,
    pub outcome: VerificationOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<String>,
    pub departments: Vec<String>,
    pub recorded_at: DateTime<FixedOffset>,
    pub recorded_by: String,
}

/// The revocation of the approval (撤销审批决定).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Revocation {
    pub reason: RevocationReason,
    /// The push that delivered the decision to the supervising departments.
    pub push_id: i64,
    /// For a reported breach: the supervision push that reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by_push_id: Option<i64>,
    pub at: DateTime<FixedOffset>,
}

/// A verification task.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct VerificationTask {
    pub id: i64,
    /// The approval push that opened it.
    pub push_id: i64,
    pub license_no: String,
    pub item_name: String,
    pub counterparty_name: String,
    /// The bureau department that verifies.
    pub department: String,
    /// The supervision departments of the licence (the push's recipients).
    pub supervising: Vec<String>,
    pub catalogue_item_id: i64,
    pub catalogue_version: i32,
    #[schema(value_type = String, format = Date)]
    pub compliance_date: NaiveDate,
    /// The verification deadline: 10 working days after the compliance date.
    pub due: DateTime<FixedOffset>,
    /// Computed past the published holiday calendar (corrected when the year is imported).
    pub provisional: bool,
    pub state: VerificationState,
    /// The re-verification deadline, once the verification failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification_due: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub rectification_provisional: bool,
    pub results: Vec<VerificationResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation: Option<Revocation>,
    pub created_at: DateTime<FixedOffset>,
}

/// The content of a revocation push (an approval-bureau push delivered to every department
/// that supervises the licence, claimed like any delivery).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RevocationDecision {
    pub revoked_license_no: String,
    pub item_name: String,
    pub counterparty_name: String,
    pub verification_id: i64,
    /// The approval push whose decision is revoked.
    pub approval_push_id: i64,
    pub revocation_reason: RevocationReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub findings: Option<String>,
}
