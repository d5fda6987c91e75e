//! Group commit for SQLite.
//!
//! With `synchronous=FULL` every COMMIT waits for an fsync (≈5 ms on these disks), so one
//! transaction per request caps a server at ≈200 writes per second however fast the SQL is.
//! All SQLite writes therefore go through one writer task with its own connection: it takes
//! every request queued while the previous commit was syncing, runs each in its own SAVEPOINT
//! (a failing request rolls back alone), commits them together with one fsync, and only then
//! answers each request. Durability is unchanged — nobody is answered before their data is on
//! disk — and writes are serialised, as SQLite serialises them anyway.

use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Executor};
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppError, AppResult};

/// Hands a finished write its answer once the commit outcome is known (`None`: committed).
type Deliver = Box<dyn FnOnce(Option<AppError>) + Send>;
/// A write as queued: runs in the writer's transaction; `Err(())` when it failed (its answer
/// has then been sent and its savepoint is rolled back).
type JobFn =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<Deliver, ()>> + Send>;

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

    /// Run `f` in the next group commit; resolves with its value after the commit.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, AppResult<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<AppResult<T>>();
        let job: JobFn = Box::new(move |conn| {
            Box::pin(async move {
                match f(conn).await {
                    Ok(value) => Ok(Box::new(move |failed: Option<AppError>| {
                        let _ = reply.send(match failed {
                            None => Ok(value),
                            Some(e) => Err(e),
                        });
                    }) as Deliver),
                    Err(e) => {
                        let _ = reply.send(Err(e));
                        Err(())
                    }
                }
            })
        });
        let stopped = || AppError::Unavailable("the database writer has stopped".into());
        self.tx.send(job).await.map_err(|_| stopped())?;
        // A dropped sender means the write panicked (caught in the writer).
        answer
            .await
            .map_err(|_| AppError::Internal("a write failed unexpectedly".into()))?
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
        if let Err(e) = conn.execute("BEGIN IMMEDIATE").await {
            // Dropping the jobs drops their reply channels: each caller gets an error.
            tracing::error!(error = %e, "writer cannot begin a transaction; reconnecting");
            drop(batch);
            conn = reconnect(&opts).await;
            continue;
        }
        let mut done: Vec<Deliver> = Vec::with_capacity(batch.len());
        for job in batch {
            let _ = conn.execute("SAVEPOINT job").await;
            let outcome = AssertUnwindSafe(job(&mut conn)).catch_unwind().await;
            match outcome {
                Ok(Ok(deliver)) => done.push(deliver),
                Ok(Err(())) | Err(_) => {
                    let _ = conn.execute("ROLLBACK TO SAVEPOINT job").await;
                }
            }
            let _ = conn.execute("RELEASE SAVEPOINT job").await;
        }
        match conn.execute("COMMIT").await {
            Ok(_) => done.into_iter().for_each(|d| d(None)),
            Err(e) => {
                tracing::error!(error = %e, "group commit failed; every write in it is refused");
                let _ = conn.execute("ROLLBACK").await;
                for d in done {
                    d(Some(AppError::Unavailable(format!("commit failed: {e}"))));
                }
            }
        }
    }
    let _ = conn.close().await;
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
