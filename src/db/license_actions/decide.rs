//! The bureau's decision on a licence-action letter.

use crate::api::*;
use crate::db::duties::close_duty;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, from_millis, to_cst};

use super::{Db, Decision, ended, license_ended};

fn already_decided() -> DbError {
    DbError::conflict(
        "license_action_decided",
        "该函告已作出决定 / this licence-action letter has already been decided",
    )
}

/// Decide a letter: the state check is the statement itself (`WHERE state = 'pending'`), so of
/// two decisions at once one wins and the other is a 409 with nothing written. Accepting
/// changes the licence (history line, `license.changed` to every supervising department);
/// either way the duty is closed (late: `done_late`, through the core) and the decision is
/// pushed to the requester and, for withdraw / revoke / cancel, to every department that
/// supervises the licence.
pub async fn decide(
    db: &Db,
    id: i64,
    d: Decision,
    actor: &str,
    now: i64,
) -> DbResult<LicenseAction> {
    let actor = actor.to_string();
    Ok(write_tx!(db, |tx, fx| {
        let accept = d.outcome == LicenseActionOutcome::Accept;
        let state = if accept { "accepted" } else { "rejected" };
        let moved: Option<(i64, String, i64, i64)> = sqlx::query_as(
            "UPDATE license_actions SET state = $2, decided_at = $3, decided_by = $4, decision_no = $5, \
             decision_date = $6, effective_date = $7, reasons = $8 \
             WHERE id = $1 AND state = 'pending' RETURNING license_id, action, requester_department_id, bureau_department_id",
        )
        .bind(id)
        .bind(state)
        .bind(now)
        .bind(&actor)
        .bind(&d.decision_no)
        .bind(d.decision_date.map(|x| x.to_string()))
        .bind(d.effective_date.map(|x| x.to_string()))
        .bind(&d.reasons)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((license_id, action, requester, bureau)) = moved else {
            return Err(already_decided());
        };
        let action = LicenseActionKind::parse(&action)
            .ok_or_else(|| DbError::Bug("a stored licence action does not parse"))?;
        let mut row: crate::db::licenses::LicenseRow =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM licenses l WHERE l.id = $1",
                crate::db::licenses::LICENSE_COLUMNS
            )))
            .bind(license_id)
            .fetch_one(&mut *tx)
            .await?;
        let departments: Vec<i64> = sqlx::query_scalar(
            "SELECT department_id FROM license_departments WHERE license_id = $1 ORDER BY department_id",
        )
        .bind(license_id)
        .fetch_all(&mut *tx)
        .await?;
        let today = to_cst(from_millis(now)).date_naive();
        if accept {
            // The licence may have ended since the letter was filed (another letter, a
            // revocation for a false commitment, its term).
            if let Some(s) = ended(&row.state, &row.valid_until, today) {
                return Err(license_ended(&row.license_no, &s));
            }
            let next = action.resulting_state();
            sqlx::query("UPDATE licenses SET state = $1, updated_at = $2 WHERE id = $3")
                .bind(next.as_str())
                .bind(now)
                .bind(license_id)
                .execute(&mut *tx)
                .await?;
            row.state = next.as_str().to_string();
            row.updated_at = now;
        }
        close_duty!(
            tx,
            fx,
            db,
            DutyKind::LicenseActionDecision,
            id,
            bureau,
            now,
            &actor
        );
        let mut recipients = vec![requester];
        if accept && action.ends_license() {
            recipients.extend(departments.iter().copied());
        }
        recipients.sort_unstable();
        recipients.dedup();
        let outcome_zh = if accept { "同意" } else { "不同意" };
        let insert = crate::db::pushes::PushInsert {
            kind: PushKind::Approval,
            source_department_id: bureau,
            content: PushContent::LicenseAction(LicenseActionNotice {
                license_action_id: id,
                action_license_no: row.license_no.clone(),
                action,
                outcome: d.outcome,
                item_name: row.item_name.clone(),
                holder_name: row.holder_name.clone(),
                decision_no: d.decision_no.clone(),
                decision_date: d.decision_date,
                effective_date: d.effective_date,
                reasons: d.reasons.clone(),
            }),
            title: format!(
                "函告决定（{outcome_zh}{}）：{} {}",
                action.zh(),
                row.item_name,
                row.license_no
            ),
            counterparty_name: Some(row.holder_name.clone()),
            license_no: Some(row.license_no.clone()),
            important: accept && action.ends_license(),
            recipients,
            received_at: now,
            claim_deadline: d.claim_deadline,
            feedback_deadline: d.claim_deadline,
            provisional: d.provisional,
            late_upload: None,
            commitment: None,
            breach: None,
        };
        let push = crate::db::pushes::insert_push!(tx, fx, db, &insert, &actor, None, None).ok_or(
            crate::db::DbError::Bug("an unconditional push insert stored nothing"),
        )?;
        sqlx::query("UPDATE license_actions SET decision_push_id = $1 WHERE id = $2")
            .bind(push.id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if accept {
            let detail = serde_json::json!({
                "license_action_id": id,
                "action": action,
                "decision_no": d.decision_no,
                "decision_date": d.decision_date,
                "effective_date": d.effective_date,
                "requested_by": db.dept_code(requester),
            });
            sqlx::query(
                "INSERT INTO license_history (license_id, event, state, push_id, at, actor, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(license_id)
            .bind(action.resulting_state().as_str())
            .bind(&row.state)
            .bind(push.id)
            .bind(now)
            .bind(&actor)
            .bind(detail.to_string())
            .execute(&mut *tx)
            .await?;
            let license = row.to_api(db, &departments, today)?;
            for dept in &departments {
                fx.event(
                    event_types::LICENSE_CHANGED,
                    Audience::Between {
                        recipient: *dept,
                        sender: bureau,
                    },
                    &license,
                    now,
                );
            }
        }
        let Some(loaded) = load_action!(&mut *tx, db, id) else {
            return Err(DbError::Bug("a licence action vanished in its transaction"));
        };
        fx.event(
            event_types::LICENSE_ACTION_DECIDED,
            Audience::Between {
                recipient: requester,
                sender: bureau,
            },
            &loaded.action,
            now,
        );
        fx.audit(
            now,
            &actor,
            "license_action.decide",
            "license_action",
            Some(id),
            serde_json::json!({"outcome": d.outcome, "push_id": push.id, "decision_no": d.decision_no}),
        );
        loaded.action
    }))
}
