//! Failed logins per (lower-cased) username and client address, in the database so every
//! instance on one PostgreSQL counts the same failures. See `server::login_guard`.

use super::Db;
use crate::db::DbResult;

/// One pair's current run of failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Failures {
    pub failures: i64,
    pub first_at: i64,
    pub locked_until: Option<i64>,
}

pub async fn get(db: &Db, username: &str, client: &str) -> DbResult<Option<Failures>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
            "SELECT failures, first_at, locked_until FROM login_failures \
             WHERE username = $1 AND client = $2",
        )
        .bind(username)
        .bind(client)
        .fetch_optional(c)
        .await
    })?)
}

/// Count one failure, atomically (instances racing on one pair each count): a run older than
/// `window_ms` starts again. When the run reaches `max_failures` the pair is locked until
/// `now + lockout_ms` and its count starts again. Returns the lock, if this failure set it,
/// and the failures in the run so far.
pub async fn record(
    db: &Db,
    username: &str,
    client: &str,
    now: i64,
    window_ms: i64,
    max_failures: i64,
    lockout_ms: i64,
) -> DbResult<(Option<i64>, i64)> {
    let (username, client) = (username.to_string(), client.to_string());
    Ok(write_tx!(db, |tx, _fx| {
        let (failures,): (i64,) = sqlx::query_as(
            "INSERT INTO login_failures (username, client, failures, first_at, locked_until) \
             VALUES ($1, $2, 1, $3, NULL) \
             ON CONFLICT (username, client) DO UPDATE SET \
               failures = CASE WHEN login_failures.first_at <= $4 THEN 1 \
                               ELSE login_failures.failures + 1 END, \
               first_at = CASE WHEN login_failures.first_at <= $4 THEN $3 \
                               ELSE login_failures.first_at END \
             RETURNING failures",
        )
        .bind(&username)
        .bind(&client)
        .bind(now)
        .bind(now - window_ms)
        .fetch_one(&mut *tx)
        .await?;
        if failures >= max_failures {
            let until = now + lockout_ms;
            sqlx::query(
                "UPDATE login_failures SET failures = 0, first_at = $3, locked_until = $4 \
                 WHERE username = $1 AND client = $2",
            )
            .bind(&username)
            .bind(&client)
            .bind(now)
            .bind(until)
            .execute(&mut *tx)
            .await?;
            (Some(until), failures)
        } else {
            (None, failures)
        }
    }))
}

/// Forget a pair's failures (it logged in).
pub async fn clear(db: &Db, username: &str, client: &str) -> DbResult<()> {
    let (username, client) = (username.to_string(), client.to_string());
    write_tx!(db, |tx, _fx| {
        sqlx::query("DELETE FROM login_failures WHERE username = $1 AND client = $2")
            .bind(&username)
            .bind(&client)
            .execute(&mut *tx)
            .await?;
    });
    Ok(())
}

/// Lift every lock and forget every failure of a username (`shenguan admin unlock`).
/// Returns how many client addresses were affected.
pub async fn unlock(db: &Db, username: &str) -> DbResult<u64> {
    let username = username.to_string();
    Ok(write_tx!(db, |tx, _fx| {
        sqlx::query("DELETE FROM login_failures WHERE username = $1")
            .bind(&username)
            .execute(&mut *tx)
            .await?
            .rows_affected()
    }))
}

/// Forget runs that began before `before` and hold no lock still in force at `now`.
pub async fn purge(db: &Db, before: i64, now: i64) -> DbResult<u64> {
    Ok(write_tx!(db, |tx, _fx| {
        sqlx::query(
            "DELETE FROM login_failures WHERE first_at < $1 \
             AND (locked_until IS NULL OR locked_until < $2)",
        )
        .bind(before)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    }))
}
