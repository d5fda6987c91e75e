//! Draws of experts for joint events, and the commitments that make them verifiable
//! (docs/DRAWS.md). A draw row is written once and never changed: it is the record from which
//! anyone recomputes the result (`domain::draw`).

use chrono::NaiveDate;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, Principal, draw as algo, from_millis, to_cst};

use super::Db;

/// 32 fresh random bytes (a draw's secret): the thread's CSPRNG, seeded by the operating
/// system, as for session tokens.
pub fn fresh_secret() -> algo::Bytes32 {
    use rand::RngCore;
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    b
}

/// Record the commitment for draw `$sequence` of event `$event_id` unless one is recorded,
/// inside the caller's write transaction; evaluates to `(commitment, secret, committed_at)`
/// as stored. The joint event's creation calls it for draw 1, so the commitment precedes
/// any candidate list; each draw calls it for the next.
macro_rules! draw_commitment {
    ($tx:ident, $event_id:expr, $sequence:expr, $secret:expr, $now:expr) => {{
        let secret: $crate::domain::draw::Bytes32 = $secret;
        let commitment = $crate::domain::draw::to_hex(&$crate::domain::draw::commitment(&secret));
        sqlx::query(
            "INSERT INTO draw_commitments (event_id, sequence, commitment, secret, committed_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, sequence) DO NOTHING",
        )
        .bind($event_id)
        .bind(i64::from($sequence))
        .bind(&commitment)
        .bind($crate::domain::draw::to_hex(&secret))
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        let stored: (String, String, i64) = sqlx::query_as(
            "SELECT commitment, secret, committed_at FROM draw_commitments WHERE event_id = $1 AND sequence = $2",
        )
        .bind($event_id)
        .bind(i64::from($sequence))
        .fetch_one(&mut *$tx)
        .await?;
        stored
    }};
}
pub(crate) use draw_commitment;

/// What a draw is made for: the joint event as far as the draw needs it.
#[derive(Debug, Clone)]
pub struct DrawEvent {
    pub id: i64,
    /// The organising (bureau) department.
    pub organiser: i64,
    /// The participating departments (they see the event's draws).
    pub departments: Vec<i64>,
}

impl DrawEvent {
    /// Each participant and the bureau, one event row each (an event row names at most two
    /// departments; a joint event has more).
    pub fn audiences(&self) -> Vec<Audience> {
        let mut ids = self.departments.clone();
        ids.push(self.organiser);
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|d| Audience::Between {
                recipient: d,
                sender: d,
            })
            .collect()
    }
}

/// What the bureau asked for, checked and resolved by the handler.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    pub pool: ExpertPool,
    pub event_date: NaiveDate,
    pub exclude_departments: Vec<String>,
    pub count: usize,
    pub reason: Option<String>,
    /// The candidates in canonical order (`experts::candidates`).
    pub candidates: Vec<super::experts::ExpertRow>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
struct DrawRow {
    id: i64,
    event_id: i64,
    sequence: i64,
    pool: ExpertPool,
    event_date: String,
    exclude_departments: String,
    reason: Option<String>,
    algorithm: String,
    commitment: String,
    committed_at: i64,
    secret: String,
    seed: String,
    candidates: String,
    drawn: String,
    made_by: String,
    made_at: i64,
}

const COLUMNS: &str = "id, event_id, sequence, pool, event_date, exclude_departments, reason, algorithm, \
                       commitment, committed_at, secret, seed, candidates, drawn, made_by, made_at";

impl DrawRow {
    fn to_api(&self) -> DbResult<Draw> {
        Ok(Draw {
            id: self.id,
            event_id: self.event_id,
            sequence: u32::try_from(self.sequence).map_err(|e| DbError::Corrupt {
                what: "draws.sequence",
                source: Box::new(e),
            })?,
            seed: self.seed.clone(),
            algorithm: self.algorithm.clone(),
            pool: self.pool,
            event_date: parse_strict_date(&self.event_date).ok_or_else(|| DbError::Corrupt {
                what: "draws.event_date",
                source: format!("{:?}", self.event_date).into(),
            })?,
            exclude_departments: serde_json::from_str(&self.exclude_departments)?,
            candidates: serde_json::from_str(&self.candidates)?,
            drawn: serde_json::from_str(&self.drawn)?,
            reason: self.reason.clone(),
            commitment: self.commitment.clone(),
            committed_at: to_cst(from_millis(self.committed_at)),
            secret: self.secret.clone(),
            made_by: self.made_by.clone(),
            made_at: to_cst(from_millis(self.made_at)),
        })
    }
}

/// Make and record a draw. A redraw (the event has a draw) needs a reason (422 `reason`).
pub async fn make(
    db: &Db,
    actor: &Principal,
    event: &DrawEvent,
    req: DrawRequest,
    now: i64,
) -> DbResult<Draw> {
    let (actor, event) = (actor.name.clone(), event.clone());
    let (fallback_secret, next_secret) = (fresh_secret(), fresh_secret());
    let candidates: Vec<DrawCandidate> = req
        .candidates
        .iter()
        .map(|r| DrawCandidate {
            id: r.id,
            department: db.dept_code(r.department_id),
        })
        .collect();
    let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
    Ok(write_tx!(db, |tx, fx| {
        let (last,): (Option<i64>,) =
            sqlx::query_as("SELECT MAX(sequence) FROM draws WHERE event_id = $1")
                .bind(event.id)
                .fetch_one(&mut *tx)
                .await?;
        let sequence =
            u32::try_from(last.unwrap_or(0) + 1).map_err(|_| DbError::Bug("draw sequence"))?;
        if sequence > 1 && req.reason.is_none() {
            return Err(DbError::Invalid {
                code: "invalid_field",
                message: format!(
                    "该活动已抽取 {} 次，重新抽取须说明理由 / the event has been drawn for already: a redraw needs a reason",
                    sequence - 1
                ),
                field: Some("reason".into()),
            });
        }
        // The commitment recorded at scheduling (or by the previous draw); recorded now only
        // for an event scheduled before draws existed.
        let (commitment, secret_hex, committed_at) =
            draw_commitment!(tx, event.id, sequence, fallback_secret, now);
        let secret = algo::from_hex(&secret_hex).ok_or(DbError::Bug("stored draw secret"))?;
        let seed = algo::seed(event.id, sequence, &secret);
        let drawn_ids = algo::draw(&seed, &ids, req.count).map_err(|e| DbError::Invalid {
            code: "invalid_field",
            message: format!("无法抽取 / cannot draw: {e}"),
            field: Some("count".into()),
        })?;
        let drawn: Vec<DrawnExpert> = drawn_ids
            .iter()
            .filter_map(|id| req.candidates.iter().find(|r| r.id == *id))
            .map(|r| DrawnExpert {
                id: r.id,
                name: r.name.clone(),
                department: db.dept_code(r.department_id),
                qualification: r.qualification.clone(),
            })
            .collect();
        // The next draw's secret is fixed now, before anyone sees this one's result.
        let _ = draw_commitment!(tx, event.id, sequence + 1, next_secret, now);
        let sql = format!(
            "INSERT INTO draws (event_id, sequence, pool, event_date, exclude_departments, reason, algorithm, \
             commitment, committed_at, secret, seed, candidates, drawn, made_by, made_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING {COLUMNS}"
        );
        let inserted: Result<DrawRow, sqlx::Error> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(event.id)
            .bind(i64::from(sequence))
            .bind(req.pool.as_str())
            .bind(req.event_date.to_string())
            .bind(serde_json::to_string(&req.exclude_departments)?)
            .bind(req.reason.as_deref())
            .bind(algo::ALGORITHM)
            .bind(&commitment)
            .bind(committed_at)
            .bind(&secret_hex)
            .bind(algo::to_hex(&seed))
            .bind(serde_json::to_string(&candidates)?)
            .bind(serde_json::to_string(&drawn)?)
            .bind(&actor)
            .bind(now)
            .fetch_one(&mut *tx)
            .await;
        let row = match inserted {
            // Another draw of the same event committed first (PostgreSQL instances).
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(DbError::conflict(
                    "draw_in_progress",
                    "该活动的另一次抽取刚刚完成，请查看后再决定是否重新抽取 / another draw of this event was just made: look at it before drawing again",
                ));
            }
            other => other?,
        };
        let made = row.to_api()?;
        // The stream names no one of the bureau: who drew is its department.
        let announced = Draw {
            made_by: organiser_name(db, event.organiser),
            ..made.clone()
        };
        for audience in event.audiences() {
            fx.event(event_types::DRAW_MADE, audience, &announced, now);
        }
        fx.audit(
            now,
            &actor,
            "draw.made",
            "joint_event",
            Some(event.id),
            serde_json::json!({
                "draw_id": made.id, "sequence": sequence, "seed": made.seed,
                "candidates": ids.len(), "drawn": drawn_ids, "reason": req.reason,
            }),
        );
        made
    }))
}

/// The organising department's name, where a bureau person's name is not shown.
pub fn organiser_name(db: &Db, organiser: i64) -> String {
    db.departments()
        .into_iter()
        .find(|(id, _)| *id == organiser)
        .map_or_else(|| db.dept_code(organiser), |(_, d)| d.name)
}

pub async fn get(db: &Db, id: i64) -> DbResult<Option<Draw>> {
    let sql = format!("SELECT {COLUMNS} FROM draws WHERE id = $1");
    let row: Option<DrawRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_optional(c)
        .await)?;
    row.map(|r| r.to_api()).transpose()
}

/// Every draw of an event, the first first.
pub async fn for_event(db: &Db, event_id: i64) -> DbResult<Vec<Draw>> {
    let sql = format!("SELECT {COLUMNS} FROM draws WHERE event_id = $1 ORDER BY sequence");
    let rows: Vec<DrawRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(event_id)
        .fetch_all(c)
        .await)?;
    rows.iter().map(DrawRow::to_api).collect()
}

/// The commitment the event's next draw will reveal, if recorded.
pub async fn next_commitment(db: &Db, event_id: i64) -> DbResult<Option<DrawCommitment>> {
    let row: Option<(i64, String, i64)> = read!(db, |c| sqlx::query_as(
        "SELECT c.sequence, c.commitment, c.committed_at FROM draw_commitments c \
         WHERE c.event_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM draws d WHERE d.event_id = c.event_id AND d.sequence = c.sequence) \
         ORDER BY c.sequence LIMIT 1"
    )
    .bind(event_id)
    .fetch_optional(c)
    .await)?;
    row.map(|(sequence, commitment, at)| {
        Ok(DrawCommitment {
            sequence: u32::try_from(sequence).map_err(|_| DbError::Bug("commitment sequence"))?,
            commitment,
            committed_at: to_cst(from_millis(at)),
        })
    })
    .transpose()
}
