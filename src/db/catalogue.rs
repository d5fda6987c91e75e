//! The credit-approval catalogue (art. 8): items and their versions. A change is a new
//! version row and a bump of the item's `current_version` in one transaction; the bump is a
//! row update, so two changes at once are serialised (the second gets the next number, or a
//! 409 when it named the version it replaces).

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, from_millis, to_cst};

use super::{Db, unique_violation};

/// A version as the handler resolved it (departments as ids).
#[derive(Debug, Clone)]
pub struct VersionData {
    pub name: String,
    pub conditions: Vec<String>,
    pub materials: Vec<String>,
    pub mode: VerificationMode,
    pub departments: Vec<i64>,
    pub note: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VersionRow {
    item_id: i64,
    code: String,
    version: i32,
    name: String,
    conditions: String,
    materials: String,
    verification_mode: String,
    departments: String,
    note: Option<String>,
    created_at: i64,
    created_by: String,
}

const VERSION_COLUMNS: &str = "v.item_id, i.code, v.version, v.name, v.conditions, v.materials, \
     v.verification_mode, v.departments, v.note, v.created_at, v.created_by";

impl VersionRow {
    fn to_api(&self, db: &Db) -> DbResult<CatalogueVersion> {
        let ids: Vec<i64> = serde_json::from_str(&self.departments)?;
        Ok(CatalogueVersion {
            version: self.version,
            name: self.name.clone(),
            conditions: serde_json::from_str(&self.conditions)?,
            materials: serde_json::from_str(&self.materials)?,
            verification_mode: VerificationMode::parse(&self.verification_mode).ok_or(
                DbError::Corrupt {
                    what: "verification mode",
                    source: self.verification_mode.clone().into(),
                },
            )?,
            departments: ids.into_iter().map(|d| db.dept_code(d)).collect(),
            note: self.note.clone(),
            created_at: to_cst(from_millis(self.created_at)),
            created_by: self.created_by.clone(),
        })
    }
}

/// Insert version `version` of `item` (inside a transaction).
macro_rules! insert_version {
    ($tx:ident, $item:expr, $version:expr, $v:expr, $now:expr, $by:expr) => {{
        let v: &VersionData = $v;
        sqlx::query(
            "INSERT INTO catalogue_versions (item_id, version, name, conditions, materials, verification_mode, \
             departments, note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind($item)
        .bind($version)
        .bind(&v.name)
        .bind(serde_json::to_string(&v.conditions)?)
        .bind(serde_json::to_string(&v.materials)?)
        .bind(v.mode.as_str())
        .bind(serde_json::to_string(&v.departments)?)
        .bind(&v.note)
        .bind($now)
        .bind($by)
        .execute(&mut *$tx)
        .await?;
    }};
}

fn item(
    db: &Db,
    id: i64,
    code: String,
    current: &VersionData,
    version: i32,
    now: i64,
    by: &str,
) -> CatalogueItem {
    CatalogueItem {
        id,
        code,
        current: CatalogueVersion {
            version,
            name: current.name.clone(),
            conditions: current.conditions.clone(),
            materials: current.materials.clone(),
            verification_mode: current.mode,
            departments: current
                .departments
                .iter()
                .map(|d| db.dept_code(*d))
                .collect(),
            note: current.note.clone(),
            created_at: to_cst(from_millis(now)),
            created_by: by.to_string(),
        },
        versions: Vec::new(),
    }
}

/// A new item (version 1). A code already in the catalogue is a 409.
pub async fn create(
    db: &Db,
    by: &str,
    code: String,
    v: VersionData,
    now: i64,
) -> DbResult<CatalogueItem> {
    let by = by.to_string();
    Ok(write_tx!(db, |tx, fx| {
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO catalogue_items (code, current_version, created_at, created_by) VALUES ($1, 1, $2, $3) RETURNING id",
        )
        .bind(&code)
        .bind(now)
        .bind(&by)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Err(e) if unique_violation(&e) => return Err(code_taken(&code)),
            other => other?,
        };
        insert_version!(tx, id, 1i32, &v, now, &by);
        let out = item(db, id, code.clone(), &v, 1, now, &by);
        fx.event(
            event_types::CATALOGUE_CHANGED,
            Audience::Everyone,
            &out,
            now,
        );
        fx.audit(
            now,
            &by,
            "catalogue.create",
            "catalogue_item",
            Some(id),
            serde_json::json!({"code": code}),
        );
        out
    }))
}

fn code_taken(code: &str) -> DbError {
    DbError::conflict(
        "catalogue_code_taken",
        format!("目录中已有事项编码 {code} / the catalogue already has an item with code {code}"),
    )
}

/// The item's next version. `base`: the version the change replaces (409 if another is
/// current by now).
pub async fn add_version(
    db: &Db,
    by: &str,
    id: i64,
    base: Option<i32>,
    v: VersionData,
    now: i64,
) -> DbResult<CatalogueItem> {
    let by = by.to_string();
    Ok(write_tx!(db, |tx, fx| {
        // The bump locks the item row (PostgreSQL) or runs alone (SQLite's one writer).
        let bumped: Option<(i32, String)> = sqlx::query_as(
            "UPDATE catalogue_items SET current_version = current_version + 1 WHERE id = $1 RETURNING current_version, code",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((version, code)) = bumped else {
            return Err(DbError::NotFound {
                zh: "目录事项",
                en: "catalogue item",
            });
        };
        if let Some(b) = base
            && b != version - 1
        {
            return Err(DbError::conflict(
                "catalogue_version_changed",
                format!(
                    "该事项当前为第 {cur} 版，不是第 {b} 版 / the item's current version is {cur}, not {b}",
                    cur = version - 1
                ),
            ));
        }
        insert_version!(tx, id, version, &v, now, &by);
        let out = item(db, id, code.clone(), &v, version, now, &by);
        fx.event(
            event_types::CATALOGUE_CHANGED,
            Audience::Everyone,
            &out,
            now,
        );
        fx.audit(
            now,
            &by,
            "catalogue.version",
            "catalogue_item",
            Some(id),
            serde_json::json!({"code": code, "version": version}),
        );
        out
    }))
}

/// Every item with its current version, by code.
pub async fn list(db: &Db) -> DbResult<Vec<CatalogueItem>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM catalogue_items i JOIN catalogue_versions v \
         ON v.item_id = i.id AND v.version = i.current_version ORDER BY i.code"
    );
    let rows: Vec<VersionRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .fetch_all(c)
        .await)?;
    rows.iter()
        .map(|r| {
            Ok(CatalogueItem {
                id: r.item_id,
                code: r.code.clone(),
                current: r.to_api(db)?,
                versions: Vec::new(),
            })
        })
        .collect()
}

/// One item with every version, oldest first.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<CatalogueItem>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM catalogue_items i JOIN catalogue_versions v ON v.item_id = i.id \
         WHERE i.id = $1 ORDER BY v.version"
    );
    let rows: Vec<VersionRow> = read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(id)
        .fetch_all(c)
        .await)?;
    let Some(last) = rows.last() else {
        return Ok(None);
    };
    let versions = rows
        .iter()
        .map(|r| r.to_api(db))
        .collect::<DbResult<Vec<_>>>()?;
    Ok(Some(CatalogueItem {
        id,
        code: last.code.clone(),
        current: last.to_api(db)?,
        versions,
    }))
}

/// The current version of an item and its verification mode, if it exists.
pub async fn current(db: &Db, id: i64) -> DbResult<Option<(i32, VerificationMode)>> {
    let row: Option<(i32, String)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT v.version, v.verification_mode FROM catalogue_items i JOIN catalogue_versions v \
         ON v.item_id = i.id AND v.version = i.current_version WHERE i.id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.and_then(|(v, m)| VerificationMode::parse(&m).map(|m| (v, m))))
}
