//! Licences and their holders (issue 10 parts 1–2): the licence register, the credit
//! register and the admission answer for the bureau's window staff (art. 7(2)1).

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ValidUntil;

/// Where a licence stands. `expired` is never stored: it is derived on read from
/// `valid_until` and the server clock's China date (an `active` or `changed` licence whose
/// last valid date has passed).
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
pub enum LicenseState {
    Active,
    /// Re-issued (变更 / 延续) by a later approval push with the same number.
    Changed,
    /// 撤回
    Withdrawn,
    /// 撤销
    Revoked,
    /// 注销
    Cancelled,
    Expired,
}

super::wire_names!(LicenseState, "licence state");

/// One event of a licence's life.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct LicenseHistoryEntry {
    /// `approved` (the first push), `reissued` (a later push with the same number), or a
    /// state change.
    pub event: String,
    /// The licence's stored state after the event.
    pub state: LicenseState,
    #[serde(default)]
    pub push_id: Option<i64>,
    pub at: DateTime<FixedOffset>,
    /// Who did it (username, `api-key:NAME`); to a supervising department the bureau's name.
    pub actor: String,
    /// What changed (item, validity, recipients), as recorded.
    #[serde(default)]
    pub detail: serde_json::Value,
}

/// A licence (`GET /api/v1/licenses`, `GET /api/v1/licenses/{no}`; `license.*` events).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct License {
    pub license_no: String,
    pub state: LicenseState,
    pub item_name: String,
    /// 统一社会信用代码 or 身份证号.
    pub holder_code: String,
    pub holder_name: String,
    pub issue_date: NaiveDate,
    pub valid_until: ValidUntil,
    /// The approval department that issued it.
    pub approval_department: String,
    /// The supervising departments (the recipients of its approval pushes).
    pub departments: Vec<String>,
    /// The approval push that created or last re-issued it.
    pub source_push_id: i64,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// Only in `GET /api/v1/licenses/{no}`: oldest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<LicenseHistoryEntry>>,
}

/// A holder's listing status (contract of the `credit_status` supervision push).
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
pub enum CreditStatus {
    /// 经营异常名录
    AbnormalOperation,
    /// 严重失信主体名单
    Dishonest,
    /// Removed from the lists (信用修复): ends every listing of the holder that began on or
    /// before its start date.
    Cleared,
}

super::wire_names!(CreditStatus, "credit status");

/// `"credit"` of a `credit_status` supervision push (required for that category, refused
/// for the others).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreditInfo {
    pub status: CreditStatus,
    /// The listing authority (列入/移出决定机关).
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub authority: String,
    /// The decision's document number (决定书文号).
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub decision_no: String,
    #[serde(deserialize_with = "super::strict_date")]
    pub start_date: NaiveDate,
    /// Not before `start_date`; absent: until cleared.
    #[serde(
        default,
        deserialize_with = "super::licenses::opt_date",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<NaiveDate>,
}

pub(crate) fn opt_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    let s = <Option<String>>::deserialize(d)?;
    s.map(|s| {
        super::parse_strict_date(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "日期应为 YYYY-MM-DD（1900–2199 年） / expected a date YYYY-MM-DD in 1900–2199, got {s:?}"
            ))
        })
    })
    .transpose()
}

/// The admission regime for a holder (art. 7(2)1): `strict` while a dishonest listing is in
/// force, `restricted` while only an abnormal-operation listing is, else `normal`.
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
pub enum Admission {
    Normal,
    /// 限制准入
    Restricted,
    /// 严格准入
    Strict,
}

super::wire_names!(Admission, "admission");

/// The mode of an admission acknowledgement (only the two regimes that need one).
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
pub enum AdmissionMode {
    Restricted,
    Strict,
}

super::wire_names!(AdmissionMode, "admission mode");

impl AdmissionMode {
    pub fn admission(self) -> Admission {
        match self {
            Self::Restricted => Admission::Restricted,
            Self::Strict => Admission::Strict,
        }
    }
}

/// `"admission"` of an approval push for a holder under restricted or strict admission: the
/// bureau acknowledges the regime it applied. Stored with the push and shown to recipients.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AdmissionAck {
    pub mode: AdmissionMode,
    /// How the regime was applied (e.g. 不适用告知承诺、不予容缺受理、现场核查).
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

/// One credit record of a holder, with its source.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CreditRecord {
    pub id: i64,
    pub status: CreditStatus,
    pub authority: String,
    pub decision_no: String,
    pub start_date: NaiveDate,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// In force on the server's date (a listing not ended, not cleared; a `cleared` record
    /// never is).
    pub in_force: bool,
    /// The supervision push it came from, and the department that filed it.
    pub push_id: i64,
    pub department: String,
    pub recorded_at: DateTime<FixedOffset>,
}

/// A penalty recorded against a holder (a `penalty` supervision push with a counterparty).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct HolderPenalty {
    pub kind: super::PenaltyKind,
    pub decision_no: String,
    pub decision_date: NaiveDate,
    #[serde(default)]
    pub license_no: Option<String>,
    pub push_id: i64,
    pub department: String,
    pub recorded_at: DateTime<FixedOffset>,
}

/// Why a holder is under restricted or strict admission: a listing in force.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AdmissionReason {
    pub record_id: i64,
    pub status: CreditStatus,
    pub authority: String,
    pub decision_no: String,
    pub start_date: NaiveDate,
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
}

/// `GET /api/v1/counterparties/{code}/admission`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AdmissionAnswer {
    pub admission: Admission,
    /// The listings in force, most severe first; empty for `normal`.
    pub reasons: Vec<AdmissionReason>,
}

/// `GET /api/v1/counterparties/{code}`: a holder's standing, history and licences.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CounterpartyView {
    pub code: String,
    /// The latest name recorded for the code.
    pub name: String,
    pub admission: Admission,
    pub reasons: Vec<AdmissionReason>,
    /// Every credit record, oldest first.
    pub credit: Vec<CreditRecord>,
    pub penalties: Vec<HolderPenalty>,
    /// Every licence of the holder the caller may see.
    pub licenses: Vec<License>,
}
