//! The expert registry (art. 10(1)–(3)): members, their history, and the candidates of a draw.
//!
//! The per-department maximum is checked inside the write transaction that inserts; on
//! PostgreSQL a transaction-scoped advisory lock per (department, pool) serialises two
//! nominations racing for the last place (SQLite has one writer).

use chrono::NaiveDate;

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, Principal, from_millis, to_cst};

use super::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExpertRow {
    pub id: i64,
    pub department_id: i64,
    pub pool: ExpertPool,
    pub name: String,
    pub qualification: String,
    pub qualified_until: String,
    pub unavailable_until: Option<String>,
    pub status: ExpertStatus,
    pub nominated_at: i64,
    pub replaces: Option<i64>,
    pub withdrawn_at: Option<i64>,
    pub withdraw_reason: Option<String>,
}

pub const COLUMNS: &str = "id, department_id, pool, name, qualification, qualified_until, unavailable_until, \
                           status, nominated_at, replaces, withdrawn_at, withdraw_reason";

fn date(what: &'static str, s: &str) -> DbResult<NaiveDate> {
    parse_strict_date(s).ok_or_else(|| DbError::Corrupt {
        what,
        source: format!("{s:?} is not a date").into(),
    })
}

impl ExpertRow {
    pub fn to_api(&self, db: &Db) -> DbResult<Expert> {
        Ok(Expert {
            id: self.id,
            name: self.name.clone(),
            department: db.dept_code(self.department_id),
            pool: self.pool,
            qualification: self.qualification.clone(),
            qualified_until: date("experts.qualified_until", &self.qualified_until)?,
            unavailable_until: self
                .unavailable_until
                .as_deref()
                .map(|s| date("experts.unavailable_until", s))
                .transpose()?,
            status: self.status,
            nominated_at: to_cst(from_millis(self.nominated_at)),
            replaces: self.replaces,
            withdrawn_at: self.withdrawn_at.map(|t| to_cst(from_millis(t))),
            withdraw_reason: self.withdraw_reason.clone(),
        })
    }

    /// The member's department and the bureau that keeps the roster.
    pub fn audience(&self, db: &Db) -> Audience {
        roster_audience(db, self.department_id)
    }
}

/// A roster record concerns its department and the bureau (art. 10(3): filed with the
/// 行政审批服务局); with no bureau department yet, the department alone.
pub fn roster_audience(db: &Db, department_id: i64) -> Audience {
    let bureau = bureau_department(db).unwrap_or(department_id);
    Audience::Between {
        recipient: department_id,
        sender: bureau,
    }
}

/// The approval department (the county has one bureau; the first by id if several).
pub fn bureau_department(db: &Db) -> Option<i64> {
    db.departments()
        .into_iter()
        .find(|(_, d)| d.kind == DepartmentKind::Approval)
        .map(|(id, _)| id)
}

pub async fn get_row(db: &Db, id: i64) -> DbResult<Option<ExpertRow>> {
    let sql = format!("SELECT {COLUMNS} FROM experts WHERE id = $1");
    Ok(read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(id)
    .fetch_optional(c)
    .await)?)
}

/// Members (active and withdrawn) by id, optionally of one pool and department.
pub async fn list(
    db: &Db,
    pool: Option<ExpertPool>,
    department: Option<i64>,
) -> DbResult<Vec<ExpertRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM experts WHERE ($1 IS NULL OR pool = $1) \
         AND ($2 IS NULL OR department_id = $2) ORDER BY id"
    );
    let pool = pool.map(ExpertPool::as_str);
    Ok(read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(
        sql.as_str()
    ))
    .bind(pool)
    .bind(department)
    .fetch_all(c)
    .await)?)
}

/// Active members of the given ids (the drawn, for showing them).
pub async fn by_ids(db: &Db, ids: &[i64]) -> DbResult<Vec<ExpertRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(read!(db, |c| {
        let mut qb =
            sqlx::QueryBuilder::new(format!("SELECT {COLUMNS} FROM experts WHERE id IN ("));
        let mut sep = qb.separated(", ");
        for id in ids {
            sep.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as::<ExpertRow>().fetch_all(c).await
    })?)
}

pub async fn history(db: &Db, id: i64) -> DbResult<Vec<ExpertChange>> {
    let rows: Vec<(i64, String, String, String)> = read!(db, |c| sqlx::query_as(
        "SELECT at, actor, change, detail FROM expert_changes WHERE expert_id = $1 ORDER BY id"
    )
    .bind(id)
    .fetch_all(c)
    .await)?;
    rows.into_iter()
        .map(|(at, actor, change, detail)| {
            Ok(ExpertChange {
                at: to_cst(from_millis(at)),
                actor,
                change,
                detail: serde_json::from_str(&detail)?,
            })
        })
        .collect()
}

/// Active members per (department, pool).
pub async fn active_counts(db: &Db) -> DbResult<Vec<(i64, ExpertPool, i64)>> {
    Ok(read!(db, |c| sqlx::query_as(
        "SELECT department_id, pool, COUNT(*) FROM experts WHERE status = 'active' \
         GROUP BY department_id, pool"
    )
    .fetch_all(c)
    .await)?)
}

/// Every line of a change: the history row, the audit line and the event (`expert.*`).
macro_rules! record_change {
    ($tx:ident, $fx:ident, $db:ident, $row:expr, $actor:expr, $change:literal, $event:expr, $detail:expr, $now:expr) => {{
        let row: &ExpertRow = $row;
        let detail: serde_json::Value = $detail;
        sqlx::query(
            "INSERT INTO expert_changes (expert_id, at, actor, change, detail) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(row.id)
        .bind($now)
        .bind($actor)
        .bind($change)
        .bind(detail.to_string())
        .execute(&mut *$tx)
        .await?;
        $fx.audit($now, $actor, concat!("expert.", $change), "expert", Some(row.id), detail);
        let expert = row.to_api($db)?;
        $fx.event($event, row.audience($db), &expert, $now);
        expert
    }};
}

fn not_active() -> DbError {
    DbError::conflict(
        "expert_withdrawn",
        "该成员已退出名单 / this member has already been withdrawn",
    )
}

/// Nominate a member (and withdraw the one it replaces, in the same change). Over the
/// pool's maximum for the department → 409 `pool_full`.
pub async fn create(
    db: &Db,
    actor: &Principal,
    department_id: i64,
    new: &NewExpert,
    replace_reason: Option<String>,
    now: i64,
) -> DbResult<Expert> {
    let (actor, new) = (actor.name.clone(), new.clone());
    let (_, max) = new.pool.limits();
    Ok(write_tx!(db, |tx, fx| {
        if db.kind() == "postgres" {
            sqlx::query("SELECT pg_advisory_xact_lock(7240016, CAST($1 AS INTEGER))")
                .bind(department_id * 2 + i64::from(new.pool == ExpertPool::SiteInspection))
                .execute(&mut *tx)
                .await?;
        }
        if let Some(old) = new.replaces {
            let sql = format!("SELECT {COLUMNS} FROM experts WHERE id = $1");
            let row: ExpertRow = sqlx::query_as::<_, ExpertRow>(sqlx::AssertSqlSafe(sql))
                .bind(old)
                .fetch_optional(&mut *tx)
                .await?
                .filter(|r| r.department_id == department_id && r.pool == new.pool)
                .ok_or(DbError::Invalid {
                    code: "invalid_field",
                    message: "被替换的成员不属于该部门的该名单 / the member replaced is not in this department's pool".into(),
                    field: Some("replaces".into()),
                })?;
            if row.status != ExpertStatus::Active {
                return Err(not_active());
            }
        }
        let (active,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM experts WHERE department_id = $1 AND pool = $2 AND status = 'active'",
        )
        .bind(department_id)
        .bind(new.pool.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let after = active + 1 - i64::from(new.replaces.is_some());
        if after > i64::from(max) {
            return Err(DbError::conflict(
                "pool_full",
                format!(
                    "该部门在此名单已有 {active} 人，上限 {max} 人：请先替换或退出一人 / the department already has {active} members in this pool (at most {max}): replace or withdraw one first"
                ),
            ));
        }
        if let Some(old) = new.replaces {
            let reason = replace_reason.clone().unwrap_or_default();
            let sql = format!(
                "UPDATE experts SET status = 'withdrawn', withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4 \
                 WHERE id = $1 AND status = 'active' RETURNING {COLUMNS}"
            );
            let row: ExpertRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(old)
                .bind(now)
                .bind(&actor)
                .bind(&reason)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(not_active)?;
            record_change!(
                tx,
                fx,
                db,
                &row,
                &actor,
                "replaced",
                event_types::EXPERT_WITHDRAWN,
                serde_json::json!({"reason": reason}),
                now
            );
        }
        let sql = format!(
            "INSERT INTO experts (department_id, pool, name, qualification, qualified_until, status, \
             nominated_by, nominated_at, replaces) VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8) \
             RETURNING {COLUMNS}"
        );
        let row: ExpertRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(department_id)
            .bind(new.pool.as_str())
            .bind(&new.name)
            .bind(&new.qualification)
            .bind(new.qualified_until.to_string())
            .bind(&actor)
            .bind(now)
            .bind(new.replaces)
            .fetch_one(&mut *tx)
            .await?;
        record_change!(
            tx,
            fx,
            db,
            &row,
            &actor,
            "nominated",
            event_types::EXPERT_NOMINATED,
            serde_json::json!({
                "pool": new.pool, "qualification": new.qualification,
                "qualified_until": new.qualified_until, "replaces": new.replaces,
            }),
            now
        )
    }))
}

/// Withdraw a member (the row stays, with who, when and why).
pub async fn withdraw(
    db: &Db,
    actor: &Principal,
    id: i64,
    reason: &str,
    now: i64,
) -> DbResult<Expert> {
    let (actor, reason) = (actor.name.clone(), reason.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let sql = format!(
            "UPDATE experts SET status = 'withdrawn', withdrawn_at = $2, withdrawn_by = $3, withdraw_reason = $4 \
             WHERE id = $1 AND status = 'active' RETURNING {COLUMNS}"
        );
        let row: ExpertRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(now)
            .bind(&actor)
            .bind(&reason)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(not_active)?;
        record_change!(
            tx,
            fx,
            db,
            &row,
            &actor,
            "withdrawn",
            event_types::EXPERT_WITHDRAWN,
            serde_json::json!({"reason": reason}),
            now
        )
    }))
}

/// Set or clear the date up to which a member is unavailable.
pub async fn set_availability(
    db: &Db,
    actor: &Principal,
    id: i64,
    until: Option<NaiveDate>,
    reason: Option<String>,
    now: i64,
) -> DbResult<Expert> {
    let actor = actor.name.clone();
    Ok(write_tx!(db, |tx, fx| {
        let sql = format!(
            "UPDATE experts SET unavailable_until = $2 WHERE id = $1 AND status = 'active' RETURNING {COLUMNS}"
        );
        let row: ExpertRow = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(until.map(|d| d.to_string()))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(not_active)?;
        record_change!(
            tx,
            fx,
            db,
            &row,
            &actor,
            "availability",
            event_types::EXPERT_AVAILABILITY,
            serde_json::json!({"unavailable_until": until, "reason": reason}),
            now
        )
    }))
}

/// The candidates of a draw, in canonical order (id ascending): active members of the pool,
/// not of an excluded department, available and qualified on the event's date.
pub async fn candidates(
    db: &Db,
    pool: ExpertPool,
    event_date: NaiveDate,
    excluded: &[i64],
) -> DbResult<Vec<ExpertRow>> {
    let day = event_date.to_string();
    let rows: Vec<ExpertRow> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT {COLUMNS} FROM experts WHERE status = 'active' AND pool = "
        ));
        qb.push_bind(pool.as_str())
            .push(" AND qualified_until >= ")
            .push_bind(day.clone())
            .push(" AND (unavailable_until IS NULL OR unavailable_until < ")
            .push_bind(day.clone())
            .push(")");
        if !excluded.is_empty() {
            qb.push(" AND department_id NOT IN (");
            let mut sep = qb.separated(", ");
            for d in excluded {
                sep.push_bind(*d);
            }
            qb.push(")");
        }
        qb.push(" ORDER BY id");
        qb.build_query_as::<ExpertRow>().fetch_all(c).await
    })?;
    Ok(rows)
}
