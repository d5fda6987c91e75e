//! Duties: every deadline on a department other than a delivery's claim (`api::Duty`).
//!
//! A feature that creates a deadline opens a duty in its own transaction ([`open_duty!`]) and
//! closes it when the department acts ([`close_duty!`]); the core does the rest for every kind
//! alike: the sweeper marks a duty whose deadline passed `overdue` (still to be done) or
//! `lapsed` (ended by its rule, e.g. deemed consent) and writes its accountability record
//! ([`miss_batch`]), reminders fall like a claim's ([`remind_batch`]), the calendar
//! re-derives running deadlines (`db/deadlines.rs`), and the monthly figures count them
//! ([`monthly_figures`]). [`SPECS`] is the one table of kinds: rule, article, and what a miss
//! does.
//!
//! The macros expand inside a `write_tx!` body (the body is compiled once per driver, so the
//! shared in-transaction steps are macros, not functions). Each is one conditional statement,
//! so a duty changes state exactly once whoever acts or sweeps.

use sqlx::QueryBuilder;

use crate::api::*;
use crate::db::DbResult;
use crate::domain::{Audience, from_millis, to_cst};

use super::Db;

/// What passing the deadline does to a duty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnMiss {
    /// It stays to be done, on the queue, marked overdue (a late verification is still owed).
    Overdue,
    /// The rule itself ends it (no reply in time is deemed consent; a notice cannot be
    /// acknowledged once its event has begun). Acting at or after the deadline is refused.
    Lapse,
}

/// A kind of duty: the rule a miss breaks, its article, and what a miss does.
pub struct DutySpec {
    pub kind: DutyKind,
    /// The accountability ledger's rule name.
    pub rule: &'static str,
    /// The regulation's article, e.g. `8`.
    pub article: &'static str,
    pub on_miss: OnMiss,
    /// Run by the sweeper for each duty of this kind that lapses, in the same transaction:
    /// `$1` the subject id, `$2` the deadline instant (ms), `$3` the department id.
    pub lapse_hook: Option<&'static str>,
    /// An extra event emitted with the `Duty` when one lapses (e.g. `inquiry.deemed_consent`).
    pub lapse_event: Option<&'static str>,
}

/// Every kind, one row each (owners of a kind fill in its hook).
pub const SPECS: &[DutySpec] = &[
    DutySpec {
        kind: DutyKind::LicenseActionDecision,
        rule: "license_action_overdue",
        article: "7(2)3",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::Verification,
        rule: "verification_overdue",
        article: "8",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::Reverification,
        rule: "reverification_overdue",
        article: "8",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::NoticeAck,
        rule: "notice_unacknowledged",
        article: "10, 11",
        on_miss: OnMiss::Lapse,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::ReportSignature,
        rule: "report_unsigned",
        article: "11",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::InquiryReply,
        rule: "inquiry_deemed_consent",
        article: "12",
        on_miss: OnMiss::Lapse,
        // The recipient's reply row becomes deemed consent at the deadline instant.
        lapse_hook: Some(crate::db::inquiry::DEEMED_CONSENT_HOOK),
        lapse_event: Some(crate::api::event_types::INQUIRY_DEEMED_CONSENT),
    },
    DutySpec {
        kind: DutyKind::LegacyOpinion,
        rule: "legacy_opinion_overdue",
        article: "13",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::LegacyVerification,
        rule: "legacy_verification_overdue",
        article: "13",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
    DutySpec {
        kind: DutyKind::LegacyDecision,
        rule: "legacy_decision_overdue",
        article: "13",
        on_miss: OnMiss::Overdue,
        lapse_hook: None,
        lapse_event: None,
    },
];

/// The spec of a kind (every kind has exactly one: see the test below).
pub fn spec(kind: DutyKind) -> &'static DutySpec {
    SPECS
        .iter()
        .find(|s| s.kind == kind)
        .expect("every duty kind has a spec")
}

/// The columns of [`DutyRow`], for `concat!` into queries.
macro_rules! duty_columns {
    () => {
        "id, kind, department_id, counterpart_department_id, person, subject_id, title, origin_at, \
         working_days, due_at, provisional, state, done_at, done_by"
    };
}
pub(crate) use duty_columns;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DutyRow {
    pub id: i64,
    pub kind: DutyKind,
    pub department_id: i64,
    pub counterpart_department_id: Option<i64>,
    pub person: Option<String>,
    pub subject_id: i64,
    pub title: String,
    pub origin_at: i64,
    pub working_days: Option<i32>,
    pub due_at: i64,
    pub provisional: bool,
    pub state: DutyState,
    pub done_at: Option<i64>,
    pub done_by: Option<String>,
}

impl DutyRow {
    /// The department that must act, and its counterpart (itself when there is none).
    pub fn audience(&self) -> Audience {
        Audience::Between {
            recipient: self.department_id,
            sender: self.counterpart_department_id.unwrap_or(self.department_id),
        }
    }

    pub fn to_api(&self, db: &Db) -> Duty {
        Duty {
            id: self.id,
            kind: self.kind,
            department: db.dept_code(self.department_id),
            counterpart: self.counterpart_department_id.map(|d| db.dept_code(d)),
            person: self.person.clone(),
            subject_id: self.subject_id,
            title: self.title.clone(),
            origin_at: to_cst(from_millis(self.origin_at)),
            due: to_cst(from_millis(self.due_at)),
            provisional: self.provisional,
            state: self.state,
            done_at: self.done_at.map(|t| to_cst(from_millis(t))),
            done_by: self.done_by.clone(),
        }
    }
}

/// A duty to open; compute `due_at`/`provisional` with `domain::Calendar` from the server's
/// clock (`working_days` from `origin_at`), or give a fixed instant with `working_days: None`.
#[derive(Debug, Clone)]
pub struct NewDuty {
    pub kind: DutyKind,
    pub department_id: i64,
    pub counterpart_department_id: Option<i64>,
    pub person: Option<String>,
    pub subject_id: i64,
    pub title: String,
    pub origin_at: i64,
    pub working_days: Option<u32>,
    pub due_at: i64,
    pub provisional: bool,
}

/// Open a duty in the current transaction: `open_duty!(tx, fx, db, new, now, actor)` →
/// `DutyRow`. Emits `duty.created` and an audit line. One outstanding duty per kind, subject
/// and department (a unique index): opening a second is a storage conflict.
macro_rules! open_duty {
    ($tx:ident, $fx:ident, $db:ident, $new:expr, $now:expr, $actor:expr) => {{
        let new: $crate::db::duties::NewDuty = $new;
        let now: i64 = $now;
        let row: $crate::db::duties::DutyRow = sqlx::query_as(concat!(
            "INSERT INTO duties (kind, department_id, counterpart_department_id, person, subject_id, title, \
             origin_at, working_days, due_at, provisional, state, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', $11) RETURNING ",
            $crate::db::duties::duty_columns!()
        ))
        .bind(new.kind.as_str())
        .bind(new.department_id)
        .bind(new.counterpart_department_id)
        .bind(&new.person)
        .bind(new.subject_id)
        .bind(&new.title)
        .bind(new.origin_at)
        .bind(new.working_days.map(|n| n as i32))
        .bind(new.due_at)
        .bind(new.provisional)
        .bind(now)
        .fetch_one(&mut *$tx)
        .await?;
        $fx.event(
            $crate::api::event_types::DUTY_CREATED,
            row.audience(),
            &row.to_api($db),
            now,
        );
        $fx.audit(
            now,
            $actor,
            "duty.open",
            "duty",
            Some(row.id),
            serde_json::json!({"kind": row.kind, "subject_id": row.subject_id, "due": row.due_at}),
        );
        row
    }};
}
// Used by the features that own each kind (and `open`/`close` below).
#[allow(unused_imports)]
pub(crate) use open_duty;

/// Close the outstanding duty of a kind, subject and department because it was done:
/// `close_duty!(tx, fx, db, kind, subject_id, department_id, now, by)` → `Option<DutyRow>`
/// (`None`: there was none outstanding — for a [`OnMiss::Lapse`] kind also when its deadline
/// has come, even before the sweeper saw it: acting at the deadline instant is late).
/// Before the deadline it becomes `done`; an overdue one (or an open one whose deadline has
/// come) becomes `done_late`, with its accountability record if the sweeper has not written
/// it yet. Emits `duty.done`.
macro_rules! close_duty {
    ($tx:ident, $fx:ident, $db:ident, $kind:expr, $subject:expr, $dept:expr, $now:expr, $by:expr) => {{
        let kind: $crate::api::DutyKind = $kind;
        let now: i64 = $now;
        let by: &str = $by;
        let lapses = $crate::db::duties::spec(kind).on_miss == $crate::db::duties::OnMiss::Lapse;
        let sql = if lapses {
            concat!(
                "UPDATE duties SET state = 'done', done_at = $1, done_by = $2 \
                 WHERE kind = $3 AND subject_id = $4 AND department_id = $5 AND state = 'open' AND due_at > $1 \
                 RETURNING ",
                $crate::db::duties::duty_columns!()
            )
        } else {
            concat!(
                "UPDATE duties SET state = CASE WHEN state = 'open' AND due_at > $1 THEN 'done' ELSE 'done_late' END, \
                 done_at = $1, done_by = $2 \
                 WHERE kind = $3 AND subject_id = $4 AND department_id = $5 AND state IN ('open', 'overdue') \
                 RETURNING ",
                $crate::db::duties::duty_columns!()
            )
        };
        let row: Option<$crate::db::duties::DutyRow> = sqlx::query_as(sql)
            .bind(now)
            .bind(by)
            .bind(kind.as_str())
            .bind($subject)
            .bind($dept)
            .fetch_optional(&mut *$tx)
            .await?;
        if let Some(r) = &row {
            if r.state == $crate::api::DutyState::DoneLate {
                let spec = $crate::db::duties::spec(r.kind);
                sqlx::query(
                    "INSERT INTO accountability (department_id, rule, article, duty_id, person, item, received_at, occurred_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (duty_id) DO NOTHING",
                )
                .bind(r.department_id)
                .bind(spec.rule)
                .bind(spec.article)
                .bind(r.id)
                .bind(&r.person)
                .bind(&r.title)
                .bind(r.origin_at)
                .bind(r.due_at)
                .execute(&mut *$tx)
                .await?;
            }
            $fx.event(
                $crate::api::event_types::DUTY_DONE,
                r.audience(),
                &r.to_api($db),
                now,
            );
            $fx.audit(now, by, "duty.done", "duty", Some(r.id), serde_json::json!({"state": r.state}));
        }
        row
    }};
}
// Used by the features that own each kind (and `open`/`close` below).
#[allow(unused_imports)]
pub(crate) use close_duty;

/// Withdraw every outstanding duty of a subject (its event was cancelled, its letter
/// withdrawn): `cancel_duties!(tx, fx, db, kind, subject_id, now, by)` → `Vec<DutyRow>`.
/// Cancelled duties are not counted. Emits `duty.cancelled`.
#[allow(unused_macros)]
macro_rules! cancel_duties {
    ($tx:ident, $fx:ident, $db:ident, $kind:expr, $subject:expr, $now:expr, $by:expr) => {{
        let kind: $crate::api::DutyKind = $kind;
        let now: i64 = $now;
        let by: &str = $by;
        let rows: Vec<$crate::db::duties::DutyRow> = sqlx::query_as(concat!(
            "UPDATE duties SET state = 'cancelled', done_at = $1, done_by = $2 \
             WHERE kind = $3 AND subject_id = $4 AND state IN ('open', 'overdue') RETURNING ",
            $crate::db::duties::duty_columns!()
        ))
        .bind(now)
        .bind(by)
        .bind(kind.as_str())
        .bind($subject)
        .fetch_all(&mut *$tx)
        .await?;
        for r in &rows {
            $fx.event(
                $crate::api::event_types::DUTY_CANCELLED,
                r.audience(),
                &r.to_api($db),
                now,
            );
            $fx.audit(
                now,
                by,
                "duty.cancel",
                "duty",
                Some(r.id),
                serde_json::json!({}),
            );
        }
        rows
    }};
}
// Used by the features that own each kind (and `open`/`close` below).
#[allow(unused_imports)]
pub(crate) use cancel_duties;

/// Move the fixed deadline of a subject's open duties (an event rescheduled):
/// `move_duty!(tx, fx, db, kind, subject_id, new_due_at, provisional, now, by)` →
/// `Vec<DutyRow>`. Emits `duty.deadline_changed` with the previous deadline.
#[allow(unused_macros)]
macro_rules! move_duty {
    ($tx:ident, $fx:ident, $db:ident, $kind:expr, $subject:expr, $due:expr, $prov:expr, $now:expr, $by:expr) => {{
        let kind: $crate::api::DutyKind = $kind;
        let now: i64 = $now;
        let by: &str = $by;
        let due: i64 = $due;
        let prov: bool = $prov;
        let before: Vec<$crate::db::duties::DutyRow> = sqlx::query_as(concat!(
            "SELECT ",
            $crate::db::duties::duty_columns!(),
            " FROM duties WHERE kind = $1 AND subject_id = $2 AND state = 'open'"
        ))
        .bind(kind.as_str())
        .bind($subject)
        .fetch_all(&mut *$tx)
        .await?;
        let mut moved = Vec::new();
        for old in before {
            let done = sqlx::query(
                "UPDATE duties SET due_at = $1, provisional = $2, reminded_at = NULL WHERE id = $3 AND state = 'open'",
            )
            .bind(due)
            .bind(prov)
            .bind(old.id)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if done == 1 {
                let new = $crate::db::duties::DutyRow {
                    due_at: due,
                    provisional: prov,
                    ..old.clone()
                };
                $fx.event(
                    $crate::api::event_types::DUTY_DEADLINE_CHANGED,
                    new.audience(),
                    &$crate::api::DutyDeadlineChanged {
                        duty: new.to_api($db),
                        previous_due: $crate::domain::to_cst($crate::domain::from_millis(old.due_at)),
                        previous_provisional: old.provisional,
                    },
                    now,
                );
                $fx.audit(
                    now,
                    by,
                    "duty.deadline_change",
                    "duty",
                    Some(new.id),
                    serde_json::json!({"previous": old.due_at, "due": due}),
                );
                moved.push(new);
            }
        }
        moved
    }};
}
// Used by the features that own each kind (and `open`/`close` below).
#[allow(unused_imports)]
pub(crate) use move_duty;

/// Open a duty in a transaction of its own (a feature opens its duties inside its own
/// transaction with [`open_duty!`]; this is for a duty that is the whole of its change).
pub async fn open(db: &Db, new: NewDuty, now: i64, actor: &str) -> DbResult<Duty> {
    let actor = actor.to_string();
    Ok(write_tx!(db, |tx, fx| {
        let row = open_duty!(tx, fx, db, new, now, &actor);
        row.to_api(db)
    }))
}

/// [`close_duty!`] in a transaction of its own.
pub async fn close(
    db: &Db,
    kind: DutyKind,
    subject_id: i64,
    department_id: i64,
    now: i64,
    by: &str,
) -> DbResult<Option<Duty>> {
    let by = by.to_string();
    Ok(write_tx!(db, |tx, fx| {
        let row = close_duty!(tx, fx, db, kind, subject_id, department_id, now, &by);
        row.map(|r| r.to_api(db))
    }))
}

/// `GET /api/v1/duties` filters.
#[derive(Debug, Clone, Default)]
pub struct DutyFilter {
    /// Only this department's duties (roles that see all: any).
    pub department: Option<i64>,
    pub states: Vec<DutyState>,
    pub kind: Option<DutyKind>,
    /// Keyset cursor: (due_at, id) of the last row of the previous page.
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

/// Duties soonest deadline first.
pub async fn list(db: &Db, f: &DutyFilter) -> DbResult<Vec<DutyRow>> {
    Ok(read!(db, |c| {
        let mut qb = QueryBuilder::new(concat!(
            "SELECT ",
            duty_columns!(),
            " FROM duties WHERE 1 = 1"
        ));
        if let Some(d) = f.department {
            qb.push(" AND department_id = ").push_bind(d);
        }
        if !f.states.is_empty() {
            qb.push(" AND state IN (");
            let mut sep = qb.separated(", ");
            for s in &f.states {
                sep.push_bind(s.as_str());
            }
            qb.push(")");
        }
        if let Some(k) = f.kind {
            qb.push(" AND kind = ").push_bind(k.as_str());
        }
        if let Some((due, id)) = f.after {
            qb.push(" AND (due_at > ")
                .push_bind(due)
                .push(" OR (due_at = ")
                .push_bind(due)
                .push(" AND id > ")
                .push_bind(id)
                .push("))");
        }
        qb.push(" ORDER BY due_at, id LIMIT ").push_bind(f.limit);
        qb.build_query_as::<DutyRow>().fetch_all(c).await
    })?)
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<DutyRow>> {
    Ok(read!(db, |c| sqlx::query_as(concat!(
        "SELECT ",
        duty_columns!(),
        " FROM duties WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// The duties of one subject (all states), for a record's detail view.
pub async fn of_subject(db: &Db, kind: DutyKind, subject_id: i64) -> DbResult<Vec<DutyRow>> {
    Ok(read!(db, |c| sqlx::query_as(concat!(
        "SELECT ",
        duty_columns!(),
        " FROM duties WHERE kind = $1 AND subject_id = $2 ORDER BY id"
    ))
    .bind(kind.as_str())
    .bind(subject_id)
    .fetch_all(c)
    .await)?)
}

mod sweep;
pub use sweep::{SWEEP_BATCH, miss_batch, monthly_figures, remind_batch};

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn every_kind_has_one_spec() {
        for k in DutyKind::iter() {
            assert_eq!(SPECS.iter().filter(|s| s.kind == k).count(), 1, "{k:?}");
        }
        assert_eq!(SPECS.len(), DutyKind::iter().count());
    }

    #[test]
    fn hooks_only_on_lapsing_kinds() {
        for s in SPECS {
            if s.lapse_hook.is_some() || s.lapse_event.is_some() {
                assert_eq!(s.on_miss, OnMiss::Lapse, "{:?}", s.kind);
            }
        }
    }
}
