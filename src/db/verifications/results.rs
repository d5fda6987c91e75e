//! Results of a verification and the revocation of an approval (art. 8 paras 3–4).

use crate::api::*;
use crate::db::duties::{close_duty, open_duty};
use crate::db::{DbError, DbResult};

use super::{Db, LoadedTask, RevocationPlan, bureau, corrupt};

/// Revoke the approval of a task for a false commitment (art. 8 para 4), inside the current
/// transaction: the task becomes `revoked` (409 if it already is), its outstanding duties are
/// cancelled, and the revocation decision is pushed — an approval push of the bureau with
/// [`RevocationDecision`] content — to every department that supervises the licence (the
/// original push's recipients), each a delivery to claim like any other.
/// `revoke_for_false_commitment!(tx, fx, db, task_id, reason, findings, breach_push_id, &plan, actor)`
/// → the revocation `Push`.
///
/// This is the one place an approval is revoked: the licence in the register becomes
/// `revoked` and the holder's record notes 虚假承诺 (`db::licenses::revoke_license!`), in the
/// same transaction.
macro_rules! revoke_for_false_commitment {
    ($tx:ident, $fx:ident, $db:ident, $task:expr, $reason:expr, $findings:expr, $breach:expr, $plan:expr, $actor:expr) => {{
        let task_id: i64 = $task;
        let reason: $crate::api::RevocationReason = $reason;
        let findings: Option<String> = $findings;
        let breach: Option<i64> = $breach;
        let plan: &$crate::db::verifications::RevocationPlan = $plan;
        let actor: &str = $actor;
        let revoked: Option<(i64, i64, String)> = sqlx::query_as(
            "UPDATE verification_tasks SET state = 'revoked', revocation_reason = $2, breach_push_id = $3, revoked_at = $4 \
             WHERE id = $1 AND state <> 'revoked' RETURNING push_id, department_id, license_no",
        )
        .bind(task_id)
        .bind(reason.as_str())
        .bind(breach)
        .bind(plan.now)
        .fetch_optional(&mut *$tx)
        .await?;
        let Some((approval_push_id, bureau, license_no)) = revoked else {
            return Err($crate::db::verifications::already_revoked());
        };
        for kind in [$crate::api::DutyKind::Verification, $crate::api::DutyKind::Reverification] {
            $crate::db::duties::cancel_duties!($tx, $fx, $db, kind, task_id, plan.now, actor);
        }
        let (title, counterparty): (String, Option<String>) =
            sqlx::query_as("SELECT title, counterparty_name FROM pushes WHERE id = $1")
                .bind(approval_push_id)
                .fetch_one(&mut *$tx)
                .await?;
        let recipients: Vec<(i64,)> =
            sqlx::query_as("SELECT department_id FROM deliveries WHERE push_id = $1 ORDER BY department_id")
                .bind(approval_push_id)
                .fetch_all(&mut *$tx)
                .await?;
        let revoked_no = license_no.clone();
        let insert = $crate::db::pushes::PushInsert {
            kind: $crate::api::PushKind::Approval,
            source_department_id: bureau,
            content: $crate::api::PushContent::Revocation($crate::api::RevocationDecision {
                revoked_license_no: license_no.clone(),
                item_name: title.clone(),
                counterparty_name: counterparty.clone().unwrap_or_default(),
                verification_id: task_id,
                approval_push_id,
                revocation_reason: reason,
                findings,
            }),
            title: format!("撤销审批决定：{title}"),
            counterparty_name: counterparty,
            license_no: Some(license_no),
            important: true,
            recipients: recipients.into_iter().map(|(d,)| d).collect(),
            received_at: plan.now,
            claim_deadline: plan.claim_deadline,
            feedback_deadline: plan.claim_deadline,
            provisional: plan.provisional,
            commitment: None,
            breach: None,
            // The bureau's own decision, not an upload of a licence.
            late_upload: None,
        };
        let push = $crate::db::pushes::insert_push!($tx, $fx, $db, &insert, actor, None, None)
            .ok_or($crate::db::DbError::Bug("an unconditional push insert stored nothing"))?;
        sqlx::query("UPDATE verification_tasks SET revocation_push_id = $1 WHERE id = $2")
            .bind(push.id)
            .bind(task_id)
            .execute(&mut *$tx)
            .await?;
        $crate::db::licenses::revoke_license!($tx, $fx, $db, &revoked_no, push.id, plan.now, actor, task_id);
        if let Some(loaded) = $crate::db::verifications::load_task!(&mut *$tx, $db, task_id) {
            $fx.event(
                $crate::api::event_types::VERIFICATION_REVOKED,
                $crate::domain::Audience::Between { recipient: bureau, sender: bureau },
                &loaded.task,
                plan.now,
            );
        }
        $fx.audit(
            plan.now,
            actor,
            "verification.revoke",
            "verification",
            Some(task_id),
            serde_json::json!({"reason": reason, "push_id": push.id, "breach_push_id": breach}),
        );
        push
    }};
}
pub(crate) use revoke_for_false_commitment;

pub fn already_revoked() -> DbError {
    DbError::conflict(
        "verification_revoked",
        "该审批决定已撤销 / the approval of this verification task is already revoked",
    )
}

/// A result as the handler checked it.
#[derive(Debug, Clone)]
pub struct ResultInput {
    pub outcome: VerificationOutcome,
    pub findings: Option<String>,
    pub departments: Vec<i64>,
    /// The round the caller records (None: whichever is current).
    pub round: Option<i32>,
    /// The re-verification deadline if this result fails a first verification:
    /// (working days, due, provisional), counted from now.
    pub rectification: (u32, i64, bool),
    /// The revocation push's timing if this result fails a re-verification.
    pub revocation: RevocationPlan,
}

/// Record the bureau's result on a task. Pass → `passed`; a first failure → `rectifying`
/// with a `reverification` duty; a second failure → revocation. A passed or revoked task
/// is a 409 (nothing written), as is a result racing another.
pub async fn record_result(
    db: &Db,
    by: &str,
    task_id: i64,
    r: ResultInput,
    now: i64,
) -> DbResult<VerificationTask> {
    let by = by.to_string();
    Ok(write_tx!(db, |tx, fx| {
        let found: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT state, department_id, license_no FROM verification_tasks WHERE id = $1",
        )
        .bind(task_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((state, dept, license_no)) = found else {
            return Err(DbError::NotFound {
                zh: "核验任务",
                en: "verification task",
            });
        };
        let state = VerificationState::parse(&state)
            .ok_or_else(|| corrupt("verification state", &state))?;
        let (round, kind) = match state {
            VerificationState::Open => (1, DutyKind::Verification),
            VerificationState::Rectifying => (2, DutyKind::Reverification),
            VerificationState::Passed => {
                return Err(DbError::conflict(
                    "verification_passed",
                    "该核验任务已通过核验，不能再记录结果 / this task has already passed verification: no further result can be recorded",
                ));
            }
            VerificationState::Revoked => return Err(already_revoked()),
        };
        if let Some(want) = r.round.filter(|w| *w != round) {
            return Err(DbError::conflict(
                "verification_changed",
                format!(
                    "该核验任务当前为第 {round} 轮，不是第 {want} 轮（可能刚被他人处理） / this task is in round {round}, not {want} (someone may just have recorded a result)"
                ),
            ));
        }
        let pass = r.outcome == VerificationOutcome::Pass;
        let next = match (pass, round) {
            (true, _) => VerificationState::Passed,
            (false, 1) => VerificationState::Rectifying,
            (false, _) => VerificationState::Revoked,
        };
        // The state check is the statement itself: of two results at once, one changes it.
        if next != VerificationState::Revoked {
            let moved = sqlx::query(
                "UPDATE verification_tasks SET state = $1 WHERE id = $2 AND state = $3",
            )
            .bind(next.as_str())
            .bind(task_id)
            .bind(state.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                return Err(DbError::conflict(
                    "verification_changed",
                    "该核验任务刚被他人处理 / this task was just changed by someone else",
                ));
            }
        }
        let inserted = sqlx::query(
            "INSERT INTO verification_results (task_id, round, outcome, findings, departments, recorded_at, recorded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(task_id)
        .bind(round)
        .bind(r.outcome.as_str())
        .bind(&r.findings)
        .bind(serde_json::to_string(&r.departments)?)
        .bind(now)
        .bind(&by)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(e) if crate::db::unique_violation(&e) => {
                return Err(DbError::conflict(
                    "verification_changed",
                    "该核验任务刚被他人处理 / this task was just changed by someone else",
                ));
            }
            other => other?,
        };
        close_duty!(tx, fx, db, kind, task_id, dept, now, &by);
        // The licence's life shows each result (a revocation adds its own line below).
        crate::db::licenses::license_note!(
            tx,
            fx,
            &license_no,
            if pass {
                "verification_passed"
            } else {
                "verification_failed"
            },
            None,
            now,
            &by,
            serde_json::json!({"verification_id": task_id, "round": round, "findings": r.findings})
        );
        if next == VerificationState::Rectifying {
            let (n, due, provisional) = r.rectification;
            open_duty!(
                tx,
                fx,
                db,
                crate::db::duties::NewDuty {
                    kind: DutyKind::Reverification,
                    department_id: dept,
                    counterpart_department_id: None,
                    person: None,
                    subject_id: task_id,
                    title: format!("整改后复核 {license_no}"),
                    origin_at: now,
                    working_days: Some(n),
                    due_at: due,
                    provisional,
                },
                now,
                &by
            );
        }
        if next == VerificationState::Revoked {
            revoke_for_false_commitment!(
                tx,
                fx,
                db,
                task_id,
                RevocationReason::ReverificationFailed,
                r.findings.clone(),
                None,
                &r.revocation,
                &by
            );
        }
        let Some(LoadedTask { task, .. }) = load_task!(&mut *tx, db, task_id) else {
            return Err(DbError::Bug(
                "a verification task vanished in its transaction",
            ));
        };
        let kind = match next {
            VerificationState::Passed => Some(event_types::VERIFICATION_PASSED),
            VerificationState::Rectifying => Some(event_types::VERIFICATION_FAILED),
            // The revocation emitted its own event.
            _ => None,
        };
        if let Some(k) = kind {
            fx.event(k, bureau(dept), &task, now);
        }
        fx.audit(
            now,
            &by,
            "verification.result",
            "verification",
            Some(task_id),
            serde_json::json!({"round": round, "outcome": r.outcome, "departments": r.departments}),
        );
        task
    }))
}
