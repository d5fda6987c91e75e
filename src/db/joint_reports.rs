//! Minutes of joint work and the joint report every participant signs (arts. 9, 11:
//! 联合出具现场勘验评审报告 … 在核查勘验结果书面材料上签字确认).

use crate::api::*;
use crate::db::joint_events::{JointEventRecord, emit, in_tx};
use crate::db::{DbError, DbResult};
use crate::domain::Principal;

use super::Db;

/// Record minutes and decisions; they are pushed to every participant as an event.
pub async fn minutes(
    db: &Db,
    actor: &Principal,
    rec: &JointEventRecord,
    body: &str,
    decisions: &[String],
    now: i64,
) -> DbResult<JointEvent> {
    let (actor, rec, body) = (actor.clone(), rec.clone(), body.to_string());
    let decisions = serde_json::to_string(decisions)?;
    Ok(write_tx!(db, |tx, fx| {
        sqlx::query(
            "INSERT INTO joint_event_minutes (event_id, body, decisions, at, by_name) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(rec.id)
        .bind(&body)
        .bind(&decisions)
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let event = in_tx!(tx, db, rec.id);
        emit(&mut fx, event_types::JOINT_EVENT_MINUTES, rec.organiser, &rec.participants, &event, now);
        fx.audit(now, &actor.name, "joint_event.minutes", "joint_event", Some(rec.id), serde_json::json!({}));
        event
    }))
}

/// Record the joint report (once per event).
pub async fn record(
    db: &Db,
    actor: &Principal,
    rec: &JointEventRecord,
    body: &str,
    now: i64,
) -> DbResult<JointEvent> {
    let (actor, rec, body) = (actor.clone(), rec.clone(), body.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let inserted = sqlx::query(
            "INSERT INTO joint_reports (event_id, body, recorded_at, recorded_by) VALUES ($1, $2, $3, $4)",
        )
        .bind(rec.id)
        .bind(&body)
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(DbError::conflict(
                    "report_exists",
                    "该联合工作的报告已录入 / the joint report is already recorded",
                ));
            }
            other => other?,
        };
        let event = in_tx!(tx, db, rec.id);
        emit(&mut fx, event_types::JOINT_EVENT_REPORTED, rec.organiser, &rec.participants, &event, now);
        fx.audit(now, &actor.name, "joint_event.report", "joint_event", Some(rec.id), serde_json::json!({}));
        event
    }))
}

/// The participant `dept` signs the report, once; the last signature makes it final.
pub async fn sign(
    db: &Db,
    actor: &Principal,
    rec: &JointEventRecord,
    dept: i64,
    agree: bool,
    comment: Option<String>,
    now: i64,
) -> DbResult<JointEvent> {
    let (actor, rec) = (actor.clone(), rec.clone());
    Ok(write_tx!(db, |tx, fx| {
        // A no-op update locks the report's row (PostgreSQL): signatures of one report are
        // taken one at a time, so the last one sees all the others when it checks for final.
        let report: Option<(i64,)> = sqlx::query_as(
            "UPDATE joint_reports SET event_id = event_id WHERE event_id = $1 RETURNING event_id",
        )
        .bind(rec.id)
        .fetch_optional(&mut *tx)
        .await?;
        if report.is_none() {
            return Err(DbError::conflict(
                "no_report",
                "报告尚未录入，无从签字 / the joint report is not recorded yet",
            ));
        }
        let inserted = sqlx::query(
            "INSERT INTO joint_report_signatures (event_id, department_id, agree, comment, signer, signed_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rec.id)
        .bind(dept)
        .bind(agree)
        .bind(&comment)
        .bind(&actor.name)
        .bind(now)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(DbError::conflict(
                    "already_signed",
                    "本部门已在报告上签字 / your department has already signed the report",
                ));
            }
            other => other?,
        };
        // Final when no participant is left without a signature.
        sqlx::query(
            "UPDATE joint_reports SET final_at = $1 WHERE event_id = $2 AND final_at IS NULL AND NOT EXISTS (\
               SELECT 1 FROM joint_event_participants p WHERE p.event_id = $2 AND NOT EXISTS (\
                 SELECT 1 FROM joint_report_signatures s WHERE s.event_id = p.event_id AND s.department_id = p.department_id))",
        )
        .bind(now)
        .bind(rec.id)
        .execute(&mut *tx)
        .await?;
        let event = in_tx!(tx, db, rec.id);
        emit(&mut fx, event_types::REPORT_SIGNED, rec.organiser, &rec.participants, &event, now);
        fx.audit(now, &actor.name, "report.sign", "joint_event", Some(rec.id),
            serde_json::json!({"department_id": dept, "agree": agree}));
        event
    }))
}
