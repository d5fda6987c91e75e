//! The credit register (issue 10 part 2, art. 7(2)1): credit records from `credit_status`
//! supervision pushes and penalties from `penalty` pushes with a counterparty, written in the
//! push's transaction (`record_credit!`); the admission rule is `domain::admission`.

use chrono::NaiveDate;

use crate::api::*;
use crate::db::{DbResult, stored};
use crate::domain::admission::{self, Listing};
use crate::domain::{from_millis, to_cst};

use super::Db;

/// A holder's credit records, oldest first: what the admission rule reads (an index range of
/// `credit_records_holder`).
pub const HOLDER_RECORDS: &str = "SELECT id, status, authority, decision_no, start_date, end_date, push_id, department_id, created_at \
     FROM credit_records WHERE holder_code = $1 ORDER BY start_date, id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CreditRow {
    pub id: i64,
    pub status: String,
    pub authority: String,
    pub decision_no: String,
    pub start_date: String,
    pub end_date: Option<String>,
    pub push_id: i64,
    pub department_id: i64,
    pub created_at: i64,
}

impl CreditRow {
    pub fn listing(&self) -> DbResult<Listing> {
        let end_date = match self.end_date.as_deref() {
            None => None,
            Some(d) => Some(stored("credit record end date", d, parse_strict_date(d))?),
        };
        Ok(Listing {
            id: self.id,
            status: stored(
                "credit status",
                &self.status,
                CreditStatus::parse(&self.status),
            )?,
            authority: self.authority.clone(),
            decision_no: self.decision_no.clone(),
            start_date: stored(
                "credit record start date",
                &self.start_date,
                parse_strict_date(&self.start_date),
            )?,
            end_date,
        })
    }
}

/// The listings of rows, for [`admission::standing`].
pub fn listings(rows: &[CreditRow]) -> DbResult<Vec<Listing>> {
    rows.iter().map(CreditRow::listing).collect()
}

/// The holder code of a counterparty: its 统一社会信用代码 or 身份证号 (validated, normalised).
pub fn holder_code(c: &Counterparty) -> Option<String> {
    c.credit_code.clone().or_else(|| c.id_number.clone())
}

/// Write what a supervision push records against its counterparty, in the push's
/// transaction: `record_credit!(tx, db, push_id, department_id, &push, now)` — a credit
/// record for a `credit_status` push, a penalty for a `penalty` push with a counterparty.
macro_rules! record_credit {
    ($tx:ident, $push_id:expr, $dept:expr, $push:expr, $now:expr) => {{
        let push: &$crate::api::NewSupervisionPush = $push;
        let (push_id, dept, now): (i64, i64, i64) = ($push_id, $dept, $now);
        if let Some(c) = &push.counterparty {
            let code = $crate::db::credit::holder_code(c).unwrap_or_default();
            if let Some(cr) = &push.credit {
                sqlx::query(
                    "INSERT INTO credit_records (holder_code, holder_name, status, authority, decision_no, start_date, end_date, push_id, department_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&code)
                .bind(&c.name)
                .bind(cr.status.as_str())
                .bind(&cr.authority)
                .bind(&cr.decision_no)
                .bind(cr.start_date.to_string())
                .bind(cr.end_date.map(|d| d.to_string()))
                .bind(push_id)
                .bind(dept)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
            }
            if let Some(p) = &push.penalty {
                sqlx::query(
                    "INSERT INTO holder_penalties (holder_code, holder_name, kind, decision_no, decision_date, license_no, push_id, department_id, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(&code)
                .bind(&c.name)
                .bind(serde_json::to_value(p.kind)?.as_str().unwrap_or("other").to_string())
                .bind(&p.decision_no)
                .bind(p.decision_date.to_string())
                .bind(&push.related_license_no)
                .bind(push_id)
                .bind(dept)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
            }
        }
    }};
}
pub(crate) use record_credit;

/// A holder's credit records, oldest first.
pub async fn records(db: &Db, code: &str) -> DbResult<Vec<CreditRow>> {
    Ok(read!(db, |c| sqlx::query_as(HOLDER_RECORDS)
        .bind(code)
        .fetch_all(c)
        .await)?)
}

/// `GET /api/v1/counterparties/{code}/admission`: the standing on `today`.
pub async fn admission(db: &Db, code: &str, today: NaiveDate) -> DbResult<AdmissionAnswer> {
    let rows = records(db, code).await?;
    let (admission, reasons) = admission::standing(&listings(&rows)?, today);
    Ok(AdmissionAnswer { admission, reasons })
}

/// The credit records on the wire, with whether each is in force on `today`.
pub fn to_api(db: &Db, rows: &[CreditRow], today: NaiveDate) -> DbResult<Vec<CreditRecord>> {
    let all = listings(rows)?;
    Ok(rows
        .iter()
        .zip(&all)
        .map(|(r, l)| CreditRecord {
            id: r.id,
            status: l.status,
            authority: r.authority.clone(),
            decision_no: r.decision_no.clone(),
            start_date: l.start_date,
            end_date: l.end_date,
            in_force: admission::in_force(l, &all, today),
            push_id: r.push_id,
            department: db.dept_code(r.department_id),
            recorded_at: to_cst(from_millis(r.created_at)),
        })
        .collect())
}

/// Penalties recorded against a holder, oldest first.
pub async fn penalties(db: &Db, code: &str) -> DbResult<Vec<HolderPenalty>> {
    type Row = (String, String, String, Option<String>, i64, i64, i64);
    let rows: Vec<Row> = read!(db, |c| {
        sqlx::query_as(
        "SELECT kind, decision_no, decision_date, license_no, push_id, department_id, created_at \
         FROM holder_penalties WHERE holder_code = $1 ORDER BY id"
    )
    .bind(code)
    .fetch_all(c)
    .await
    })?;
    rows.into_iter()
        .map(|(kind, decision_no, date, license_no, push_id, dept, at)| {
            Ok(HolderPenalty {
                kind: stored(
                    "penalty kind",
                    &kind,
                    serde_json::from_value(serde_json::Value::String(kind.clone())).ok(),
                )?,
                decision_no,
                decision_date: stored("penalty date", &date, parse_strict_date(&date))?,
                license_no,
                push_id,
                department: db.dept_code(dept),
                recorded_at: to_cst(from_millis(at)),
            })
        })
        .collect()
}

/// The latest name recorded for a holder code (a licence's, else a credit record's or a
/// penalty's); `None`: the register knows nothing of it.
pub async fn holder_name(db: &Db, code: &str) -> DbResult<Option<String>> {
    let name: Option<String> = read!(db, |c| sqlx::query_scalar(
        "SELECT name FROM ( \
           SELECT holder_name AS name, updated_at AS at FROM licenses WHERE holder_code = $1 \
           UNION ALL SELECT holder_name, created_at FROM credit_records WHERE holder_code = $1 \
           UNION ALL SELECT holder_name, created_at FROM holder_penalties WHERE holder_code = $1 \
         ) n ORDER BY at DESC LIMIT 1"
    )
    .bind(code)
    .fetch_optional(c)
    .await)?;
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::CreditRow;
    use crate::db::DbError;

    fn row(status: &str, start: &str, end: Option<&str>) -> CreditRow {
        CreditRow {
            id: 1,
            status: status.into(),
            authority: "高青县市场监督管理局".into(),
            decision_no: "高市监异〔2026〕1号".into(),
            start_date: start.into(),
            end_date: end.map(Into::into),
            push_id: 1,
            department_id: 2,
            created_at: 0,
        }
    }

    /// A stored status or date that does not parse fails the read, naming what it is; it is
    /// never taken for a default (a corrupt listing must not pass for "cleared").
    #[test]
    fn a_corrupt_stored_record_is_an_error_not_a_default() {
        assert!(row("dishonest", "2026-11-01", None).listing().is_ok());
        for (r, what) in [
            (row("blacklisted", "2026-11-01", None), "credit status"),
            (
                row("dishonest", "2026-13-01", None),
                "credit record start date",
            ),
            (
                row("dishonest", "2026-11-01", Some("soon")),
                "credit record end date",
            ),
        ] {
            match r.listing() {
                Err(DbError::Corrupt { what: w, .. }) => assert_eq!(w, what),
                other => panic!("{what}: {other:?}"),
            }
        }
    }
}
