//! Wire types: the one definition of every JSON body the server accepts or returns.
//!
//! The server, the typed client, the console and the tests all use these types, so a field
//! renamed here is renamed everywhere. Request types reject unknown fields: a typo in an
//! integrator's payload is an error, not silently dropped data.

/// The names an enum has on the wire and in its database column, from one derive: `strum`
/// with `serialize_all = "snake_case"`, the same names serde gives it (a test checks they
/// agree). `as_str`/`parse` for callers, and `TryFrom<String>`, through which `db` decodes
/// the enum's column: a stored name that does not parse is an error, never a default.
macro_rules! wire_names {
    ($ty:ident, $what:literal) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                self.into()
            }
            pub fn parse(s: &str) -> Option<Self> {
                s.parse().ok()
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::api::UnknownName;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).ok_or($crate::api::UnknownName {
                    what: $what,
                    value: s,
                })
            }
        }
    };
}
pub(crate) use wire_names;

mod audit;
mod bulletins;
mod catalogue;
mod deliveries;
mod duties;
mod experts;
mod inquiry;
mod joint_events;
mod legacy;
mod license_actions;
mod licenses;
mod people;
mod pushes;
mod reports;
mod verifications;

pub use audit::*;
pub use bulletins::*;
pub use catalogue::*;
pub use deliveries::*;
pub use duties::*;
pub use experts::*;
pub use inquiry::*;
pub use joint_events::*;
pub use legacy::*;
pub use license_actions::*;
pub use licenses::*;
pub use people::*;
pub use pushes::*;
pub use reports::*;
pub use verifications::*;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A name that is none of an enum's wire names (a corrupt stored value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {what}")]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
}

/// Every error the API returns: `{"error": {"code", "message", "field"?}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `already_claimed`, `invalid_field`.
    pub code: String,
    /// Human-readable message (Chinese first, English after a ` / `).
    pub message: String,
    /// The request field at fault, as a JSON path (`counterparty.credit_code`, `recipients[1]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// With `notice_too_short`: the earliest lawful `starts_at` for a notice given now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// The `code` of a 401 for a session that ended for being idle (`--session-idle-minutes`):
/// clients tell the user so and ask for a new login.
pub const SESSION_IDLE: &str = "session_idle";

/// A page of a cursor-paged list. `next_cursor` is absent on the last page.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /healthz`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
    /// The server's clock (the console measures its skew from this).
    pub now: chrono::DateTime<chrono::FixedOffset>,
}

/// `PUT /api/v1/test/clock` (only with `--test-clock`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetClock {
    pub now: chrono::DateTime<chrono::FixedOffset>,
}

/// One server-sent event as carried on `GET /api/v1/events`: the SSE `id` is `id`, the SSE
/// `event` is `type`, and the SSE `data` is this whole object as JSON.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Event {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
    pub at: chrono::DateTime<chrono::FixedOffset>,
    /// The resource the event is about: a `Delivery` for `delivery.*`, a `Dispute` for
    /// `dispute.*`, `{"year": …}` for `calendar.updated`.
    pub data: serde_json::Value,
}

/// Event type names, one place.
pub mod event_types {
    pub const DELIVERY_CREATED: &str = "delivery.created";
    pub const DELIVERY_CLAIMED: &str = "delivery.claimed";
    pub const DELIVERY_AUTO_CLAIMED: &str = "delivery.auto_claimed";
    pub const DELIVERY_REMINDER: &str = "delivery.reminder";
    pub const DELIVERY_ESCALATED: &str = "delivery.escalated";
    /// A running deadline was re-derived after a calendar change (data:
    /// `DeliveryDeadlineChanged`, the delivery with `previous`).
    pub const DELIVERY_DEADLINE_CHANGED: &str = "delivery.deadline_changed";
    pub const DISPUTE_OPENED: &str = "dispute.opened";
    pub const DISPUTE_REPLIED: &str = "dispute.replied";
    pub const DISPUTE_RESOLVED: &str = "dispute.resolved";
    /// A thread's answer deadline passed without the answering department's answer: an
    /// accountability record was written (data: `Dispute`).
    pub const DISPUTE_ANSWER_OVERDUE: &str = "dispute.answer_overdue";
    /// A dispute's `answer_due` was re-derived (data: `DisputeDeadlineChanged`).
    pub const DISPUTE_DEADLINE_CHANGED: &str = "dispute.deadline_changed";
    /// A duty (data: `Duty`) was created, done, passed its deadline still to be done
    /// (`overdue`), ended by its rule at the deadline (`lapsed`), reminded, cancelled, or its
    /// deadline moved (data: `DutyDeadlineChanged`).
    pub const DUTY_CREATED: &str = "duty.created";
    pub const DUTY_DONE: &str = "duty.done";
    pub const DUTY_OVERDUE: &str = "duty.overdue";
    pub const DUTY_LAPSED: &str = "duty.lapsed";
    pub const DUTY_REMINDER: &str = "duty.reminder";
    pub const DUTY_CANCELLED: &str = "duty.cancelled";
    pub const DUTY_DEADLINE_CHANGED: &str = "duty.deadline_changed";
    pub const CALENDAR_UPDATED: &str = "calendar.updated";
    /// A monthly bulletin (or a correction) was issued (data: `BulletinIssued`).
    pub const BULLETIN_ISSUED: &str = "bulletin.issued";
    /// Joint work (data: the whole `JointEvent`, without people's names).
    pub const JOINT_EVENT_SCHEDULED: &str = "joint_event.scheduled";
    pub const JOINT_EVENT_ACKNOWLEDGED: &str = "joint_event.acknowledged";
    pub const JOINT_EVENT_RESCHEDULED: &str = "joint_event.rescheduled";
    pub const JOINT_EVENT_CANCELLED: &str = "joint_event.cancelled";
    pub const JOINT_EVENT_MINUTES: &str = "joint_event.minutes";
    /// The joint report was recorded (data: the `JointEvent`).
    pub const JOINT_EVENT_REPORTED: &str = "joint_event.reported";
    /// A department signed the joint report (data: the `JointEvent`).
    pub const REPORT_SIGNED: &str = "report.signed";
    /// A department was created (data: the department); every instance refreshes its cache.
    pub const DEPARTMENT_CREATED: &str = "department.created";
    /// Not a logged event: the stream's answer to a `Last-Event-ID` beyond the newest event
    /// (the database was restored from a backup, or the id is from another server). Its `id`
    /// and data ([`super::StreamReset`]) give the newest event id; what the client holds may
    /// be stale, so it reloads its data and follows the stream from there.
    pub const STREAM_RESET: &str = "reset";
    /// The expert registry (art. 10; data: the `Expert`).
    pub const EXPERT_NOMINATED: &str = "expert.nominated";
    pub const EXPERT_WITHDRAWN: &str = "expert.withdrawn";
    pub const EXPERT_AVAILABILITY: &str = "expert.availability_changed";
    /// A draw of experts for a joint event (data: the `Draw`).
    pub const DRAW_MADE: &str = "draw.made";
    /// An inquiry letter was sent, or a message added to its thread (data: the
    /// `InquiryLetter`, without people's names; one copy to each department concerned).
    pub const INQUIRY_SENT: &str = "inquiry.sent";
    pub const INQUIRY_REPLIED: &str = "inquiry.replied";
    /// A recipient did not answer by its deadline: deemed consent (art. 12). Emitted by the
    /// sweeper at the deadline instant with the lapsed `Duty` (its `subject_id` is the
    /// letter, its `department` the recipient, its `counterpart` the sender).
    pub const INQUIRY_DEEMED_CONSENT: &str = "inquiry.deemed_consent";
    /// A legacy case (art. 13) was opened or took a step (data: the `LegacyCase`, without
    /// people's names).
    pub const LEGACY_CASE_OPENED: &str = "legacy_case.opened";
    pub const LEGACY_CASE_OPINION: &str = "legacy_case.opinion";
    pub const LEGACY_CASE_RECTIFIED: &str = "legacy_case.rectified";
    pub const LEGACY_CASE_VERIFIED: &str = "legacy_case.verified";
    pub const LEGACY_CASE_DECIDED: &str = "legacy_case.decided";
    /// A credit-approval catalogue item was created or got a new version (data: the
    /// `CatalogueItem` with its current version).
    pub const CATALOGUE_CHANGED: &str = "catalogue.changed";
    /// Verification of commitments (art. 8; data: the `VerificationTask`): opened by a
    /// notify-and-commit push, passed, failed (rectification opened), revoked.
    pub const VERIFICATION_OPENED: &str = "verification.opened";
    pub const VERIFICATION_PASSED: &str = "verification.passed";
    pub const VERIFICATION_FAILED: &str = "verification.failed";
    pub const VERIFICATION_REVOKED: &str = "verification.revoked";
    /// A licence was created by an approval push, or re-issued by a later one with its number
    /// (data: the `License`, without history); one event per supervising department.
    pub const LICENSE_CREATED: &str = "license.created";
    pub const LICENSE_CHANGED: &str = "license.changed";
    /// Licence-action letters (函告, art. 7(2)3; data: the `LicenseAction`, without evidence
    /// bytes): filed by a supervising department, decided by the bureau.
    pub const LICENSE_ACTION_REQUESTED: &str = "license_action.requested";
    pub const LICENSE_ACTION_DECIDED: &str = "license_action.decided";
}

/// The data of a [`event_types::STREAM_RESET`] stream event.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct StreamReset {
    /// The newest event id; the stream continues after it.
    pub newest: i64,
}

/// Dates on the wire are strictly `YYYY-MM-DD` (ISO 8601 calendar dates, zero-padded) in
/// years 1900–2199: chrono alone would also take `2026-9-30`, `+2026-09-30` or year 0, which
/// no register holds and which the other side of an exchange may read differently.
pub fn strict_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    parse_strict_date(&s).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "日期应为 YYYY-MM-DD（1900–2199 年） / expected a date YYYY-MM-DD in 1900–2199, got {s:?}"
        ))
    })
}

/// See [`strict_date`].
pub fn parse_strict_date(s: &str) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=2199).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    fn agree<T>()
    where
        T: IntoEnumIterator + Serialize + Copy + std::fmt::Debug + PartialEq + Into<&'static str>,
        T: TryFrom<String, Error = UnknownName>,
    {
        for v in T::iter() {
            let name: &'static str = v.into();
            assert_eq!(serde_json::to_value(v).unwrap(), name, "{v:?}");
            assert_eq!(T::try_from(name.to_string()), Ok(v));
        }
        assert!(T::try_from("no_such_name".to_string()).is_err());
    }

    /// The column names are the wire names, exactly as before the derive.
    #[test]
    fn wire_names_are_serde_names() {
        agree::<Role>();
        agree::<DepartmentKind>();
        agree::<DeliveryStatus>();
        agree::<DisputeStatus>();
        agree::<PushKind>();
        agree::<DutyKind>();
        agree::<DutyState>();
        agree::<ExpertPool>();
        agree::<ExpertStatus>();
        agree::<AnnotationDecision>();
        agree::<InquiryReplyStatus>();
        agree::<LegacyCaseState>();
        agree::<LegacyStep>();
        agree::<VerificationMode>();
        agree::<VerificationState>();
        agree::<VerificationOutcome>();
        agree::<CommitmentBreach>();
        agree::<RevocationReason>();
        agree::<LicenseState>();
        agree::<CreditStatus>();
        agree::<Admission>();
        agree::<AdmissionMode>();
        agree::<LicenseActionKind>();
        agree::<LicenseActionState>();
        agree::<LicenseActionOutcome>();
        let names: Vec<&str> = Role::iter().map(Role::as_str).collect();
        assert_eq!(
            names,
            [
                "approval_staff",
                "supervision_staff",
                "supervisor",
                "duty_officer",
                "admin"
            ]
        );
        assert_eq!(DeliveryStatus::AutoClaimed.as_str(), "auto_claimed");
        assert_eq!(
            UnknownName {
                what: "role",
                value: "x".into()
            }
            .to_string(),
            "\"x\" is not a role"
        );
    }
}
