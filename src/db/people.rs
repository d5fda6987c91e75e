//! Departments, users, sessions and API keys.

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::Principal;

use super::rows::UserRow;
use super::{Db, unique_violation};

pub async fn create_department(
    db: &Db,
    actor: &Principal,
    d: &NewDepartment,
    now: i64,
) -> DbResult<Department> {
    let (actor, d) = (actor.clone(), d.clone());
    let created = write_tx!(db, |tx, fx| {
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO departments (code, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(&d.code)
                .bind(&d.name)
                .bind(d.kind.as_str())
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match unique_violation(&e) {
                    true => DbError::conflict("department_exists", format!("部门代码已存在 / department code {} exists", d.code)),
                    false => e.into(),
                })?;
        fx.audit(
            now,
            &actor.name,
            "department.create",
            "department",
            Some(id),
            serde_json::to_value(&d).unwrap_or_default(),
        );
        // Everyone may see it (department names are shown county-wide); other instances
        // refresh their department cache when it reaches them.
        let created = Department {
            code: d.code,
            name: d.name,
            kind: d.kind,
        };
        fx.event(
            event_types::DEPARTMENT_CREATED,
            crate::domain::Audience::Everyone,
            &created,
            now,
        );
        created
    });
    db.reload_departments().await?;
    Ok(created)
}

#[derive(Debug, Clone)]
pub struct NewUserRow {
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
}

pub async fn create_user(db: &Db, actor: &Principal, u: NewUserRow, now: i64) -> DbResult<User> {
    let actor = actor.clone();
    let row: UserRow = write_tx!(db, |tx, fx| {
        let row: UserRow = sqlx::query_as(concat!(
            "INSERT INTO users (username, password_hash, display_name, role, department_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
            user_columns!()
        ))
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(&u.display_name)
        .bind(u.role.as_str())
        .bind(u.department_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| match unique_violation(&e) {
            true => DbError::conflict("username_taken", format!("用户名已被使用 / username {} is taken", u.username)),
            false => e.into(),
        })?;
        fx.audit(
            now,
            &actor.name,
            "user.create",
            "user",
            Some(row.id),
            serde_json::json!({"username": u.username, "role": u.role.as_str(), "department_id": u.department_id}),
        );
        row
    });
    Ok(row.to_api(db))
}

pub async fn admin_exists(db: &Db) -> DbResult<bool> {
    let row: Option<(i64,)> = read!(db, |c| sqlx::query_as(
        "SELECT id FROM users WHERE role = 'admin' LIMIT 1"
    )
    .fetch_optional(c)
    .await)?;
    Ok(row.is_some())
}

pub async fn user_by_username(db: &Db, username: &str) -> DbResult<Option<UserRow>> {
    Ok(read!(db, |c| {
        sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE lower(username) = lower($1)"
        ))
        .bind(username)
        .fetch_optional(c)
        .await
    })?)
}

pub async fn user_by_id(db: &Db, id: i64) -> DbResult<Option<UserRow>> {
    Ok(read!(db, |c| {
        sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(c)
        .await
    })?)
}

pub async fn list_users(db: &Db) -> DbResult<Vec<UserRow>> {
    Ok(read!(db, |c| {
        sqlx::query_as(concat!(
            "SELECT ",
            user_columns!(),
            " FROM users ORDER BY id"
        ))
        .fetch_all(c)
        .await
    })?)
}

pub async fn create_session(
    db: &Db,
    user: &UserRow,
    token_hash: &str,
    now: i64,
    expires_at: i64,
) -> DbResult<()> {
    let (user, token_hash) = (user.clone(), token_hash.to_string());
    write_tx!(db, |tx, fx| {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user.id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
        fx.audit(
            now,
            &user.username,
            "session.create",
            "user",
            Some(user.id),
            serde_json::json!({}),
        );
    });
    Ok(())
}

/// Revoke a session; returns whether it was live.
pub async fn revoke_session(
    db: &Db,
    actor: &Principal,
    token_hash: &str,
    now: i64,
) -> DbResult<bool> {
    let (actor, token_hash) = (actor.clone(), token_hash.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let r = sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
        fx.audit(
            now,
            &actor.name,
            "session.revoke",
            "user",
            actor.user_id,
            serde_json::json!({}),
        );
        r.rows_affected() == 1
    }))
}

/// Set a user's password hash and end their sessions — all of them, or all but `keep` (the
/// session that asked for the change). No such user: not found.
pub async fn set_password(
    db: &Db,
    actor: &Principal,
    user_id: i64,
    password_hash: String,
    keep: Option<String>,
    now: i64,
) -> DbResult<()> {
    let actor = actor.clone();
    write_tx!(db, |tx, fx| {
        let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(&password_hash)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 0 {
            return Err(DbError::NotFound {
                zh: "用户",
                en: "user",
            });
        }
        sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
             AND ($3 IS NULL OR token_hash <> $3)",
        )
        .bind(now)
        .bind(user_id)
        .bind(keep.as_deref())
        .execute(&mut *tx)
        .await?;
        fx.audit(
            now,
            &actor.name,
            "user.password",
            "user",
            Some(user_id),
            serde_json::json!({"by_self": actor.user_id == Some(user_id)}),
        );
    });
    Ok(())
}

/// Deactivate (ending every session) or reactivate an account; `None` if there is no such user.
pub async fn set_active(
    db: &Db,
    actor: &Principal,
    user_id: i64,
    active: bool,
    now: i64,
) -> DbResult<Option<UserRow>> {
    let actor = actor.clone();
    Ok(write_tx!(db, |tx, fx| {
        let row: Option<UserRow> = sqlx::query_as(
            concat!(
                "UPDATE users SET deactivated_at = CASE WHEN $1 THEN NULL ELSE COALESCE(deactivated_at, $2) END \
                 WHERE id = $3 RETURNING ",
                user_columns!()
            ),
        )
        .bind(active)
        .bind(now)
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if row.is_some() {
            if !active {
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            }
            fx.audit(
                now,
                &actor.name,
                if active {
                    "user.activate"
                } else {
                    "user.deactivate"
                },
                "user",
                Some(user_id),
                serde_json::json!({}),
            );
        }
        row
    }))
}

/// Audit a failed login (a security event), and the lock it caused if it did. The name is
/// whatever was typed, cut to 64 characters.
pub async fn record_login_failure(db: &Db, username: &str, locked: bool, now: i64) -> DbResult<()> {
    let name: String = username.chars().take(64).collect();
    write_tx!(db, |_tx, fx| {
        fx.audit(
            now,
            &name,
            "session.login_failed",
            "user",
            None,
            serde_json::json!({}),
        );
        if locked {
            fx.audit(
                now,
                &name,
                "session.locked",
                "user",
                None,
                serde_json::json!({}),
            );
        }
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PrincipalRow {
    expires_at: i64,
    last_used_at: i64,
    user_id: i64,
    username: String,
    role: Role,
    department_id: Option<i64>,
}

/// A live session's times (ms): when it expires and when it was last used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionTimes {
    pub expires_at: i64,
    pub last_used_at: i64,
}

/// The caller of a live (unrevoked, unexpired, active-user) session. Idleness is judged by
/// the caller from `last_used_at`, so that an idle session can be told apart from a dead one.
pub async fn principal_for_session(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> DbResult<Option<(Principal, SessionTimes)>> {
    let row: Option<PrincipalRow> = read!(db, |c| {
        sqlx::query_as(
        "SELECT u.id AS user_id, u.username, u.role, u.department_id, s.expires_at, \
         COALESCE(s.last_used_at, s.created_at) AS last_used_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND u.deactivated_at IS NULL"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| {
        let times = SessionTimes {
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
        };
        (
            Principal {
                user_id: Some(r.user_id),
                api_key_id: None,
                name: r.username,
                role: r.role,
                department_id: r.department_id,
            },
            times,
        )
    }))
}

/// Record that a session was used at `now` (never moving the time backwards). Called at most
/// about once a minute per session, so the request path stays free of writes.
pub async fn touch_session(db: &Db, token_hash: &str, now: i64) -> DbResult<()> {
    let token_hash = token_hash.to_string();
    write_tx!(db, |tx, _fx| {
        sqlx::query(
            "UPDATE sessions SET last_used_at = $1 WHERE token_hash = $2 \
             AND (last_used_at IS NULL OR last_used_at < $1)",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
    });
    Ok(())
}

pub async fn create_api_key(
    db: &Db,
    actor: &Principal,
    name: &str,
    department_id: i64,
    key_hash: &str,
    now: i64,
) -> DbResult<i64> {
    let (actor, name, key_hash) = (actor.clone(), name.to_string(), key_hash.to_string());
    Ok(write_tx!(db, |tx, fx| {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_keys (key_hash, name, department_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(key_hash)
        .bind(&name)
        .bind(department_id)
        .bind(actor.user_id.unwrap_or(0))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        fx.audit(
            now,
            &actor.name,
            "api_key.create",
            "api_key",
            Some(id),
            serde_json::json!({"name": name, "department_id": department_id}),
        );
        id
    }))
}

pub async fn revoke_api_key(db: &Db, actor: &Principal, id: i64, now: i64) -> DbResult<bool> {
    let actor = actor.clone();
    Ok(write_tx!(db, |tx, fx| {
        let r =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        fx.audit(
            now,
            &actor.name,
            "api_key.revoke",
            "api_key",
            Some(id),
            serde_json::json!({}),
        );
        r.rows_affected() == 1
    }))
}

pub async fn principal_for_api_key(db: &Db, key_hash: &str) -> DbResult<Option<Principal>> {
    let row: Option<(i64, String, i64, DepartmentKind)> = read!(db, |c| {
        sqlx::query_as(
        "SELECT k.id, k.name, k.department_id, dp.kind FROM api_keys k JOIN departments dp ON dp.id = k.department_id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL"
    )
    .bind(key_hash)
    .fetch_optional(c)
    .await
    })?;
    let Some((id, name, dept, kind)) = row else {
        return Ok(None);
    };
    Ok(Some(Principal {
        user_id: None,
        api_key_id: Some(id),
        name: format!("api-key:{name}"),
        // A business system acts as staff of its own department.
        role: match kind {
            DepartmentKind::Approval => Role::ApprovalStaff,
            DepartmentKind::Supervision => Role::SupervisionStaff,
        },
        department_id: Some(dept),
    }))
}

/// The department of each acting name as the audit log, claims and escalations record it:
/// a username, or `api-key:NAME` for a business system (`None`: a person of no department —
/// supervisors, duty officers, admins). Names not found are absent from the answer.
pub async fn departments_of(
    db: &Db,
    names: &[String],
) -> DbResult<std::collections::HashMap<String, Option<i64>>> {
    let mut out = std::collections::HashMap::new();
    let (keys, users): (Vec<&String>, Vec<&String>) =
        names.iter().partition(|n| n.starts_with("api-key:"));
    if !users.is_empty() {
        let rows: Vec<(String, Option<i64>)> = read!(db, |c| {
            let mut qb = sqlx::QueryBuilder::new(
                "SELECT username, department_id FROM users WHERE username IN (",
            );
            let mut sep = qb.separated(", ");
            for u in &users {
                sep.push_bind(u.as_str());
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    if !keys.is_empty() {
        let rows: Vec<(String, i64)> = read!(db, |c| {
            let mut qb =
                sqlx::QueryBuilder::new("SELECT name, department_id FROM api_keys WHERE name IN (");
            let mut sep = qb.separated(", ");
            for k in &keys {
                sep.push_bind(k.trim_start_matches("api-key:"));
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        for (name, dept) in rows {
            // Two keys of one name in different departments: the name is not shown to either.
            let entry = out.entry(format!("api-key:{name}")).or_insert(Some(dept));
            if *entry != Some(dept) {
                *entry = Some(-1);
            }
        }
    }
    Ok(out)
}
