//! Group commit for SQLite.
//!
//! With `synchronous=FULL` every COMMIT waits for an fsync (≈5 ms on these disks), so one
//! transaction per request caps a server at ≈200 writes per second however fast the SQL is.
//! All SQLite writes therefore go through one writer task with its own connection: it takes
//! every request queued while the previous commit was syncing, runs each in its own SAVEPOINT
//! (a failing request rolls back alone), commits them together with one fsync, and only then
//! answers each request. Durability is unchanged — nobody is answered before their data is on
//! disk — and writes are serialised, as SQLite serialises them anyway.
//!
//! Every statement is a round trip to sqlx's SQLite worker thread (two thread wake-ups),
//! which on two cores costs more than the SQL itself. So the writer keeps them few: one
//! statement releases a job's savepoint and opens the next one's, and the jobs' effects (audit
//! lines and events) are stored together, in multi-row inserts, just before the COMMIT.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use tokio::sync::{mpsc, oneshot};

use super::Effects;
use crate::db::{DbError, DbResult};

/// Hands a finished write its answer once the commit outcome is known (`None`: committed).
type Deliver = Box<dyn FnOnce(Option<DbError>) + Send>;
/// A write as queued: runs in the writer's transaction and hands back the effects to store
/// with it; `Err(())` when it failed (its answer has then been sent and its savepoint is
/// rolled back).
type JobFn = Box<
    dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<(Deliver, Effects), ()>>
        + Send,
>;

/// Most requests committed by one fsync.
const MAX_BATCH: usize = 256;

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<JobFn>,
}

impl Writer {
    pub async fn start(opts: SqliteConnectOptions) -> anyhow::Result<Self> {
        // Checkpoints are run in the background by `Db` (see `run_checkpoints`), not by the
        // commit that happens to cross the threshold: a batch never waits for one.
        let opts = opts.pragma("wal_autocheckpoint", "0");
        let conn = SqliteConnection::connect_with(&opts).await?;
        let (tx, rx) = mpsc::channel(4096);
        tokio::spawn(run(conn, opts, rx));
        Ok(Self { tx })
    }

    /// Run `f` in the next group commit and store the effects it returns in the same commit.
    /// Resolves after the commit with `f`'s value and whether it wrote events.
    pub async fn write<T, F>(&self, f: F) -> DbResult<(T, bool)>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, DbResult<(T, Effects)>>
            + Send
            + 'static,
    {
        let (reply, answer) = oneshot::channel::<DbResult<(T, bool)>>();
        let job: JobFn = Box::new(move |conn| {
            Box::pin(async move {
                match f(conn).await {
                    Ok((value, effects)) => {
                        let events = !effects.events.is_empty();
                        let deliver = Box::new(move |failed: Option<DbError>| {
                            let _ = reply.send(match failed {
                                None => Ok((value, events)),
                                Some(e) => Err(e),
                            });
                        }) as Deliver;
                        Ok((deliver, effects))
                    }
                    Err(e) => {
                        let _ = reply.send(Err(e));
                        Err(())
                    }
                }
            })
        });
        self.tx
            .send(job)
            .await
            .map_err(|_| DbError::WriterStopped)?;
        // A dropped sender means the write panicked (caught in the writer).
        answer.await.map_err(|_| DbError::WritePanicked)?
    }
}

async fn run(
    mut conn: SqliteConnection,
    opts: SqliteConnectOptions,
    mut rx: mpsc::Receiver<JobFn>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if let Err(e) = conn.execute("BEGIN IMMEDIATE; SAVEPOINT job").await {
            // Dropping the jobs drops their reply channels: each caller gets an error.
            tracing::error!(error = %e, "writer cannot begin a transaction; reconnecting");
            drop(batch);
            conn = reconnect(&opts).await;
            continue;
        }
        let outcome = run_batch(&mut conn, batch).await;
        let (done, failure) = match outcome {
            Ok(done) => match conn.execute("COMMIT").await {
                Ok(_) => (done, None),
                Err(e) => (done, Some(e)),
            },
            Err((done, e)) => (done, Some(e)),
        };
        match failure {
            None => done.into_iter().for_each(|d| d(None)),
            Some(e) => {
                tracing::error!(error = %e, "group commit failed; every write in it is refused");
                let _ = conn.execute("ROLLBACK").await;
                let e = std::sync::Arc::new(e);
                for d in done {
                    d(Some(DbError::CommitFailed(e.clone())));
                }
            }
        }
    }
    let _ = conn.close().await;
}

/// Run each job in its own savepoint (the first was opened with the transaction), then store
/// the effects of those that succeeded. On a statement failure of the writer's own, the jobs
/// not yet run are dropped (their callers see an error) and the whole batch is refused.
async fn run_batch(
    conn: &mut SqliteConnection,
    batch: Vec<JobFn>,
) -> Result<Vec<Deliver>, (Vec<Deliver>, sqlx::Error)> {
    let mut done: Vec<Deliver> = Vec::with_capacity(batch.len());
    let mut effects = Effects::default();
    for (i, job) in batch.into_iter().enumerate() {
        if i > 0
            && let Err(e) = conn.execute("RELEASE SAVEPOINT job; SAVEPOINT job").await
        {
            return Err((done, e));
        }
        match AssertUnwindSafe(job(conn)).catch_unwind().await {
            Ok(Ok((deliver, fx))) => {
                done.push(deliver);
                effects.events.extend(fx.events);
                effects.audit.extend(fx.audit);
                effects.license_history.extend(fx.license_history);
            }
            Ok(Err(())) | Err(_) => {
                if let Err(e) = conn.execute("ROLLBACK TO SAVEPOINT job").await {
                    return Err((done, e));
                }
            }
        }
    }
    if let Err(e) = store_effects(conn, &effects).await {
        return Err((done, e));
    }
    Ok(done)
}

async fn store_effects(conn: &mut SqliteConnection, fx: &Effects) -> Result<(), sqlx::Error> {
    flush_effects!(&mut *conn, fx, false);
    Ok(())
}

async fn reconnect(opts: &SqliteConnectOptions) -> SqliteConnection {
    let mut delay = std::time::Duration::from_millis(100);
    loop {
        match SqliteConnection::connect_with(opts).await {
            Ok(c) => return c,
            Err(e) => {
                tracing::error!(error = %e, "writer reconnect failed");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(std::time::Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    async fn count(db: &Db, sql: &'static str) -> i64 {
        let crate::db::Pool::Sqlite(pool) = db.pool() else {
            unreachable!("a SQLite test")
        };
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    }

    /// One batch holding successes, refusals and a panic: each refused or panicking write
    /// leaves neither rows nor effects, and its batch-mates commit with all of theirs.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failing_write_leaves_no_trace_and_spares_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("w.db").display());
        let db = Db::connect(&url).await.unwrap();
        let writer = db.sqlite_writer();

        // Hold the writer inside a job until every other write is queued: they then share
        // the next batch.
        let (release, hold) = oneshot::channel::<()>();
        let blocker = tokio::spawn({
            let writer = writer.clone();
            async move {
                writer
                    .write(move |_conn| {
                        Box::pin(async move {
                            let _ = hold.await;
                            Ok(((), Effects::default()))
                        })
                    })
                    .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;

        let mut tasks = Vec::new();
        for i in 0..41i64 {
            let writer = writer.clone();
            tasks.push(tokio::spawn(async move {
                writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlx::query(
                                "INSERT INTO departments (code, name, kind, created_at) VALUES ($1, 'x', 'supervision', 0)",
                            )
                            .bind(format!("w{i}"))
                            .execute(&mut *conn)
                            .await?;
                            let mut fx = Effects::default();
                            fx.event("test.written", crate::domain::Audience::Everyone, &i, 0);
                            fx.audit(0, "t", "test.write", "department", Some(i), serde_json::json!({}));
                            if i == 40 {
                                panic!("a write that panics after writing");
                            }
                            if i % 2 == 1 {
                                return Err(DbError::conflict("odd", "refused after writing"));
                            }
                            Ok((i, fx))
                        })
                    })
                    .await
            }));
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        release.send(()).unwrap();
        blocker.await.unwrap().unwrap();

        for (i, t) in tasks.into_iter().enumerate() {
            let got = t.await.unwrap();
            match i {
                40 => assert!(matches!(got, Err(DbError::WritePanicked)), "{got:?}"),
                _ if i % 2 == 1 => {
                    assert!(matches!(got, Err(DbError::Conflict { code: "odd", .. })))
                }
                _ => assert_eq!(got.unwrap(), (i as i64, true)),
            }
        }
        let written = "SELECT COUNT(*) FROM departments WHERE code LIKE 'w%'";
        assert_eq!(count(&db, written).await, 20);
        let events = "SELECT COUNT(*) FROM events WHERE kind = 'test.written'";
        assert_eq!(count(&db, events).await, 20);
        let audit = "SELECT COUNT(*) FROM audit_log WHERE action = 'test.write'";
        assert_eq!(count(&db, audit).await, 20);
        let odd_events = "SELECT COUNT(*) FROM events WHERE kind = 'test.written' AND CAST(data AS INTEGER) % 2 = 1";
        assert_eq!(count(&db, odd_events).await, 0);
    }
}
