//! Legacy cases (历史遗留问题, art. 13): the case, its history of steps, and the duties of
//! each step (the department's opinion and verification, the bureau's decision).
//!
//! Every step is one conditional update of the case's state (`WHERE state = <expected>`): a
//! step out of order, or the same step twice (two people racing), changes nothing and is a
//! 409 `wrong_state`, with nothing written.

use crate::api::*;
use crate::db::duties::{close_duty, open_duty};
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, Principal, from_millis, to_cst};

use super::Db;

/// What the handlers need of a case to decide who may see it and act on it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRecord {
    pub id: i64,
    pub title: String,
    pub department: i64,
    pub bureau: i64,
}

impl CaseRecord {
    /// The department is the recipient, the bureau the sender.
    pub fn audience(&self) -> Audience {
        Audience::Between {
            recipient: self.department,
            sender: self.bureau,
        }
    }
}

/// The deadline of a duty a step opens: `working_days` after now, as the calendar says.
#[derive(Debug, Clone, Copy)]
pub struct DueBy {
    pub working_days: u32,
    pub due_at: i64,
    pub provisional: bool,
}

/// A step to take.
#[derive(Debug, Clone)]
pub enum Step {
    Opinion {
        body: String,
        rectification_required: bool,
        /// The decision's deadline, opened at once when no rectification is required.
        decide_by: DueBy,
    },
    Rectification {
        body: String,
        verify_by: DueBy,
    },
    Verification {
        pass: bool,
        findings: String,
        decide_by: DueBy,
    },
    Decision {
        decision: String,
        decision_no: Option<String>,
    },
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub department_id: i64,
    pub bureau_department_id: i64,
    pub licence_no: Option<String>,
    pub holder: Option<String>,
    pub state: String,
    pub rectification_required: Option<bool>,
    pub opened_at: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StepRow {
    pub step: String,
    pub department_id: i64,
    pub body: String,
    pub outcome: Option<String>,
    pub at: i64,
    pub by_name: String,
}

fn at(ms: i64) -> chrono::DateTime<chrono::FixedOffset> {
    to_cst(from_millis(ms))
}

fn corrupt(what: &'static str, e: UnknownName) -> DbError {
    DbError::Corrupt {
        what,
        source: Box::new(e),
    }
}

pub(crate) fn assemble(
    db: &Db,
    c: CaseRow,
    steps: Vec<StepRow>,
    open: Option<(i64, bool)>,
) -> DbResult<LegacyCase> {
    let state = LegacyCaseState::try_from(c.state).map_err(|e| corrupt("legacy case state", e))?;
    let mut history = Vec::with_capacity(steps.len());
    for s in steps {
        history.push(LegacyCaseEntry {
            step: LegacyStep::try_from(s.step).map_err(|e| corrupt("legacy case step", e))?,
            department: db.dept_code(s.department_id),
            body: s.body,
            outcome: s.outcome,
            at: at(s.at),
            by: Some(s.by_name),
        });
    }
    let owner = match state {
        LegacyCaseState::AwaitingOpinion | LegacyCaseState::AwaitingVerification => {
            Some(db.dept_code(c.department_id))
        }
        LegacyCaseState::AwaitingDecision => Some(db.dept_code(c.bureau_department_id)),
        LegacyCaseState::AwaitingRectification | LegacyCaseState::Decided => None,
    };
    Ok(LegacyCase {
        id: c.id,
        title: c.title,
        description: c.description,
        department: db.dept_code(c.department_id),
        bureau: db.dept_code(c.bureau_department_id),
        licence_no: c.licence_no,
        holder: c.holder,
        state,
        owner,
        due: open.map(|(d, _)| at(d)),
        provisional: open.is_some_and(|(_, p)| p),
        rectification_required: c.rectification_required,
        opened_at: at(c.opened_at),
        history,
    })
}

/// Load one whole case with `$ex` (a pool, or `&mut *tx`) → `Option<LegacyCase>`.
macro_rules! load_case {
    ($ex:expr, $db:expr, $id:expr) => {{
        let id: i64 = $id;
        let case: Option<$crate::db::legacy::CaseRow> = sqlx::query_as(
            "SELECT id, title, description, department_id, bureau_department_id, licence_no, holder, \
             state, rectification_required, opened_at FROM legacy_cases WHERE id = $1",
        )
        .bind(id)
        .fetch_optional($ex)
        .await?;
        match case {
            None => None,
            Some(c) => {
                let steps: Vec<$crate::db::legacy::StepRow> = sqlx::query_as(
                    "SELECT step, department_id, body, outcome, at, by_name FROM legacy_case_steps \
                     WHERE case_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all($ex)
                .await?;
                // The current step's deadline: the case's one outstanding duty, if any.
                let open: Option<(i64, bool)> = sqlx::query_as(
                    "SELECT due_at, provisional FROM duties WHERE subject_id = $1 \
                     AND kind IN ('legacy_opinion', 'legacy_verification', 'legacy_decision') \
                     AND state IN ('open', 'overdue') ORDER BY id DESC LIMIT 1",
                )
                .bind(id)
                .fetch_optional($ex)
                .await?;
                Some($crate::db::legacy::assemble($db, c, steps, open)?)
            }
        }
    }};
}

/// Emit one copy to each party, without people's names.
fn emit(
    fx: &mut super::Effects,
    kind: &'static str,
    rec: &CaseRecord,
    case: &LegacyCase,
    now: i64,
) {
    let mut data = case.clone();
    data.history.iter_mut().for_each(|h| h.by = None);
    fx.event(kind, rec.audience(), &data, now);
}

macro_rules! step_row {
    ($tx:ident, $case:expr, $step:expr, $dept:expr, $body:expr, $outcome:expr, $now:expr, $by:expr) => {
        sqlx::query(
            "INSERT INTO legacy_case_steps (case_id, step, department_id, body, outcome, at, by_name) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($case)
        .bind($step)
        .bind($dept)
        .bind($body)
        .bind($outcome)
        .bind($now)
        .bind($by)
        .execute(&mut *$tx)
        .await?
    };
}

/// A case to open.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub title: String,
    pub description: String,
    pub department: i64,
    pub bureau: i64,
    pub licence_no: Option<String>,
    pub holder: Option<String>,
    pub opinion_by: DueBy,
}

/// Open a case: the department owes its written review opinion.
pub async fn open(db: &Db, actor: &Principal, new: NewCase, now: i64) -> DbResult<LegacyCase> {
    let actor = actor.clone();
    Ok(write_tx!(db, |tx, fx| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO legacy_cases (title, description, department_id, bureau_department_id, licence_no, \
             holder, state, opened_at) VALUES ($1, $2, $3, $4, $5, $6, 'awaiting_opinion', $7) RETURNING id",
        )
        .bind(&new.title)
        .bind(&new.description)
        .bind(new.department)
        .bind(new.bureau)
        .bind(&new.licence_no)
        .bind(&new.holder)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        step_row!(
            tx,
            id,
            "opened",
            new.bureau,
            &new.description,
            None::<String>,
            now,
            &actor.name
        );
        open_duty!(
            tx,
            fx,
            db,
            crate::db::duties::NewDuty {
                kind: DutyKind::LegacyOpinion,
                department_id: new.department,
                counterpart_department_id: Some(new.bureau),
                person: None,
                subject_id: id,
                title: new.title.clone(),
                origin_at: now,
                working_days: Some(new.opinion_by.working_days),
                due_at: new.opinion_by.due_at,
                provisional: new.opinion_by.provisional,
            },
            now,
            &actor.name
        );
        let rec = CaseRecord {
            id,
            title: new.title.clone(),
            department: new.department,
            bureau: new.bureau,
        };
        let case = load_case!(&mut *tx, db, id).ok_or(DbError::Bug("a case vanished"))?;
        emit(&mut fx, event_types::LEGACY_CASE_OPENED, &rec, &case, now);
        fx.audit(
            now,
            &actor.name,
            "legacy_case.open",
            "legacy_case",
            Some(id),
            serde_json::json!({"department_id": new.department}),
        );
        case
    }))
}

fn wrong_state() -> DbError {
    DbError::conflict(
        "wrong_state",
        "案件当前不在这一步 / the case is not at this step",
    )
}

/// Take a step: check and move the state in one conditional update, record it in the
/// history, close the step's duty and open the next one.
pub async fn step(
    db: &Db,
    actor: &Principal,
    rec: &CaseRecord,
    step: Step,
    now: i64,
) -> DbResult<LegacyCase> {
    let (actor, rec) = (actor.clone(), rec.clone());
    Ok(write_tx!(db, |tx, fx| {
        let (from, to, required) = match &step {
            Step::Opinion {
                rectification_required: true,
                ..
            } => ("awaiting_opinion", "awaiting_rectification", Some(true)),
            Step::Opinion { .. } => ("awaiting_opinion", "awaiting_decision", Some(false)),
            Step::Rectification { .. } => ("awaiting_rectification", "awaiting_verification", None),
            Step::Verification { pass: true, .. } => {
                ("awaiting_verification", "awaiting_decision", None)
            }
            Step::Verification { .. } => ("awaiting_verification", "awaiting_rectification", None),
            Step::Decision { .. } => ("awaiting_decision", "decided", None),
        };
        let moved = sqlx::query(
            "UPDATE legacy_cases SET state = $1, rectification_required = COALESCE($2, rectification_required) \
             WHERE id = $3 AND state = $4",
        )
        .bind(to)
        .bind(required)
        .bind(rec.id)
        .bind(from)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            return Err(wrong_state());
        }
        let by = actor.name.clone();
        let actor_dept = actor.department_id.unwrap_or(rec.bureau);
        let next =
            |kind: DutyKind, dept: i64, counterpart: i64, due: &DueBy| crate::db::duties::NewDuty {
                kind,
                department_id: dept,
                counterpart_department_id: Some(counterpart),
                person: None,
                subject_id: rec.id,
                title: rec.title.clone(),
                origin_at: now,
                working_days: Some(due.working_days),
                due_at: due.due_at,
                provisional: due.provisional,
            };
        let event = match &step {
            Step::Opinion {
                body,
                rectification_required,
                decide_by,
            } => {
                let outcome = if *rectification_required {
                    "rectification_required"
                } else {
                    "no_rectification"
                };
                step_row!(
                    tx,
                    rec.id,
                    "opinion",
                    rec.department,
                    body,
                    Some(outcome),
                    now,
                    &by
                );
                close_duty!(
                    tx,
                    fx,
                    db,
                    DutyKind::LegacyOpinion,
                    rec.id,
                    rec.department,
                    now,
                    &by
                );
                if !*rectification_required {
                    open_duty!(
                        tx,
                        fx,
                        db,
                        next(
                            DutyKind::LegacyDecision,
                            rec.bureau,
                            rec.department,
                            decide_by
                        ),
                        now,
                        &by
                    );
                }
                event_types::LEGACY_CASE_OPINION
            }
            Step::Rectification { body, verify_by } => {
                step_row!(
                    tx,
                    rec.id,
                    "rectification",
                    actor_dept,
                    body,
                    None::<String>,
                    now,
                    &by
                );
                open_duty!(
                    tx,
                    fx,
                    db,
                    next(
                        DutyKind::LegacyVerification,
                        rec.department,
                        rec.bureau,
                        verify_by
                    ),
                    now,
                    &by
                );
                event_types::LEGACY_CASE_RECTIFIED
            }
            Step::Verification {
                pass,
                findings,
                decide_by,
            } => {
                let outcome = if *pass { "pass" } else { "fail" };
                step_row!(
                    tx,
                    rec.id,
                    "verification",
                    rec.department,
                    findings,
                    Some(outcome),
                    now,
                    &by
                );
                close_duty!(
                    tx,
                    fx,
                    db,
                    DutyKind::LegacyVerification,
                    rec.id,
                    rec.department,
                    now,
                    &by
                );
                if *pass {
                    open_duty!(
                        tx,
                        fx,
                        db,
                        next(
                            DutyKind::LegacyDecision,
                            rec.bureau,
                            rec.department,
                            decide_by
                        ),
                        now,
                        &by
                    );
                }
                event_types::LEGACY_CASE_VERIFIED
            }
            Step::Decision {
                decision,
                decision_no,
            } => {
                step_row!(
                    tx,
                    rec.id,
                    "decision",
                    rec.bureau,
                    decision,
                    decision_no.clone(),
                    now,
                    &by
                );
                close_duty!(
                    tx,
                    fx,
                    db,
                    DutyKind::LegacyDecision,
                    rec.id,
                    rec.bureau,
                    now,
                    &by
                );
                event_types::LEGACY_CASE_DECIDED
            }
        };
        let case = load_case!(&mut *tx, db, rec.id).ok_or(DbError::Bug("a case vanished"))?;
        emit(&mut fx, event, &rec, &case, now);
        fx.audit(
            now,
            &by,
            "legacy_case.step",
            "legacy_case",
            Some(rec.id),
            serde_json::json!({"from": from, "to": to}),
        );
        case
    }))
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<CaseRecord>> {
    let row: Option<(i64, String, i64, i64)> = read!(db, |c| sqlx::query_as(
        "SELECT id, title, department_id, bureau_department_id FROM legacy_cases WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|(id, title, department, bureau)| CaseRecord {
        id,
        title,
        department,
        bureau,
    }))
}

pub async fn detail(db: &Db, id: i64) -> DbResult<Option<LegacyCase>> {
    Ok(read!(db, |c| load_case!(c, db, id)))
}

/// Cases newest first: those `department` is a party to (all for `None`), optionally in one
/// state, below the keyset id `before`.
pub async fn list(
    db: &Db,
    department: Option<i64>,
    state: Option<LegacyCaseState>,
    before: Option<i64>,
    limit: i64,
) -> DbResult<Vec<LegacyCase>> {
    let ids: Vec<(i64,)> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT id FROM legacy_cases WHERE 1 = 1");
        if let Some(d) = department {
            qb.push(" AND (department_id = ")
                .push_bind(d)
                .push(" OR bureau_department_id = ")
                .push_bind(d)
                .push(")");
        }
        if let Some(s) = state {
            qb.push(" AND state = ").push_bind(s.as_str());
        }
        if let Some(b) = before {
            qb.push(" AND id < ").push_bind(b);
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        qb.build_query_as().fetch_all(c).await
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(c) = detail(db, id).await? {
            out.push(c);
        }
    }
    Ok(out)
}
