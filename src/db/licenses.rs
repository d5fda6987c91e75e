//! The licence register (issue 10 part 1): written by approval pushes in their own
//! transaction (`record_license!`, called from `db::pushes`), read by the licence and
//! counterparty endpoints.
//!
//! `expired` is computed on read, never stored: a licence whose stored state is `active` or
//! `changed` and whose `valid_until` date is before the server clock's China date is shown
//! (and filtered) as `expired`. No sweeper has to run for it to be right at midnight.

use chrono::NaiveDate;

use crate::api::*;
use crate::db::{DbResult, stored};
use crate::domain::{from_millis, to_cst};

use super::Db;

/// What an approval push writes into the register.
#[derive(Debug, Clone)]
pub struct LicenseWrite {
    pub license_no: String,
    pub item_name: String,
    pub holder_code: String,
    pub holder_name: String,
    pub issue_date: NaiveDate,
    pub valid_until: ValidUntil,
    pub approval_department_id: i64,
    pub push_id: i64,
    pub recipients: Vec<i64>,
    pub at: i64,
    pub actor: String,
}

pub const LICENSE_COLUMNS: &str = "l.id, l.license_no, l.item_name, l.holder_code, l.holder_name, l.issue_date, \
     l.valid_until, l.state, l.approval_department_id, l.source_push_id, l.created_at, l.updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LicenseRow {
    pub id: i64,
    pub license_no: String,
    pub item_name: String,
    pub holder_code: String,
    pub holder_name: String,
    pub issue_date: String,
    pub valid_until: String,
    pub state: String,
    pub approval_department_id: i64,
    pub source_push_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The state shown on `today` (China date): a stored `active`/`changed` past its last valid
/// date is `expired`.
pub fn shown_state(
    stored: LicenseState,
    valid_until: ValidUntil,
    today: NaiveDate,
) -> LicenseState {
    match (stored, valid_until) {
        (LicenseState::Active | LicenseState::Changed, ValidUntil::Date(d)) if d < today => {
            LicenseState::Expired
        }
        (s, _) => s,
    }
}

impl LicenseRow {
    /// The wire licence on `today`, with its supervising departments.
    pub fn to_api(&self, db: &Db, departments: &[i64], today: NaiveDate) -> DbResult<License> {
        let valid_until = stored(
            "licence validity",
            &self.valid_until,
            self.valid_until.parse().ok(),
        )?;
        let state = stored(
            "licence state",
            &self.state,
            LicenseState::parse(&self.state),
        )?;
        Ok(License {
            license_no: self.license_no.clone(),
            state: shown_state(state, valid_until, today),
            item_name: self.item_name.clone(),
            holder_code: self.holder_code.clone(),
            holder_name: self.holder_name.clone(),
            issue_date: stored(
                "licence issue date",
                &self.issue_date,
                parse_strict_date(&self.issue_date),
            )?,
            valid_until,
            approval_department: db.dept_code(self.approval_department_id),
            departments: departments.iter().map(|d| db.dept_code(*d)).collect(),
            source_push_id: self.source_push_id,
            created_at: to_cst(from_millis(self.created_at)),
            updated_at: to_cst(from_millis(self.updated_at)),
            history: None,
        })
    }
}

/// Create the licence of an approval push, or update it when the number was issued before
/// (a re-issue: state `changed`), in the push's transaction:
/// `record_license!(tx, fx, db, &write)`. Conflict-safe: one `INSERT … ON CONFLICT
/// (license_no) DO UPDATE`, so two pushes racing with one number both succeed (the second
/// waits for the first's row and re-issues it). The supervising departments accumulate
/// (every recipient of every push for the number). Emits `license.created` or
/// `license.changed`, once per supervising department — after the push's `delivery.created`
/// events, which the caller has already emitted.
macro_rules! record_license {
    ($tx:ident, $fx:ident, $db:ident, $w:expr) => {{
        let w: &$crate::db::licenses::LicenseWrite = $w;
        let (license_id, revision): (i64, i64) = sqlx::query_as(
            "INSERT INTO licenses (license_no, item_name, holder_code, holder_name, issue_date, valid_until, state, \
               approval_department_id, source_push_id, revision, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $8, 1, $9, $9) \
             ON CONFLICT (license_no) DO UPDATE SET item_name = excluded.item_name, \
               holder_code = excluded.holder_code, holder_name = excluded.holder_name, \
               issue_date = excluded.issue_date, valid_until = excluded.valid_until, state = 'changed', \
               approval_department_id = excluded.approval_department_id, \
               source_push_id = excluded.source_push_id, revision = licenses.revision + 1, \
               updated_at = excluded.updated_at \
             RETURNING id, revision",
        )
        .bind(&w.license_no)
        .bind(&w.item_name)
        .bind(&w.holder_code)
        .bind(&w.holder_name)
        .bind(w.issue_date.to_string())
        .bind(w.valid_until.to_string())
        .bind(w.approval_department_id)
        .bind(w.push_id)
        .bind(w.at)
        .fetch_one(&mut *$tx)
        .await?;
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO license_departments (license_id, department_id) ",
        );
        qb.push_values(&w.recipients, |mut b, d| {
            b.push_bind(license_id).push_bind(*d);
        });
        qb.push(" ON CONFLICT (license_id, department_id) DO NOTHING");
        qb.build().execute(&mut *$tx).await?;
        let created = revision == 1;
        let (event, state) = if created {
            ("approved", $crate::api::LicenseState::Active)
        } else {
            ("reissued", $crate::api::LicenseState::Changed)
        };
        let detail = serde_json::json!({
            "item_name": w.item_name,
            "valid_until": w.valid_until.to_string(),
            "recipients": w.recipients.iter().map(|d| $db.dept_code(*d)).collect::<Vec<_>>(),
        });
        // Stored with the transaction's effects (one statement per group commit on SQLite).
        $fx.license_history.push($crate::db::NewLicenseHistory {
            license_id,
            event,
            state: state.as_str(),
            push_id: Some(w.push_id),
            at: w.at,
            actor: w.actor.clone(),
            detail: detail.to_string(),
        });
        // A new licence is supervised by exactly this push's recipients; a re-issued one by
        // every recipient of every push for its number.
        let departments: Vec<i64> = if created {
            let mut d = w.recipients.clone();
            d.sort_unstable();
            d.dedup();
            d
        } else {
            sqlx::query_scalar(
                "SELECT department_id FROM license_departments WHERE license_id = $1 ORDER BY department_id",
            )
            .bind(license_id)
            .fetch_all(&mut *$tx)
            .await?
        };
        let license = $crate::api::License {
            license_no: w.license_no.clone(),
            state,
            item_name: w.item_name.clone(),
            holder_code: w.holder_code.clone(),
            holder_name: w.holder_name.clone(),
            issue_date: w.issue_date,
            valid_until: w.valid_until,
            approval_department: $db.dept_code(w.approval_department_id),
            departments: departments.iter().map(|d| $db.dept_code(*d)).collect(),
            source_push_id: w.push_id,
            created_at: $crate::domain::to_cst($crate::domain::from_millis(w.at)),
            updated_at: $crate::domain::to_cst($crate::domain::from_millis(w.at)),
            history: None,
        };
        let kind = if created {
            $crate::api::event_types::LICENSE_CREATED
        } else {
            $crate::api::event_types::LICENSE_CHANGED
        };
        for d in &departments {
            $fx.event(
                kind,
                $crate::domain::Audience::Between {
                    recipient: *d,
                    sender: w.approval_department_id,
                },
                &license,
                w.at,
            );
        }
        license
    }};
}
pub(crate) use record_license;

/// `GET /api/v1/licenses` filters.
#[derive(Debug, Clone, Default)]
pub struct LicenseFilter {
    /// Only licences this department supervises.
    pub department: Option<i64>,
    pub holder: Option<String>,
    pub state: Option<LicenseState>,
    /// A substring of the number, the holder's code or name, or the item.
    pub q: Option<String>,
    /// The China date `expired` is judged on.
    pub today: NaiveDate,
    /// Licences with a larger id than this (the cursor).
    pub after: Option<i64>,
    pub limit: i64,
}

/// Licences newest first (by id, descending: the cursor is the last id seen).
pub async fn list(db: &Db, f: &LicenseFilter) -> DbResult<Vec<(LicenseRow, Vec<i64>)>> {
    let today = f.today.to_string();
    let rows: Vec<LicenseRow> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new(format!(
            "SELECT {LICENSE_COLUMNS} FROM licenses l WHERE 1 = 1"
        ));
        if let Some(d) = f.department {
            qb.push(" AND EXISTS (SELECT 1 FROM license_departments ld WHERE ld.license_id = l.id AND ld.department_id = ")
                .push_bind(d)
                .push(")");
        }
        if let Some(h) = &f.holder {
            qb.push(" AND l.holder_code = ").push_bind(h.clone());
        }
        match f.state {
            None => {}
            Some(LicenseState::Expired) => {
                qb.push(" AND l.state IN ('active', 'changed') AND l.valid_until <> '长期' AND l.valid_until < ")
                    .push_bind(today.clone());
            }
            Some(s @ (LicenseState::Active | LicenseState::Changed)) => {
                qb.push(" AND l.state = ")
                    .push_bind(s.as_str())
                    .push(" AND (l.valid_until = '长期' OR l.valid_until >= ")
                    .push_bind(today.clone())
                    .push(")");
            }
            Some(s) => {
                qb.push(" AND l.state = ").push_bind(s.as_str());
            }
        }
        if let Some(q) = &f.q {
            let like = format!("%{}%", escape_like(q));
            qb.push(" AND (l.license_no LIKE ")
                .push_bind(like.clone())
                .push(" ESCAPE '\\' OR l.holder_code LIKE ")
                .push_bind(like.clone())
                .push(" ESCAPE '\\' OR l.holder_name LIKE ")
                .push_bind(like.clone())
                .push(" ESCAPE '\\' OR l.item_name LIKE ")
                .push_bind(like)
                .push(" ESCAPE '\\')");
        }
        if let Some(a) = f.after {
            qb.push(" AND l.id < ").push_bind(a);
        }
        qb.push(" ORDER BY l.id DESC LIMIT ").push_bind(f.limit);
        qb.build_query_as::<LicenseRow>().fetch_all(c).await
    })?;
    with_departments(db, rows).await
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Each row with its supervising departments (one query for the page).
pub async fn with_departments(
    db: &Db,
    rows: Vec<LicenseRow>,
) -> DbResult<Vec<(LicenseRow, Vec<i64>)>> {
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let pairs: Vec<(i64, i64)> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT license_id, department_id FROM license_departments WHERE license_id IN (",
        );
        let mut sep = qb.separated(", ");
        for id in &ids {
            sep.push_bind(*id);
        }
        qb.push(") ORDER BY license_id, department_id");
        qb.build_query_as().fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let depts = pairs
                .iter()
                .filter(|(l, _)| *l == r.id)
                .map(|(_, d)| *d)
                .collect();
            (r, depts)
        })
        .collect())
}

/// One licence by number, with its departments.
pub async fn get(db: &Db, license_no: &str) -> DbResult<Option<(LicenseRow, Vec<i64>)>> {
    let sql = format!("SELECT {LICENSE_COLUMNS} FROM licenses l WHERE l.license_no = $1");
    let row: Option<LicenseRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(license_no)
        .fetch_optional(c)
        .await)?;
    Ok(with_departments(db, row.into_iter().collect()).await?.pop())
}

/// Every licence of a holder (few: an index range), with departments.
pub async fn of_holder(db: &Db, code: &str) -> DbResult<Vec<(LicenseRow, Vec<i64>)>> {
    let sql = format!(
        "SELECT {LICENSE_COLUMNS} FROM licenses l WHERE l.holder_code = $1 ORDER BY l.license_no"
    );
    let rows: Vec<LicenseRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(code)
        .fetch_all(c)
        .await)?;
    with_departments(db, rows).await
}

/// A licence of the holder that `department` supervises, as its issuing bureau's id (`None`:
/// the department supervises none of the holder's licences).
pub async fn supervised_by(db: &Db, code: &str, department: i64) -> DbResult<Option<i64>> {
    let found: Option<i64> = read!(db, |c| {
        sqlx::query_scalar(
        "SELECT l.approval_department_id FROM licenses l JOIN license_departments ld ON ld.license_id = l.id \
         WHERE l.holder_code = $1 AND ld.department_id = $2 LIMIT 1"
    )
    .bind(code)
    .bind(department)
    .fetch_optional(c)
    .await
    })?;
    Ok(found)
}

/// A licence's history, oldest first.
pub async fn history(db: &Db, license_id: i64) -> DbResult<Vec<LicenseHistoryEntry>> {
    let rows: Vec<(String, String, Option<i64>, i64, String, String)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT event, state, push_id, at, actor, detail FROM license_history WHERE license_id = $1 ORDER BY id",
        )
        .bind(license_id)
        .fetch_all(c)
        .await
    })?;
    rows.into_iter()
        .map(|(event, state, push_id, at, actor, detail)| {
            Ok(LicenseHistoryEntry {
                event,
                state: stored("licence state", &state, LicenseState::parse(&state))?,
                push_id,
                at: to_cst(from_millis(at)),
                actor,
                detail: serde_json::from_str(&detail)?,
            })
        })
        .collect()
}

/// Revoke a licence for a false commitment (art. 8 para 4), in the revocation's transaction:
/// `revoke_license!(tx, fx, db, license_no, revocation_push_id, now, actor, task_id)`. The
/// licence becomes `revoked` with a history line naming the revocation push, the holder's
/// record gains a penalty noting 虚假承诺 (`holder_penalties`, kind `revoke_license`), and
/// `license.changed` goes to every supervising department. A licence already withdrawn,
/// revoked or cancelled keeps its state (the history still records the decision).
macro_rules! revoke_license {
    ($tx:ident, $fx:ident, $db:ident, $no:expr, $push:expr, $now:expr, $actor:expr, $task:expr) => {{
        let license_no: &str = $no;
        let push_id: i64 = $push;
        let now: i64 = $now;
        let actor: &str = $actor;
        let task_id: i64 = $task;
        let row: Option<$crate::db::licenses::LicenseRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM licenses l WHERE l.license_no = $1",
            $crate::db::licenses::LICENSE_COLUMNS
        )))
        .bind(license_no)
        .fetch_optional(&mut *$tx)
        .await?;
        if let Some(mut row) = row {
            let ended = ["withdrawn", "revoked", "cancelled"].contains(&row.state.as_str());
            if !ended {
                sqlx::query("UPDATE licenses SET state = 'revoked', updated_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(row.id)
                    .execute(&mut *$tx)
                    .await?;
                row.state = "revoked".into();
                row.updated_at = now;
            }
            let detail = serde_json::json!({"reason": "虚假承诺", "verification_id": task_id});
            // With the effects, after any note of the same transaction (the history's order).
            $fx.license_history.push($crate::db::NewLicenseHistory {
                license_id: row.id,
                event: "revoked",
                state: $crate::db::stored(
                    "licence state",
                    &row.state,
                    $crate::api::LicenseState::parse(&row.state),
                )?
                .as_str(),
                push_id: Some(push_id),
                at: now,
                actor: actor.to_string(),
                detail: detail.to_string(),
            });
            let today = $crate::domain::to_cst($crate::domain::from_millis(now)).date_naive();
            sqlx::query(
                "INSERT INTO holder_penalties (holder_code, holder_name, kind, decision_no, decision_date, license_no, push_id, department_id, created_at) \
                 VALUES ($1, $2, 'revoke_license', $3, $4, $5, $6, $7, $8)",
            )
            .bind(&row.holder_code)
            .bind(&row.holder_name)
            .bind(format!("虚假承诺（核查任务 #{task_id}）"))
            .bind(today.to_string())
            .bind(license_no)
            .bind(push_id)
            .bind(row.approval_department_id)
            .bind(now)
            .execute(&mut *$tx)
            .await?;
            let departments: Vec<i64> = sqlx::query_scalar(
                "SELECT department_id FROM license_departments WHERE license_id = $1 ORDER BY department_id",
            )
            .bind(row.id)
            .fetch_all(&mut *$tx)
            .await?;
            let license = row.to_api($db, &departments, today)?;
            for d in &departments {
                $fx.event(
                    $crate::api::event_types::LICENSE_CHANGED,
                    $crate::domain::Audience::Between { recipient: *d, sender: row.approval_department_id },
                    &license,
                    now,
                );
            }
        }
    }};
}
pub(crate) use revoke_license;

/// Note a step of a licence's life that does not change its state (a commitment, a
/// verification's result) in its history, with the transaction's effects:
/// `license_note!(tx, fx, license_no, event, push_id, at, actor, detail_json)`. A number the
/// register does not know is left alone.
macro_rules! license_note {
    ($tx:ident, $fx:ident, $no:expr, $event:expr, $push:expr, $at:expr, $actor:expr, $detail:expr) => {{
        let found: Option<(i64, String)> =
            sqlx::query_as("SELECT id, state FROM licenses WHERE license_no = $1")
                .bind($no)
                .fetch_optional(&mut *$tx)
                .await?;
        if let Some((license_id, state)) = found {
            let state = $crate::db::stored(
                "licence state",
                &state,
                $crate::api::LicenseState::parse(&state),
            )?;
            $fx.license_history.push($crate::db::NewLicenseHistory {
                license_id,
                event: $event,
                state: state.as_str(),
                push_id: $push,
                at: $at,
                actor: $actor.to_string(),
                detail: serde_json::Value::to_string(&$detail),
            });
        }
    }};
}
pub(crate) use license_note;
