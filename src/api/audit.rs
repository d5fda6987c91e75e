//! The audit chain head and annotations on the accountability ledger (issue 13 parts 4–5).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `GET /api/v1/audit/head`: the last record of the audit chain (docs/AUDIT.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct AuditHead {
    /// The record number (`seq`) of the last record; 0 before the first.
    pub record: i64,
    /// Its SHA-256, 64 lowercase hex digits (64 zeros before the first record).
    pub hash: String,
}

/// What a duty officer decided about a ledger record.
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
pub enum AnnotationDecision {
    /// 免责: the miss is excused (e.g. a documented system outage); the record stays, marked.
    Justified,
    /// 维持: responsibility confirmed after review.
    Upheld,
    /// 备注: a remark, no decision.
    Note,
}

super::wire_names!(AnnotationDecision, "annotation decision");

/// `POST /api/v1/accountability/{id}/annotations`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnnotation {
    pub decision: AnnotationDecision,
    /// The reasons (required, 1–2000 characters), e.g. the outage report's reference.
    pub text: String,
}

/// One annotation on a ledger record, as shown with it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Annotation {
    pub id: i64,
    pub decision: AnnotationDecision,
    pub text: String,
    /// Username of the duty officer or admin who made it.
    pub by: String,
    pub at: DateTime<FixedOffset>,
}
