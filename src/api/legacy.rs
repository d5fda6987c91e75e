//! Legacy cases (历史遗留问题, art. 13): the bureau opens a case for a historical licensing
//! problem; the supervision department responsible gives its written review opinion; if it
//! requires rectification, the holder rectifies (recorded on the holder's behalf by the bureau
//! or the department, whichever the holder reported to) and the department verifies it (a fail
//! sends it back to rectification); then the bureau takes its handling decision.
//!
//! The department's opinion and verification and the bureau's decision are duties with
//! working-day deadlines; the holder's rectification has none (the holder is no department).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a case stands: the step it waits for.
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
pub enum LegacyCaseState {
    /// The department's written review opinion (a `legacy_opinion` duty).
    AwaitingOpinion,
    /// The holder's rectification (no deadline: the holder is no department).
    AwaitingRectification,
    /// The department's verification of the rectification (a `legacy_verification` duty).
    AwaitingVerification,
    /// The bureau's handling decision (a `legacy_decision` duty).
    AwaitingDecision,
    /// Decided: closed.
    Decided,
}

super::wire_names!(LegacyCaseState, "legacy case state");

/// A step of a case's history.
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
pub enum LegacyStep {
    Opened,
    Opinion,
    Rectification,
    Verification,
    Decision,
}

super::wire_names!(LegacyStep, "legacy case step");

/// A rectification's verification has the outcomes of a commitment's (`pass` | `fail`).
pub use super::verifications::VerificationOutcome;

/// `POST /api/v1/legacy-cases` (the bureau).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewLegacyCase {
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 20000)]
    pub description: String,
    /// The supervision department responsible for the review opinion.
    pub department: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub licence_no: Option<String>,
    /// The holder's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
}

/// `POST /api/v1/legacy-cases/{id}/opinion` (the department responsible).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LegacyOpinion {
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
    pub rectification_required: bool,
}

/// `POST /api/v1/legacy-cases/{id}/rectification` (the bureau or the department, on the
/// holder's behalf): what the holder did.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LegacyRectification {
    #[schema(min_length = 1, max_length = 20000)]
    pub body: String,
}

/// `POST /api/v1/legacy-cases/{id}/verification` (the department responsible).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LegacyVerification {
    pub outcome: VerificationOutcome,
    #[schema(min_length = 1, max_length = 20000)]
    pub findings: String,
}

/// `POST /api/v1/legacy-cases/{id}/decision` (the bureau).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LegacyDecision {
    #[schema(min_length = 1, max_length = 20000)]
    pub decision: String,
    /// The decision's document number (文号), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_no: Option<String>,
}

/// One step taken.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LegacyCaseEntry {
    pub step: LegacyStep,
    /// The department that took it (or recorded it on the holder's behalf).
    pub department: String,
    pub body: String,
    /// `rectification_required` / `no_rectification` for an opinion, `pass` / `fail` for a
    /// verification, the decision number for a decision.
    #[serde(default)]
    pub outcome: Option<String>,
    pub at: DateTime<FixedOffset>,
    /// Shown only to the actor's own department and the roles that see all.
    #[serde(default)]
    pub by: Option<String>,
}

/// A legacy case, its current step and its whole history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LegacyCase {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// The supervision department responsible.
    pub department: String,
    /// The bureau that opened the case and decides it.
    pub bureau: String,
    #[serde(default)]
    pub licence_no: Option<String>,
    #[serde(default)]
    pub holder: Option<String>,
    pub state: LegacyCaseState,
    /// Who must act next: a department code, or `None` when the holder must rectify or the
    /// case is decided.
    #[serde(default)]
    pub owner: Option<String>,
    /// The current step's deadline, when it has one (the owner's duty).
    #[serde(default)]
    pub due: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub provisional: bool,
    /// Set by the opinion.
    #[serde(default)]
    pub rectification_required: Option<bool>,
    pub opened_at: DateTime<FixedOffset>,
    pub history: Vec<LegacyCaseEntry>,
}
