//! Changes to joint work: scheduling, acknowledgements, reschedules, cancellations, minutes,
//! the joint report and its signatures (arts. 9–11). Each is one write transaction whose
//! state check is the conditional statement itself, so a race changes a row exactly once.

use crate::api::*;
use crate::db::duties::{cancel_duties, close_duty, open_duty};
use crate::db::joint_events::{JointEventRecord, emit, in_tx, ref_columns};
use crate::db::{DbError, DbResult};
use crate::domain::Principal;

use super::Db;

/// Why an update of a scheduled, not yet begun event changed nothing: it was cancelled, or
/// it has begun (read inside the same transaction).
macro_rules! not_changeable {
    ($tx:ident, $id:expr) => {{
        let (status,): (String,) = sqlx::query_as("SELECT status FROM joint_events WHERE id = $1")
            .bind($id)
            .fetch_one(&mut *$tx)
            .await?;
        if status != "scheduled" {
            cancelled()
        } else {
            DbError::conflict(
                "event_started",
                "联合工作已开始，不能再改期或取消 / the joint event has begun: it can no longer be rescheduled or cancelled",
            )
        }
    }};
}

fn cancelled() -> DbError {
    DbError::conflict(
        "event_cancelled",
        "该联合工作已取消 / the joint event is cancelled",
    )
}

/// The item name and `important` flag of an approval push, if it exists.
pub async fn push_brief(db: &Db, id: i64) -> DbResult<Option<(PushKind, String, bool)>> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT kind, title, important FROM pushes WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// The subject of a dispute and whether its delivery was escalated (督办), if it exists.
pub async fn dispute_brief(db: &Db, id: i64) -> DbResult<Option<(String, bool)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT s.subject, d.escalated FROM disputes s JOIN deliveries d ON d.id = s.delivery_id WHERE s.id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?)
}

/// A new event as the handler resolved it (departments as ids, agenda with titles).
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub kind: JointEventKind,
    pub title: String,
    pub starts_at: i64,
    pub place: String,
    pub organiser: i64,
    pub subject: Option<JointRef>,
    pub participants: Vec<i64>,
    pub agenda: Vec<AgendaItem>,
    pub emergency: Option<String>,
}

pub async fn create(db: &Db, actor: &Principal, e: NewEvent, now: i64) -> DbResult<JointEvent> {
    let actor = actor.clone();
    Ok(write_tx!(db, |tx, fx| {
        let (sk, sr) = match &e.subject {
            Some(s) => {
                let (k, r) = ref_columns(s);
                (Some(k), Some(r))
            }
            None => (None, None),
        };
        let emergency_by = e.emergency.as_ref().map(|_| actor.name.clone());
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO joint_events (kind, title, starts_at, place, organiser_department_id, subject_kind, subject_ref, \
             status, notified_at, emergency_reason, emergency_by, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled', $8, $9, $10, $8, $11) RETURNING id",
        )
        .bind(e.kind.as_str())
        .bind(&e.title)
        .bind(e.starts_at)
        .bind(&e.place)
        .bind(e.organiser)
        .bind(sk)
        .bind(sr)
        .bind(now)
        .bind(&e.emergency)
        .bind(&emergency_by)
        .bind(&actor.name)
        .fetch_one(&mut *tx)
        .await?;
        for d in &e.participants {
            sqlx::query(
                "INSERT INTO joint_event_participants (event_id, department_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*d)
            .execute(&mut *tx)
            .await?;
        }
        for (seq, a) in e.agenda.iter().enumerate() {
            let (k, r) = ref_columns(&a.item);
            sqlx::query("INSERT INTO joint_event_agenda (event_id, seq, item_kind, item_ref, title) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(seq as i64)
                .bind(k)
                .bind(r)
                .bind(&a.title)
                .execute(&mut *tx)
                .await?;
        }
        // Each participant owes an acknowledgement of this notice by the event's start
        // (a fixed deadline: it lapses then, with a ledger record).
        for d in &e.participants {
            open_duty!(
                tx,
                fx,
                db,
                crate::db::duties::NewDuty {
                    kind: DutyKind::NoticeAck,
                    department_id: *d,
                    counterpart_department_id: Some(e.organiser),
                    person: None,
                    subject_id: id,
                    title: e.title.clone(),
                    origin_at: now,
                    working_days: None,
                    due_at: e.starts_at,
                    provisional: false,
                },
                now,
                &actor.name
            );
        }
        if e.kind != JointEventKind::Meeting {
            // The commitment of the event's first expert draw, fixed now, before any
            // candidate list exists (docs/DRAWS.md).
            let _ = crate::db::draws::draw_commitment!(
                tx,
                id,
                1u32,
                crate::db::draws::fresh_secret(),
                now
            );
        }
        let event = in_tx!(tx, db, id);
        emit(
            &mut fx,
            event_types::JOINT_EVENT_SCHEDULED,
            e.organiser,
            &e.participants,
            &event,
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "joint_event.schedule",
            "joint_event",
            Some(id),
            serde_json::json!({"kind": e.kind.as_str(), "starts_at": e.starts_at, "participants": e.participants, "emergency": e.emergency}),
        );
        event
    }))
}

/// The participant `dept` acknowledges the notice in force.
pub async fn acknowledge(
    db: &Db,
    actor: &Principal,
    rec: &JointEventRecord,
    dept: i64,
    now: i64,
) -> DbResult<JointEvent> {
    let (actor, rec) = (actor.clone(), rec.clone());
    Ok(write_tx!(db, |tx, fx| {
        let (status, starts_at): (String, i64) =
            sqlx::query_as("SELECT status, starts_at FROM joint_events WHERE id = $1")
                .bind(rec.id)
                .fetch_one(&mut *tx)
                .await?;
        if status != "scheduled" {
            return Err(cancelled());
        }
        if now >= starts_at {
            return Err(DbError::conflict(
                "event_started",
                "联合工作已开始，通知不能再签收 / the joint event has begun: its notice can no longer be acknowledged",
            ));
        }
        let changed = sqlx::query(
            "UPDATE joint_event_participants SET acknowledged_at = $1, acknowledged_by = $2 \
             WHERE event_id = $3 AND department_id = $4 AND acknowledged_at IS NULL",
        )
        .bind(now)
        .bind(&actor.name)
        .bind(rec.id)
        .bind(dept)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(DbError::conflict(
                "already_acknowledged",
                "本部门已签收该通知 / your department has already acknowledged this notice",
            ));
        }
        close_duty!(
            tx,
            fx,
            db,
            DutyKind::NoticeAck,
            rec.id,
            dept,
            now,
            &actor.name
        );
        let event = in_tx!(tx, db, rec.id);
        emit(
            &mut fx,
            event_types::JOINT_EVENT_ACKNOWLEDGED,
            rec.organiser,
            &rec.participants,
            &event,
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "joint_event.acknowledge",
            "joint_event",
            Some(rec.id),
            serde_json::json!({"department_id": dept}),
        );
        event
    }))
}

/// Move the event to `starts_at` with a fresh notice given `now`: every acknowledgement of
/// the old notice is cleared.
pub async fn reschedule(
    db: &Db,
    actor: &Principal,
    rec: &JointEventRecord,
    starts_at: i64,
    reason: &str,
    emergency: Option<String>,
    now: i64,
) -> DbResult<JointEvent> {
    let (actor, rec, reason) = (actor.clone(), rec.clone(), reason.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let emergency_by = emergency.as_ref().map(|_| actor.name.clone());
        let previous: Option<(i64,)> = sqlx::query_as(
            "UPDATE joint_events SET starts_at = $1, notified_at = $2, emergency_reason = $3, emergency_by = $4 \
             WHERE id = $5 AND status = 'scheduled' AND starts_at > $2 \
             RETURNING id",
        )
        .bind(starts_at)
        .bind(now)
        .bind(&emergency)
        .bind(&emergency_by)
        .bind(rec.id)
        .fetch_optional(&mut *tx)
        .await?;
        if previous.is_none() {
            return Err(not_changeable!(tx, rec.id));
        }
        sqlx::query("UPDATE joint_event_participants SET acknowledged_at = NULL, acknowledged_by = NULL WHERE event_id = $1")
            .bind(rec.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO joint_event_changes (event_id, what, reason, previous_starts_at, new_starts_at, emergency_reason, at, by_name) \
             VALUES ($1, 'rescheduled', $2, $3, $4, $5, $6, $7)",
        )
        .bind(rec.id)
        .bind(&reason)
        .bind(rec.starts_at)
        .bind(starts_at)
        .bind(&emergency)
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        // The old notice's acknowledgements are withdrawn (done ones stay done) and the fresh
        // notice is owed anew, due at the new start.
        cancel_duties!(tx, fx, db, DutyKind::NoticeAck, rec.id, now, &actor.name);
        // Each participant owes an acknowledgement of this notice by the event's start
        // (a fixed deadline: it lapses then, with a ledger record).
        for d in &rec.participants {
            open_duty!(
                tx,
                fx,
                db,
                crate::db::duties::NewDuty {
                    kind: DutyKind::NoticeAck,
                    department_id: *d,
                    counterpart_department_id: Some(rec.organiser),
                    person: None,
                    subject_id: rec.id,
                    title: rec.title.clone(),
                    origin_at: now,
                    working_days: None,
                    due_at: starts_at,
                    provisional: false,
                },
                now,
                &actor.name
            );
        }
        let event = in_tx!(tx, db, rec.id);
        emit(
            &mut fx,
            event_types::JOINT_EVENT_RESCHEDULED,
            rec.organiser,
            &rec.participants,
            &event,
            now,
        );
        fx.audit(now, &actor.name, "joint_event.reschedule", "joint_event", Some(rec.id),
            serde_json::json!({"from": rec.starts_at, "to": starts_at, "reason": reason, "emergency": emergency}));
        event
    }))
}

pub async fn cancel(
    db: &Db,
    actor: &Principal,
    rec: &JointEventRecord,
    reason: &str,
    now: i64,
) -> DbResult<JointEvent> {
    let (actor, rec, reason) = (actor.clone(), rec.clone(), reason.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let changed = sqlx::query(
            "UPDATE joint_events SET status = 'cancelled' WHERE id = $1 AND status = 'scheduled' AND starts_at > $2",
        )
        .bind(rec.id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(not_changeable!(tx, rec.id));
        }
        sqlx::query(
            "INSERT INTO joint_event_changes (event_id, what, reason, at, by_name) VALUES ($1, 'cancelled', $2, $3, $4)",
        )
        .bind(rec.id)
        .bind(&reason)
        .bind(now)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        cancel_duties!(tx, fx, db, DutyKind::NoticeAck, rec.id, now, &actor.name);
        let event = in_tx!(tx, db, rec.id);
        emit(
            &mut fx,
            event_types::JOINT_EVENT_CANCELLED,
            rec.organiser,
            &rec.participants,
            &event,
            now,
        );
        fx.audit(
            now,
            &actor.name,
            "joint_event.cancel",
            "joint_event",
            Some(rec.id),
            serde_json::json!({"reason": reason}),
        );
        event
    }))
}
