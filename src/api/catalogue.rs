//! The credit-approval catalogue (信用审批事项目录, art. 8): the items an applicant may obtain
//! on a written commitment, with their commitment conditions, required materials, how the
//! commitment is verified, and the supervision departments that agreed the item. Every change
//! is a new version; old versions stay readable.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a commitment under an item is verified (art. 8 paras 2–3).
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
pub enum VerificationMode {
    /// 免于核查: decided on the spot, no verification.
    Exempt,
    /// 事后核查: the bureau verifies within 10 working days after the committed compliance date.
    PostVerification,
}

super::wire_names!(VerificationMode, "verification mode");

/// `POST /api/v1/credit-catalogue` (a new item) and `POST /api/v1/credit-catalogue/{id}/versions`
/// (its next version; `code` must then be left out or equal the item's).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CatalogueItemInput {
    /// The item's code (事项编码), unique; fixed once created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64)]
    pub code: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// 承诺条件: each a statement the applicant commits to.
    #[schema(min_items = 1, max_items = 100)]
    pub conditions: Vec<String>,
    /// 申请材料.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub materials: Vec<String>,
    pub verification_mode: VerificationMode,
    /// The supervision departments (codes) that agreed the item (共同制定).
    #[schema(min_items = 1, max_items = 64)]
    pub departments: Vec<String>,
    /// For a new version: the version it replaces; a different current version is a 409 (a
    /// change made meanwhile). Leave out to replace whatever is current.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i32>,
    /// Why the item changed (e.g. the policy that changed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// One version of an item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CatalogueVersion {
    pub version: i32,
    pub name: String,
    pub conditions: Vec<String>,
    pub materials: Vec<String>,
    pub verification_mode: VerificationMode,
    pub departments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub created_by: String,
}

/// A catalogue item: its current version, and (`GET …/{id}`) every version, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct CatalogueItem {
    pub id: i64,
    pub code: String,
    pub current: CatalogueVersion,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<CatalogueVersion>,
}

/// An optional strict `YYYY-MM-DD` date (see [`super::strict_date`]).
pub(crate) fn optional_strict_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "super::strict_date")] NaiveDate);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}
