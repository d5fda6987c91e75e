//! The expert registry (art. 10(1)–(3)) and the verifiable random draws from it.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The two rosters a department nominates members to, with the regulation's limits.
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
pub enum ExpertPool {
    /// 审管专家智囊团: 2–3 members per department (art. 10(1)).
    ThinkTank,
    /// 现场勘验专家库: 1–2 members per department (art. 10(2)).
    SiteInspection,
}

super::wire_names!(ExpertPool, "expert pool");

impl ExpertPool {
    /// Members per department: (minimum, maximum).
    pub fn limits(self) -> (u32, u32) {
        match self {
            Self::ThinkTank => (2, 3),
            Self::SiteInspection => (1, 2),
        }
    }
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
pub enum ExpertStatus {
    Active,
    Withdrawn,
}

super::wire_names!(ExpertStatus, "expert status");

/// `POST /api/v1/experts`: a department nominates one of its members.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewExpert {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// The nominating department's code (a supervision department).
    pub department: String,
    pub pool: ExpertPool,
    /// Qualification or title held (资质、资格).
    #[schema(min_length = 1, max_length = 200)]
    pub qualification: String,
    /// Last date the qualification is valid (inclusive).
    #[serde(deserialize_with = "super::strict_date")]
    #[schema(value_type = String, format = Date)]
    pub qualified_until: NaiveDate,
    /// The member this one replaces: withdrawn in the same change (the department's count
    /// does not pass through the maximum).
    #[serde(default)]
    pub replaces: Option<i64>,
    /// With `replaces`: why the old member leaves.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/v1/experts/{id}/withdraw`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WithdrawExpert {
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// `PUT /api/v1/experts/{id}/availability`: unavailable up to and including a date, or
/// available again (`null`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExpertAvailability {
    #[serde(default, deserialize_with = "optional_date")]
    #[schema(value_type = Option<String>, format = Date)]
    pub unavailable_until: Option<NaiveDate>,
    #[serde(default)]
    pub reason: Option<String>,
}

fn optional_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    #[derive(Deserialize)]
    struct Wrap(#[serde(deserialize_with = "super::strict_date")] NaiveDate);
    Ok(Option::<Wrap>::deserialize(d)?.map(|w| w.0))
}

/// A roster member. Its department and the bureau (which keeps the roster, art. 10(3)) see
/// it, as do the roles that see all; other departments see only the counts
/// ([`DepartmentRoster`]), or the member once drawn for a joint event they take part in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Expert {
    pub id: i64,
    pub name: String,
    pub department: String,
    pub pool: ExpertPool,
    pub qualification: String,
    #[schema(value_type = String, format = Date)]
    pub qualified_until: NaiveDate,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub unavailable_until: Option<NaiveDate>,
    pub status: ExpertStatus,
    pub nominated_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub replaces: Option<i64>,
    #[serde(default)]
    pub withdrawn_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub withdraw_reason: Option<String>,
}

/// One department's membership of one pool, against the regulation's limits.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DepartmentRoster {
    pub department: String,
    pub pool: ExpertPool,
    pub active: u32,
    pub minimum: u32,
    pub maximum: u32,
    /// Fewer active members than the regulation asks (the department should nominate).
    pub below_minimum: bool,
}

/// `GET /api/v1/experts?pool=&department=`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ExpertRoster {
    /// Every supervision department × pool asked for (all departments see these counts).
    pub departments: Vec<DepartmentRoster>,
    /// The members the caller may see (active and withdrawn), by id.
    pub experts: Vec<Expert>,
}

/// One line of a member's history.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ExpertChange {
    pub at: DateTime<FixedOffset>,
    pub actor: String,
    /// `nominated`, `withdrawn`, `replaced`, `availability`.
    pub change: String,
    pub detail: serde_json::Value,
}

/// `GET /api/v1/experts/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ExpertDetail {
    pub expert: Expert,
    pub history: Vec<ExpertChange>,
}

/// `POST /api/v1/joint-events/{id}/draws` (the bureau only).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewDraw {
    /// How many experts to draw (1–the number of candidates).
    pub count: u32,
    /// Default: `site_inspection` for an inspection, `think_tank` otherwise.
    #[serde(default)]
    pub pool: Option<ExpertPool>,
    /// Departments with a conflict of interest (e.g. the subject's own department): none of
    /// their members is a candidate.
    #[serde(default)]
    pub exclude_departments: Vec<String>,
    /// Required for a redraw (the event already has a draw).
    #[serde(default)]
    pub reason: Option<String>,
}

/// A candidate as recorded: the expert's id (the canonical order) and department. Names are
/// not recorded here: the candidates of other departments are not the participants' to see.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DrawCandidate {
    pub id: i64,
    pub department: String,
}

/// A drawn expert, shown to the event's participants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DrawnExpert {
    pub id: i64,
    pub name: String,
    pub department: String,
    pub qualification: String,
}

/// A draw as made and recorded; with this record alone anyone recomputes it (docs/DRAWS.md).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Draw {
    pub id: i64,
    pub event_id: i64,
    /// 1 for the first draw of the event, 2 for the first redraw, …
    pub sequence: u32,
    /// The seed (64 hex digits) = SHA-256 over the event, the sequence and the secret.
    pub seed: String,
    /// `chacha20-fisher-yates-v1`.
    pub algorithm: String,
    pub pool: ExpertPool,
    /// The event's date (China time): availability and qualification are judged on it.
    #[schema(value_type = String, format = Date)]
    pub event_date: NaiveDate,
    pub exclude_departments: Vec<String>,
    /// Candidates in canonical order (expert id ascending).
    pub candidates: Vec<DrawCandidate>,
    /// The first `count` of the shuffled candidates, in drawn order.
    pub drawn: Vec<DrawnExpert>,
    #[serde(default)]
    pub reason: Option<String>,
    /// SHA-256 commitment to `secret`, recorded at `committed_at`, before the draw.
    pub commitment: String,
    pub committed_at: DateTime<FixedOffset>,
    /// The server's secret for this draw, revealed by it.
    pub secret: String,
    pub made_by: String,
    pub made_at: DateTime<FixedOffset>,
}

/// The commitment for an event's next draw, published before it is made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DrawCommitment {
    pub sequence: u32,
    pub commitment: String,
    pub committed_at: DateTime<FixedOffset>,
}

/// `GET /api/v1/joint-events/{id}/draws`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EventDraws {
    pub event_id: i64,
    /// The commitment the next draw will reveal (absent until one is recorded).
    #[serde(default)]
    pub next: Option<DrawCommitment>,
    /// Every draw, the first first (a redraw never removes the one before).
    pub draws: Vec<Draw>,
}

/// `GET /api/v1/draws/{id}/verification`: the draw recomputed from its record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DrawVerification {
    pub draw_id: i64,
    /// Every check holds and the recomputed result equals the recorded one.
    pub matches: bool,
    pub algorithm: String,
    pub algorithm_known: bool,
    /// The revealed secret hashes to the commitment.
    pub commitment_matches: bool,
    /// The commitment was recorded before the draw was made.
    pub committed_before: bool,
    pub seed_matches: bool,
    pub candidates_canonical: bool,
    /// Expert ids drawn again from the recorded candidates.
    pub recomputed: Vec<i64>,
    /// Expert ids as recorded.
    pub recorded: Vec<i64>,
}
