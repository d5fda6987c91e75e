//! Joint work (arts. 9–11): the events, their participants and acknowledgements, agendas,
//! reschedules and cancellations. Minutes and the signed report are in `joint_reports`.
//!
//! Every change is emitted as a `joint_event.*` event carrying the whole [`JointEvent`]
//! without people's names (each department receives one copy; the console upserts it).

use sqlx::QueryBuilder;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, from_millis, to_cst};

use super::Db;

/// What other modules (the expert draws, the duty core) need of an event. Stable names:
/// the draws branch builds on `get`, `kind`, `starts_at` and `participants`.
#[derive(Debug, Clone, PartialEq)]
pub struct JointEventRecord {
    pub id: i64,
    pub kind: JointEventKind,
    pub title: String,
    /// Milliseconds since the epoch.
    pub starts_at: i64,
    pub place: String,
    /// The organising bureau department.
    pub organiser: i64,
    pub status: JointEventStatus,
    pub notified_at: i64,
    /// The participating departments' ids, in id order.
    pub participants: Vec<i64>,
}

impl JointEventRecord {
    /// The audience of the event as `viewer` takes part in it: a participant sees it as the
    /// recipient of the bureau's notice; the organiser as its sender; anyone else as an
    /// outsider (hidden unless their role sees all). Projects the many departments of an
    /// event onto the two-sided `Audience` the policy speaks.
    pub fn audience_for(&self, viewer: Option<i64>) -> Audience {
        let recipient = viewer
            .filter(|v| self.participants.contains(v))
            .or_else(|| self.participants.first().copied())
            .unwrap_or(self.organiser);
        Audience::Between {
            recipient,
            sender: self.organiser,
        }
    }

    pub fn involves(&self, dept: i64) -> bool {
        self.organiser == dept || self.participants.contains(&dept)
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct EventRow {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub starts_at: i64,
    pub place: String,
    pub organiser_department_id: i64,
    pub subject_kind: Option<String>,
    pub subject_ref: Option<String>,
    pub status: String,
    pub notified_at: i64,
    pub emergency_reason: Option<String>,
    pub emergency_by: Option<String>,
    pub created_at: i64,
}

pub(crate) const EVENT_COLUMNS: &str = "id, kind, title, starts_at, place, organiser_department_id, subject_kind, \
     subject_ref, status, notified_at, emergency_reason, emergency_by, created_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ParticipantRow {
    pub event_id: i64,
    pub department_id: i64,
    pub acknowledged_at: Option<i64>,
    pub acknowledged_by: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AgendaRow {
    pub event_id: i64,
    pub item_kind: String,
    pub item_ref: String,
    pub title: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ChangeRow {
    pub event_id: i64,
    pub what: String,
    pub reason: String,
    pub previous_starts_at: Option<i64>,
    pub new_starts_at: Option<i64>,
    pub emergency_reason: Option<String>,
    pub at: i64,
    pub by_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct MinutesRow {
    pub event_id: i64,
    pub body: String,
    pub decisions: String,
    pub at: i64,
    pub by_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ReportRow {
    pub event_id: i64,
    pub body: String,
    pub recorded_at: i64,
    pub recorded_by: String,
    pub final_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct SignatureRow {
    pub event_id: i64,
    pub department_id: i64,
    pub agree: bool,
    pub comment: Option<String>,
    pub signer: String,
    pub signed_at: i64,
}

fn corrupt(what: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> DbError {
    DbError::Corrupt {
        what,
        source: Box::new(e),
    }
}

fn kind_of(s: &str) -> DbResult<JointEventKind> {
    JointEventKind::try_from(s.to_string()).map_err(|e| corrupt("joint event kind", e))
}

fn status_of(s: &str) -> DbResult<JointEventStatus> {
    JointEventStatus::try_from(s.to_string()).map_err(|e| corrupt("joint event status", e))
}

/// A stored reference (`push` + `"12"`) as the wire's `JointRef`.
pub(crate) fn ref_of(kind: &str, r: &str) -> DbResult<JointRef> {
    let id = || {
        r.parse::<i64>()
            .map_err(|e| corrupt("joint event reference", e))
    };
    Ok(match kind {
        "push" => JointRef::Push(id()?),
        "dispute" => JointRef::Dispute(id()?),
        "licence" => JointRef::Licence(r.to_string()),
        "topic" => JointRef::Topic(r.to_string()),
        _ => {
            return Err(corrupt(
                "joint event reference",
                UnknownName {
                    what: "reference kind",
                    value: kind.to_string(),
                },
            ));
        }
    })
}

/// The stored form of a reference: (kind, ref).
pub(crate) fn ref_columns(r: &JointRef) -> (&'static str, String) {
    match r {
        JointRef::Push(id) => ("push", id.to_string()),
        JointRef::Dispute(id) => ("dispute", id.to_string()),
        JointRef::Licence(no) => ("licence", no.clone()),
        JointRef::Topic(t) => ("topic", t.clone()),
    }
}

fn at(ms: i64) -> chrono::DateTime<chrono::FixedOffset> {
    to_cst(from_millis(ms))
}

/// The children of some events, as loaded by [`load_events!`].
#[derive(Default)]
pub(crate) struct Children {
    pub participants: Vec<ParticipantRow>,
    pub agenda: Vec<AgendaRow>,
    pub changes: Vec<ChangeRow>,
    pub minutes: Vec<MinutesRow>,
    pub reports: Vec<ReportRow>,
    pub signatures: Vec<SignatureRow>,
    /// (event id, drawn JSON) of each event's latest draw (`db::draws`).
    pub drawn: Vec<(i64, String)>,
}

/// Load whole events (`Vec<JointEvent>`, in the order of `$rows`) with `$ex` — a pool in a
/// read, `&mut *tx` inside a write (so an event emitted in a transaction shows its own
/// changes).
macro_rules! load_events {
    ($ex:expr, $db:expr, $rows:expr) => {{
        let rows: Vec<$crate::db::joint_events::EventRow> = $rows;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut ch = $crate::db::joint_events::Children::default();
        if !ids.is_empty() {
            macro_rules! child {
                ($sql:expr, $order:expr) => {{
                    let mut qb = sqlx::QueryBuilder::new($sql);
                    let mut sep = qb.separated(", ");
                    for id in &ids {
                        sep.push_bind(*id);
                    }
                    qb.push(") ORDER BY ").push($order);
                    qb.build_query_as().fetch_all($ex).await?
                }};
            }
            ch.participants = child!(
                "SELECT event_id, department_id, acknowledged_at, acknowledged_by FROM joint_event_participants WHERE event_id IN (",
                "event_id, department_id"
            );
            ch.agenda = child!(
                "SELECT event_id, item_kind, item_ref, title FROM joint_event_agenda WHERE event_id IN (",
                "event_id, seq"
            );
            ch.changes = child!(
                "SELECT event_id, what, reason, previous_starts_at, new_starts_at, emergency_reason, at, by_name FROM joint_event_changes WHERE event_id IN (",
                "event_id, id"
            );
            ch.minutes = child!(
                "SELECT event_id, body, decisions, at, by_name FROM joint_event_minutes WHERE event_id IN (",
                "event_id, id"
            );
            ch.reports = child!(
                "SELECT event_id, body, recorded_at, recorded_by, final_at FROM joint_reports WHERE event_id IN (",
                "event_id"
            );
            ch.signatures = child!(
                "SELECT event_id, department_id, agree, comment, signer, signed_at FROM joint_report_signatures WHERE event_id IN (",
                "event_id, signed_at, department_id"
            );
            ch.drawn = child!(
                "SELECT d.event_id, d.drawn FROM draws d WHERE d.sequence = \
                 (SELECT MAX(x.sequence) FROM draws x WHERE x.event_id = d.event_id) AND d.event_id IN (",
                "d.event_id"
            );
        }
        $crate::db::joint_events::assemble($db, rows, ch)?
    }};
}
pub(crate) use load_events;

/// One event inside the current write transaction.
macro_rules! in_tx {
    ($tx:ident, $db:expr, $id:expr) => {{
        let sql = format!(
            "SELECT {} FROM joint_events WHERE id = $1",
            $crate::db::joint_events::EVENT_COLUMNS
        );
        let rows: Vec<$crate::db::joint_events::EventRow> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind($id)
                .fetch_all(&mut *$tx)
                .await?;
        let mut v = $crate::db::joint_events::load_events!(&mut *$tx, $db, rows);
        v.pop().ok_or($crate::db::DbError::Bug(
            "a joint event vanished inside its transaction",
        ))?
    }};
}
pub(crate) use in_tx;

/// Build the wire events from their rows (names included; the server redacts per viewer).
pub(crate) fn assemble(db: &Db, rows: Vec<EventRow>, ch: Children) -> DbResult<Vec<JointEvent>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id = r.id;
        let participants: Vec<&ParticipantRow> = ch
            .participants
            .iter()
            .filter(|p| p.event_id == id)
            .collect();
        let report = match ch.reports.iter().find(|x| x.event_id == id) {
            None => None,
            Some(rep) => {
                let signatures: Vec<Signature> = ch
                    .signatures
                    .iter()
                    .filter(|s| s.event_id == id)
                    .map(|s| Signature {
                        department: db.dept_code(s.department_id),
                        agree: s.agree,
                        comment: s.comment.clone(),
                        signer: Some(s.signer.clone()),
                        signed_at: at(s.signed_at),
                    })
                    .collect();
                let unsigned: Vec<String> = participants
                    .iter()
                    .filter(|p| {
                        !ch.signatures
                            .iter()
                            .any(|s| s.event_id == id && s.department_id == p.department_id)
                    })
                    .map(|p| db.dept_code(p.department_id))
                    .collect();
                Some(JointReport {
                    event_id: id,
                    body: rep.body.clone(),
                    recorded_at: at(rep.recorded_at),
                    recorded_by: Some(rep.recorded_by.clone()),
                    is_final: rep.final_at.is_some(),
                    final_at: rep.final_at.map(at),
                    signatures,
                    unsigned,
                })
            }
        };
        let mut agenda = Vec::new();
        for a in ch.agenda.iter().filter(|a| a.event_id == id) {
            agenda.push(AgendaItem {
                item: ref_of(&a.item_kind, &a.item_ref)?,
                title: a.title.clone(),
            });
        }
        let mut history = Vec::new();
        for c in ch.changes.iter().filter(|c| c.event_id == id) {
            history.push(JointChange {
                change: match c.what.as_str() {
                    "rescheduled" => JointChangeKind::Rescheduled,
                    "cancelled" => JointChangeKind::Cancelled,
                    other => {
                        return Err(corrupt(
                            "joint event change",
                            UnknownName {
                                what: "change",
                                value: other.to_string(),
                            },
                        ));
                    }
                },
                reason: c.reason.clone(),
                previous_starts_at: c.previous_starts_at.map(at),
                new_starts_at: c.new_starts_at.map(at),
                emergency: c.emergency_reason.clone(),
                at: at(c.at),
                by: Some(c.by_name.clone()),
            });
        }
        let mut minutes = Vec::new();
        for m in ch.minutes.iter().filter(|m| m.event_id == id) {
            minutes.push(Minutes {
                body: m.body.clone(),
                decisions: serde_json::from_str(&m.decisions)?,
                at: at(m.at),
                by: Some(m.by_name.clone()),
            });
        }
        let subject = match (&r.subject_kind, &r.subject_ref) {
            (Some(k), Some(v)) => Some(ref_of(k, v)?),
            _ => None,
        };
        out.push(JointEvent {
            id,
            kind: kind_of(&r.kind)?,
            title: r.title,
            starts_at: at(r.starts_at),
            place: r.place,
            organiser: db.dept_code(r.organiser_department_id),
            subject,
            status: status_of(&r.status)?,
            notified_at: at(r.notified_at),
            emergency: r.emergency_reason.map(|reason| EmergencyOverride {
                reason,
                by: r.emergency_by,
            }),
            participants: participants
                .iter()
                .map(|p| JointParticipant {
                    department: db.dept_code(p.department_id),
                    acknowledged_at: p.acknowledged_at.map(at),
                    acknowledged_by: p.acknowledged_by.clone(),
                })
                .collect(),
            agenda,
            history,
            minutes,
            report,
            created_at: at(r.created_at),
            experts: match ch.drawn.iter().find(|(e, _)| *e == id) {
                Some((_, json)) => serde_json::from_str(json)?,
                None => Vec::new(),
            },
        });
    }
    Ok(out)
}

/// An event without people's names: what the event stream carries to every department.
pub fn without_people(mut e: JointEvent) -> JointEvent {
    if let Some(x) = e.emergency.as_mut() {
        x.by = None;
    }
    e.participants
        .iter_mut()
        .for_each(|p| p.acknowledged_by = None);
    e.history.iter_mut().for_each(|c| c.by = None);
    e.minutes.iter_mut().for_each(|m| m.by = None);
    if let Some(r) = e.report.as_mut() {
        r.recorded_by = None;
        r.signatures.iter_mut().for_each(|s| s.signer = None);
    }
    e
}

/// Emit `kind` once to each department concerned: the participants and the organiser.
pub(crate) fn emit(
    fx: &mut super::Effects,
    kind: &'static str,
    organiser: i64,
    participants: &[i64],
    event: &JointEvent,
    now: i64,
) {
    let data = without_people(event.clone());
    let mut depts: Vec<i64> = participants.to_vec();
    depts.push(organiser);
    depts.sort_unstable();
    depts.dedup();
    for d in depts {
        fx.event(
            kind,
            Audience::Between {
                recipient: d,
                sender: d,
            },
            &data,
            now,
        );
    }
}

/// The event's core record (kind, time, participants), or `None`.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<JointEventRecord>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM joint_events WHERE id = $1");
    let row: Option<EventRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(c)
        .await)?;
    let Some(r) = row else { return Ok(None) };
    let parts: Vec<(i64,)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT department_id FROM joint_event_participants WHERE event_id = $1 ORDER BY department_id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })?;
    Ok(Some(JointEventRecord {
        id: r.id,
        kind: kind_of(&r.kind)?,
        title: r.title,
        starts_at: r.starts_at,
        place: r.place,
        organiser: r.organiser_department_id,
        status: status_of(&r.status)?,
        notified_at: r.notified_at,
        participants: parts.into_iter().map(|(d,)| d).collect(),
    }))
}

/// The whole event (names included), or `None`.
pub async fn detail(db: &Db, id: i64) -> DbResult<Option<JointEvent>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM joint_events WHERE id = $1");
    let rows: Vec<EventRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_all(c)
        .await)?;
    let mut v = read!(db, |c| Ok::<_, DbError>(load_events!(c, db, rows)))?;
    Ok(v.pop())
}

/// Events starting in `[from, to)` that `dept` organises or takes part in (all when `None`),
/// soonest first, at most `limit`.
pub async fn list(
    db: &Db,
    dept: Option<i64>,
    from: i64,
    to: i64,
    limit: i64,
) -> DbResult<Vec<JointEvent>> {
    let rows: Vec<EventRow> = read!(db, |c| {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {EVENT_COLUMNS} FROM joint_events WHERE starts_at >= "
        ));
        qb.push_bind(from).push(" AND starts_at < ").push_bind(to);
        if let Some(d) = dept {
            qb.push(" AND (organiser_department_id = ")
                .push_bind(d)
                .push(" OR id IN (SELECT event_id FROM joint_event_participants WHERE department_id = ")
                .push_bind(d)
                .push("))");
        }
        qb.push(" ORDER BY starts_at, id LIMIT ").push_bind(limit);
        qb.build_query_as::<EventRow>().fetch_all(c).await
    })?;
    read!(db, |c| Ok::<_, DbError>(load_events!(c, db, rows)))
}
