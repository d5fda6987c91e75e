//! Licence-action letters (函告, art. 7(2)3): a supervision department that supervises a
//! licence asks the issuing bureau to change (变更), withdraw (撤回), revoke (撤销) or cancel
//! (注销) it, resting on a penalty decision or on facts, with evidence files; the bureau
//! accepts (its decision number, date and effective date) or rejects (reasons) within
//! `--license-action-working-days`. The decision is pushed back as a delivery.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the letter asks the bureau to do to the licence.
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
pub enum LicenseActionKind {
    /// 变更 → the licence becomes `changed`.
    Change,
    /// 撤回 → `withdrawn`.
    Withdraw,
    /// 撤销 → `revoked`.
    Revoke,
    /// 注销 → `cancelled`.
    Cancel,
}

super::wire_names!(LicenseActionKind, "licence action");

impl LicenseActionKind {
    /// The licence's state once the bureau accepts.
    pub fn resulting_state(self) -> super::LicenseState {
        use super::LicenseState as S;
        match self {
            Self::Change => S::Changed,
            Self::Withdraw => S::Withdrawn,
            Self::Revoke => S::Revoked,
            Self::Cancel => S::Cancelled,
        }
    }
    /// Withdraw, revoke and cancel end the licence: their decision goes to every department
    /// that supervises it, not only to the requester.
    pub fn ends_license(self) -> bool {
        self != Self::Change
    }
    pub fn zh(self) -> &'static str {
        match self {
            Self::Change => "变更",
            Self::Withdraw => "撤回",
            Self::Revoke => "撤销",
            Self::Cancel => "注销",
        }
    }
}

/// Where a letter stands.
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
pub enum LicenseActionState {
    /// Waiting for the bureau (a `license_action_decision` duty).
    Pending,
    Accepted,
    Rejected,
}

super::wire_names!(LicenseActionState, "licence action state");

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
pub enum LicenseActionOutcome {
    Accept,
    Reject,
}

super::wire_names!(LicenseActionOutcome, "licence action outcome");

/// What the request rests on: the penalty decision (number, date) or the facts — at least
/// one of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LicenseActionBasis {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub decision_no: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::catalogue::optional_strict_date",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub decision_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub facts: Option<String>,
}

/// The JSON part `request` of `POST /api/v1/license-actions` (multipart/form-data, beside
/// zero or more file parts `evidence`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewLicenseAction {
    #[schema(min_length = 1, max_length = 100)]
    pub license_no: String,
    pub action: LicenseActionKind,
    pub basis: LicenseActionBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub reason: Option<String>,
}

/// `POST /api/v1/license-actions/{id}/decision` (the bureau). `accept` needs `decision_no`,
/// `decision_date` and `effective_date`; `reject` needs `reasons`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LicenseActionDecisionInput {
    pub outcome: LicenseActionOutcome,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 100)]
    pub decision_no: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::catalogue::optional_strict_date",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub decision_date: Option<NaiveDate>,
    #[serde(
        default,
        deserialize_with = "super::catalogue::optional_strict_date",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, format = Date)]
    pub effective_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 4000)]
    pub reasons: Option<String>,
}

/// An evidence file's metadata (its bytes: `GET …/evidence/{file_id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EvidenceFile {
    pub id: i64,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
}

/// The bureau's decision on a letter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LicenseActionDecided {
    pub outcome: LicenseActionOutcome,
    pub decided_at: DateTime<FixedOffset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
    /// The push that delivered the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_id: Option<i64>,
}

/// A licence-action letter. People are not named (the departments are): who filed and who
/// decided are in the audit log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LicenseAction {
    pub id: i64,
    pub license_no: String,
    pub action: LicenseActionKind,
    pub basis: LicenseActionBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The requesting supervision department's code.
    pub department: String,
    /// The issuing bureau's code (who decides).
    pub bureau: String,
    pub state: LicenseActionState,
    pub created_at: DateTime<FixedOffset>,
    /// When the decision is due (the duty's deadline), and whether that is provisional.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub provisional: bool,
    #[serde(default)]
    pub evidence: Vec<EvidenceFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<LicenseActionDecided>,
}

/// The content of the push that delivers a decision (kind `approval`, from the bureau): made by
/// the server, never submitted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LicenseActionNotice {
    pub license_action_id: i64,
    pub action_license_no: String,
    pub action: LicenseActionKind,
    pub outcome: LicenseActionOutcome,
    pub item_name: String,
    pub holder_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<String>,
}

/// The content of the push that delivers a letter to the bureau (kind `supervision`, from the
/// requesting department; claimed within 1 working day like any push): made by the server,
/// never submitted. The evidence is on the letter (`GET /api/v1/license-actions/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LicenseActionRequestNotice {
    pub license_action_request_id: i64,
    pub request_license_no: String,
    pub action: LicenseActionKind,
    pub basis: LicenseActionBasis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub item_name: String,
    pub holder_name: String,
    /// How many evidence files the letter carries.
    pub evidence_files: i64,
}

/// Monthly statistics: licence-action letters a department filed (or, for the bureau, decided)
/// in the month, by kind and outcome.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LicenseActionFigures {
    pub action: LicenseActionKind,
    /// Filed in the month (requesting department) / received (bureau).
    pub requested: i64,
    /// Decided in the month.
    pub accepted: i64,
    pub rejected: i64,
}
