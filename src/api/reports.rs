use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One line of the accountability ledger (arts. 14–15).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AccountabilityRecord {
    pub id: i64,
    /// The department held to account.
    pub department: String,
    /// The rule broken: `claim_overdue` for a delivery, `dispute_answer_overdue` for a thread
    /// answered late, `upload_late` for an approval push uploaded late; for a duty its kind's rule
    /// (`verification_overdue`, `inquiry_deemed_consent`, … — `db::duties::SPECS`).
    pub rule: String,
    /// The article of the regulation, e.g. `7(1)1`.
    pub article: String,
    /// The delivery not claimed in time (a `claim_overdue` record).
    #[serde(default)]
    pub delivery_id: Option<i64>,
    #[serde(default)]
    pub push_id: Option<i64>,
    /// The duty whose deadline was missed (every other rule).
    #[serde(default)]
    pub duty_id: Option<i64>,
    /// The question or dispute not answered in time (a `dispute_answer_overdue` record).
    #[serde(default)]
    pub dispute_id: Option<i64>,
    /// The person who let it pass, where one was responsible (never shown to another
    /// department).
    #[serde(default)]
    pub person: Option<String>,
    /// The item (push title, or the duty's title).
    pub item: String,
    /// When the item was received (a delivery's `received_at`, a duty's `origin_at`): the record belongs to this
    /// instant's month (China time), as in the monthly statistics.
    pub received_at: DateTime<FixedOffset>,
    /// When the deadline passed (the claim deadline of an auto-claimed delivery).
    pub occurred_at: DateTime<FixedOffset>,
    /// Duty officers' annotations, oldest first (e.g. `justified` by a documented outage).
    #[serde(default)]
    pub annotations: Vec<super::Annotation>,
}

/// One department's line of the monthly statistics. Definitions in `docs/STATISTICS.md`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DepartmentMonth {
    pub department: String,
    pub name: String,
    /// Deliveries received in the month.
    pub received: i64,
    /// Of those, claimed by a person before the deadline.
    pub claimed_on_time: i64,
    /// Of those, auto-claimed at the deadline.
    pub auto_claimed: i64,
    /// Of those, still pending now.
    pub pending: i64,
    /// claimed_on_time / (claimed_on_time + auto_claimed); absent when both are 0.
    pub on_time_rate: Option<f64>,
    /// Mean seconds from receipt to a person's claim; absent when nothing was claimed.
    pub avg_claim_seconds: Option<f64>,
    /// Question/dispute threads this department opened in the month.
    pub disputes_opened: i64,
    /// Every other kind of deadline on the department (duties) whose period began in the
    /// month: due, on time, late, still open — one entry per kind that had any.
    #[serde(default)]
    pub deadlines: Vec<super::DeadlineFigures>,
    /// Approvals this (approval) department revoked in the month for a false commitment
    /// (art. 8): a failed re-verification or a reported breach. Verifications due, on time
    /// and overdue are the `verification`/`reverification` entries of `deadlines`.
    #[serde(default)]
    pub revocations: i64,
    /// Approval pushes this department sent in the month for a holder under restricted or
    /// strict admission, each with its admission acknowledgement (art. 7(2)1).
    #[serde(default)]
    pub admission_acknowledgements: i64,
    /// Licence-action letters (函告, art. 7(2)3) by kind: filed in the month (by this
    /// supervision department, or received by this bureau) and accepted / rejected in it —
    /// one entry per kind that had any.
    #[serde(default)]
    pub license_actions: Vec<super::LicenseActionFigures>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct MonthlyStats {
    /// `YYYY-MM`.
    pub month: String,
    pub departments: Vec<DepartmentMonth>,
}

/// One day of the holiday calendar, in the State Council notice format
/// (`isOffDay: true` holiday, `false` adjusted working day).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CalendarDay {
    #[serde(deserialize_with = "super::strict_date")]
    pub date: NaiveDate,
    #[serde(default)]
    pub name: String,
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

/// `POST /api/v1/calendar/years`: one published year's notice.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    #[schema(minimum = 1900, maximum = 2200)]
    pub year: i32,
    pub days: Vec<CalendarDay>,
    /// Accept a notice that lacks a statutory holiday, gives one fewer days off than the law,
    /// or moves work to a weekday (refused otherwise); the audit log records who forced it.
    #[serde(default)]
    pub force: bool,
}

/// `GET /api/v1/calendar`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CalendarInfo {
    pub published_years: Vec<i32>,
}

/// `GET /api/v1/calendar/deadline?from=…&working_days=N`, and the CLI's `--json` output.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct DeadlineAnswer {
    pub deadline: DateTime<FixedOffset>,
    pub provisional: bool,
}
