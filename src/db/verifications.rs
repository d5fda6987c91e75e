//! Verification of commitments (art. 8): tasks opened by notify-and-commit approval pushes,
//! their results, and the revocation of an approval. The deadlines are duties (`verification`,
//! `reverification`; `subject_id` = the task's id), so the sweeper, the ledger, reminders and
//! calendar re-derivation come from the duty core.
//!
//! The in-transaction steps are macros (the body of `write_tx!` is compiled once per driver):
//! [`open_verification!`] runs inside the approval push's transaction, and
//! [`revoke_for_false_commitment!`] is the ONE place an approval is revoked for a false
//! commitment — after a failed re-verification or on a supervision push reporting a breach.

use chrono::NaiveDate;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, from_millis, to_cst};

use super::Db;

/// A verification task to open with a post-verification approval.
#[derive(Debug, Clone)]
pub struct NewVerification {
    pub compliance_date: NaiveDate,
    /// The start of the compliance date (China time): the duty's origin, so a calendar import
    /// re-derives the deadline from the same instant.
    pub origin_at: i64,
    pub working_days: u32,
    pub due_at: i64,
    pub provisional: bool,
}

/// What a notify-and-commit push records besides itself.
#[derive(Debug, Clone)]
pub struct CommitmentInsert {
    pub catalogue_item_id: i64,
    pub catalogue_version: i32,
    pub verification: Option<NewVerification>,
}

/// When and with which claim deadline a revocation decision is pushed.
#[derive(Debug, Clone)]
pub struct RevocationPlan {
    pub now: i64,
    pub claim_deadline: i64,
    pub provisional: bool,
}

/// A supervision push's reported breach: the task whose approval it revokes.
#[derive(Debug, Clone)]
pub struct BreachInsert {
    pub task_id: i64,
    pub reason: CommitmentBreach,
    pub plan: RevocationPlan,
}

fn bureau(d: i64) -> Audience {
    Audience::Between {
        recipient: d,
        sender: d,
    }
}

/// The columns of [`TaskRow`] (`t` the task, `p` its push, `dv`/`dr` its two duties).
macro_rules! task_select {
    () => {
        "SELECT t.id, t.push_id, t.license_no, p.title, p.counterparty_name, t.department_id, t.catalogue_item_id, \
         t.catalogue_version, t.compliance_date, t.state, t.revocation_reason, t.revocation_push_id, t.breach_push_id, \
         t.revoked_at, t.created_at, dv.due_at AS due_at, dv.provisional AS provisional, dr.due_at AS r_due_at, \
         dr.provisional AS r_provisional \
         FROM verification_tasks t JOIN pushes p ON p.id = t.push_id \
         LEFT JOIN duties dv ON dv.kind = 'verification' AND dv.subject_id = t.id \
         LEFT JOIN duties dr ON dr.kind = 'reverification' AND dr.subject_id = t.id"
    };
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub push_id: i64,
    pub license_no: String,
    pub title: String,
    pub counterparty_name: Option<String>,
    pub department_id: i64,
    pub catalogue_item_id: i64,
    pub catalogue_version: i32,
    pub compliance_date: String,
    pub state: String,
    pub revocation_reason: Option<String>,
    pub revocation_push_id: Option<i64>,
    pub breach_push_id: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
    pub due_at: Option<i64>,
    pub provisional: Option<bool>,
    pub r_due_at: Option<i64>,
    pub r_provisional: Option<bool>,
}

impl TaskRow {
    pub fn state(&self) -> DbResult<VerificationState> {
        VerificationState::parse(&self.state)
            .ok_or_else(|| corrupt("verification state", &self.state))
    }
}

fn corrupt(what: &'static str, v: &str) -> DbError {
    DbError::Corrupt {
        what,
        source: v.to_string().into(),
    }
}

type ResultRow = (i32, String, Option<String>, String, i64, String);

/// The task with its results and supervising departments (`$conn`: `&mut *tx` or a pool).
macro_rules! load_task {
    ($conn:expr, $db:ident, $id:expr) => {{
        let id: i64 = $id;
        let row: Option<$crate::db::verifications::TaskRow> =
            sqlx::query_as(concat!($crate::db::verifications::task_select!(), " WHERE t.id = $1"))
                .bind(id)
                .fetch_optional($conn)
                .await?;
        match row {
            None => None,
            Some(row) => {
                let results: Vec<(i32, String, Option<String>, String, i64, String)> = sqlx::query_as(
                    "SELECT round, outcome, findings, departments, recorded_at, recorded_by FROM verification_results \
                     WHERE task_id = $1 ORDER BY round",
                )
                .bind(id)
                .fetch_all($conn)
                .await?;
                let supervising: Vec<(i64,)> =
                    sqlx::query_as("SELECT department_id FROM deliveries WHERE push_id = $1 ORDER BY department_id")
                        .bind(row.push_id)
                        .fetch_all($conn)
                        .await?;
                Some($crate::db::verifications::assemble(
                    $db,
                    row,
                    results,
                    supervising.into_iter().map(|(d,)| d).collect(),
                )?)
            }
        }
    }};
}
pub(crate) use {load_task, task_select};

/// A task as the API shows it, with the ids of its bureau and supervising departments (who
/// may see it).
#[derive(Debug, Clone)]
pub struct LoadedTask {
    pub task: VerificationTask,
    pub bureau: i64,
    pub supervising: Vec<i64>,
}

impl LoadedTask {
    /// The task's audience for a principal of `dept`: a supervising department is its
    /// recipient beside the bureau; anyone else meets the bureau's own audience (hidden
    /// unless it sees all).
    pub fn audience_for(&self, dept: Option<i64>) -> Audience {
        match dept {
            Some(d) if self.supervising.contains(&d) => Audience::Between {
                recipient: d,
                sender: self.bureau,
            },
            _ => bureau(self.bureau),
        }
    }
}

pub fn assemble(
    db: &Db,
    row: TaskRow,
    results: Vec<ResultRow>,
    supervising: Vec<i64>,
) -> DbResult<LoadedTask> {
    let results = results
        .into_iter()
        .map(|(round, outcome, findings, depts, at, by)| {
            let ids: Vec<i64> = serde_json::from_str(&depts)?;
            Ok(VerificationResult {
                round,
                outcome: VerificationOutcome::parse(&outcome)
                    .ok_or_else(|| corrupt("verification outcome", &outcome))?,
                findings,
                departments: ids.into_iter().map(|d| db.dept_code(d)).collect(),
                recorded_at: to_cst(from_millis(at)),
                recorded_by: by,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;
    let revocation = match (
        &row.revocation_reason,
        row.revocation_push_id,
        row.revoked_at,
    ) {
        (Some(r), Some(push_id), Some(at)) => Some(Revocation {
            reason: RevocationReason::parse(r).ok_or_else(|| corrupt("revocation reason", r))?,
            push_id,
            reported_by_push_id: row.breach_push_id,
            at: to_cst(from_millis(at)),
        }),
        _ => None,
    };
    let task = VerificationTask {
        id: row.id,
        push_id: row.push_id,
        license_no: row.license_no.clone(),
        item_name: row.title.clone(),
        counterparty_name: row.counterparty_name.clone().unwrap_or_default(),
        department: db.dept_code(row.department_id),
        supervising: supervising.iter().map(|d| db.dept_code(*d)).collect(),
        catalogue_item_id: row.catalogue_item_id,
        catalogue_version: row.catalogue_version,
        compliance_date: row
            .compliance_date
            .parse()
            .map_err(|_| corrupt("compliance date", &row.compliance_date))?,
        due: to_cst(from_millis(row.due_at.unwrap_or(row.created_at))),
        provisional: row.provisional.unwrap_or(false),
        state: row.state()?,
        rectification_due: row.r_due_at.map(|t| to_cst(from_millis(t))),
        rectification_provisional: row.r_provisional.unwrap_or(false),
        results,
        revocation,
        created_at: to_cst(from_millis(row.created_at)),
    };
    Ok(LoadedTask {
        task,
        bureau: row.department_id,
        supervising,
    })
}

/// Inside a notify-and-commit push's transaction: record the catalogue item and version and,
/// for a post-verification item, open the task and the bureau's `verification` duty.
macro_rules! open_verification {
    ($tx:ident, $fx:ident, $db:ident, $push_id:expr, $p:expr, $c:expr, $actor:expr) => {{
        let push_id: i64 = $push_id;
        let p: &$crate::db::pushes::PushInsert = $p;
        let c: &$crate::db::verifications::CommitmentInsert = $c;
        let actor: &str = $actor;
        sqlx::query("INSERT INTO push_commitments (push_id, catalogue_item_id, catalogue_version) VALUES ($1, $2, $3)")
            .bind(push_id)
            .bind(c.catalogue_item_id)
            .bind(c.catalogue_version)
            .execute(&mut *$tx)
            .await?;
        if let Some(v) = &c.verification {
            let license_no = p.license_no.clone().unwrap_or_default();
            let (task_id,): (i64,) = sqlx::query_as(
                "INSERT INTO verification_tasks (push_id, license_no, department_id, catalogue_item_id, catalogue_version, \
                 compliance_date, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
            )
            .bind(push_id)
            .bind(&license_no)
            .bind(p.source_department_id)
            .bind(c.catalogue_item_id)
            .bind(c.catalogue_version)
            .bind(v.compliance_date.to_string())
            .bind(p.received_at)
            .fetch_one(&mut *$tx)
            .await?;
            // The licence's life shows the commitment and when it is to be verified.
            $crate::db::licenses::license_note!(
                $tx,
                $fx,
                &license_no,
                "commitment",
                Some(push_id),
                p.received_at,
                actor,
                serde_json::json!({
                    "verification_id": task_id,
                    "compliance_date": v.compliance_date,
                    "due": $crate::domain::to_cst($crate::domain::from_millis(v.due_at)),
                })
            );
            $crate::db::duties::open_duty!(
                $tx,
                $fx,
                $db,
                $crate::db::duties::NewDuty {
                    kind: $crate::api::DutyKind::Verification,
                    department_id: p.source_department_id,
                    counterpart_department_id: None,
                    person: None,
                    subject_id: task_id,
                    title: format!("{} {}", p.title, license_no),
                    origin_at: v.origin_at,
                    working_days: Some(v.working_days),
                    due_at: v.due_at,
                    provisional: v.provisional,
                },
                p.received_at,
                actor
            );
            if let Some(loaded) = $crate::db::verifications::load_task!(&mut *$tx, $db, task_id) {
                $fx.event(
                    $crate::api::event_types::VERIFICATION_OPENED,
                    $crate::domain::Audience::Between { recipient: p.source_department_id, sender: p.source_department_id },
                    &loaded.task,
                    p.received_at,
                );
            }
            $fx.audit(
                p.received_at,
                actor,
                "verification.open",
                "verification",
                Some(task_id),
                serde_json::json!({"push_id": push_id, "compliance_date": v.compliance_date}),
            );
        }
    }};
}
pub(crate) use open_verification;

mod results;
pub(crate) use results::revoke_for_false_commitment;
pub use results::{ResultInput, already_revoked, record_result};

/// The task with who may see it.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<LoadedTask>> {
    Ok(read!(db, |c| load_task!(c, db, id)))
}

/// The newest task of a licence that is not revoked (what a reported breach revokes), and
/// whether the licence has any task at all.
pub async fn for_license(db: &Db, license_no: &str) -> DbResult<(Option<i64>, bool)> {
    let rows: Vec<(i64, String)> = read!(db, |c| sqlx::query_as(
        "SELECT id, state FROM verification_tasks WHERE license_no = $1 ORDER BY id DESC"
    )
    .bind(license_no)
    .fetch_all(c)
    .await)?;
    let any = !rows.is_empty();
    Ok((
        rows.into_iter()
            .find(|(_, s)| s != "revoked")
            .map(|(id, _)| id),
        any,
    ))
}

/// `GET /api/v1/verifications` filters.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// Only tasks this department verifies or supervises (roles that see all: any).
    pub department: Option<i64>,
    pub state: Option<VerificationState>,
    /// Keyset cursor: the id of the last row of the previous page (newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Tasks, newest first.
pub async fn list(db: &Db, f: &TaskFilter) -> DbResult<Vec<VerificationTask>> {
    let ids: Vec<(i64,)> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT t.id FROM verification_tasks t WHERE 1 = 1");
        if let Some(d) = f.department {
            qb.push(" AND (t.department_id = ")
                .push_bind(d)
                .push(" OR EXISTS (SELECT 1 FROM deliveries x WHERE x.push_id = t.push_id AND x.department_id = ")
                .push_bind(d)
                .push("))");
        }
        if let Some(s) = f.state {
            qb.push(" AND t.state = ").push_bind(s.as_str());
        }
        if let Some(b) = f.before {
            qb.push(" AND t.id < ").push_bind(b);
        }
        qb.push(" ORDER BY t.id DESC LIMIT ").push_bind(f.limit);
        qb.build_query_as::<(i64,)>().fetch_all(c).await
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(t) = get(db, id).await? {
            out.push(t.task);
        }
    }
    Ok(out)
}

/// Revocations made in `[from, to)`, per bureau department (monthly statistics).
pub async fn revocations(db: &Db, from: i64, to: i64) -> DbResult<Vec<(i64, i64)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT department_id, COUNT(*) FROM verification_tasks WHERE revoked_at >= $1 AND revoked_at < $2 \
         GROUP BY department_id"
    )
    .bind(from)
    .bind(to)
    .fetch_all(c)
    .await
    })?)
}
