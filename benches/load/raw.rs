//! The raw-sqlx limit: the rows of a push written straight through sqlx, three ways.

use crate::prelude::*;

/// The payloads the raw writer stores: the same JSON the server stores for a push and its
/// two `delivery.created` events.
pub struct RawPayload {
    pub content: String,
    pub ev_data: Vec<String>,
    pub now: i64,
    pub claim_deadline: i64,
    pub feedback_deadline: i64,
}

/// The same rows the server writes for one approval push with 2 recipients, with the same
/// statements (see src/db/pushes.rs): 1 pushes row, then both deliveries rows in one
/// `INSERT … RETURNING id, department_id`. Returns the push id.
pub async fn write_push_rows(
    conn: &mut sqlx::SqliteConnection,
    p: &RawPayload,
    n: usize,
) -> anyhow::Result<i64> {
    let (push_id,): (i64,) = sqlx::query_as(
        "INSERT INTO pushes (kind, source_department_id, title, counterparty_name, license_no, important, content, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind("approval")
    .bind(1i64)
    .bind(format!("食品经营许可（新办）#{n}"))
    .bind(format!("福州市示例餐饮管理有限公司{n}"))
    .bind(format!("JY1350100{n:08}"))
    .bind(false)
    .bind(p.content.as_str())
    .bind(p.now)
    .bind("pusher")
    .fetch_one(&mut *conn)
    .await?;
    let ids: Vec<(i64, i64)> = sqlx::query_as(
        "INSERT INTO deliveries (push_id, department_id, source_department_id, status, received_at, claim_deadline, feedback_deadline, deadline_provisional, escalated) \
         VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, FALSE), ($8, $9, $10, 'pending', $11, $12, $13, $14, FALSE) RETURNING id, department_id",
    )
    .bind(push_id)
    .bind(2i64)
    .bind(1i64)
    .bind(p.now)
    .bind(p.claim_deadline)
    .bind(p.feedback_deadline)
    .bind(false)
    .bind(push_id)
    .bind(3i64)
    .bind(1i64)
    .bind(p.now)
    .bind(p.claim_deadline)
    .bind(p.feedback_deadline)
    .bind(false)
    .fetch_all(&mut *conn)
    .await?;
    anyhow::ensure!(ids.len() == 2, "two deliveries");
    Ok(push_id)
}

/// The effects the server stores for these pushes (`flush_effects!` in src/db/mod.rs): one
/// audit_log row per push and two events rows per push, each table in one multi-row insert.
pub async fn write_push_effects(
    conn: &mut sqlx::SqliteConnection,
    p: &RawPayload,
    push_ids: &[i64],
) -> anyhow::Result<()> {
    let mut qb = sqlx::QueryBuilder::new(
        "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) ",
    );
    qb.push_values(push_ids, |mut b, id| {
        b.push_bind(p.now)
            .push_bind("pusher")
            .push_bind("push.create")
            .push_bind("push")
            .push_bind(*id)
            .push_bind(r#"{"kind":"approval","recipients":[2,3]}"#);
    });
    qb.build().execute(&mut *conn).await?;
    let mut qb = sqlx::QueryBuilder::new("INSERT INTO events (kind, dept_a, dept_b, data, at) ");
    let events: Vec<(i64, &str)> = push_ids
        .iter()
        .flat_map(|_| [(2i64, p.ev_data[0].as_str()), (3, p.ev_data[1].as_str())])
        .collect();
    qb.push_values(&events, |mut b, (dept, data)| {
        b.push_bind("delivery.created")
            .push_bind(*dept)
            .push_bind(1i64)
            .push_bind(*data)
            .push_bind(p.now);
    });
    qb.build().execute(&mut *conn).await?;
    Ok(())
}

/// How the raw writer commits.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RawMode {
    /// The spec's limit: one BEGIN IMMEDIATE transaction per push on the server's own pool
    /// (8 connections; waiting for the write lock is SQLite's sleeping busy handler).
    PerPush,
    /// One transaction per push, but writers queue FIFO on an in-process mutex before BEGIN.
    PerPushFifo,
    /// Group commit as the server's writer does it (src/db/writer.rs): one connection takes
    /// every queued push (up to 256) into one transaction, each in its own SAVEPOINT, stores
    /// the batch's effects together and answers each push after the durable COMMIT.
    Group,
}

/// Run the raw writer in `mode` for `raw_secs` on a fresh file with the server's connection
/// settings (`Db::connect`: WAL, synchronous=FULL). Returns (pushes/s, p50, p99).
pub async fn raw_limit(
    dir: &std::path::Path,
    cfg: &Cfg,
    s: &Setup,
    mode: RawMode,
) -> anyhow::Result<(f64, Duration, Duration)> {
    let file = dir.join(format!("raw-{mode:?}.db"));
    let db = Db::connect(&format!("sqlite://{}", file.display())).await?;
    let pool = sqlite_pool(&db);
    let now = shenguan::domain::to_millis(s.server.state.clock.now());
    for (i, (code, kind)) in [
        ("approval", "approval"),
        ("market", "supervision"),
        ("health", "supervision"),
    ]
    .iter()
    .enumerate()
    {
        sqlx::query(
            "INSERT INTO departments (id, code, name, kind, created_at) VALUES ($1, $2, $2, $3, $4)",
        )
        .bind(i as i64 + 1)
        .bind(code)
        .bind(kind)
        .bind(now)
        .execute(&pool)
        .await?;
    }
    let sample = s
        .pusher
        .create_approval_push(
            &approval_push(999_999_999, &["market", "health"], s.today),
            None,
        )
        .await?;
    let payload = Arc::new(RawPayload {
        content: serde_json::to_string(&sample.content)?,
        ev_data: sample
            .deliveries
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<_, _>>()?,
        now,
        claim_deadline: sample.deliveries[0].claim_deadline.timestamp_millis(),
        feedback_deadline: sample.deliveries[0].feedback_deadline.timestamp_millis(),
    });
    type Job = (usize, tokio::sync::oneshot::Sender<Result<(), String>>);
    let (job_tx, mut job_rx) = tokio::sync::mpsc::unbounded_channel::<Job>();
    let writer = if mode == RawMode::Group {
        let (pool, payload) = (pool.clone(), payload.clone());
        Some(tokio::spawn(async move {
            let mut conn = pool.acquire().await.expect("writer connection");
            while let Some(first) = job_rx.recv().await {
                let mut jobs = vec![first];
                while jobs.len() < 256 {
                    match job_rx.try_recv() {
                        Ok(j) => jobs.push(j),
                        Err(_) => break,
                    }
                }
                let res: anyhow::Result<()> = async {
                    use sqlx::Executor;
                    conn.execute("BEGIN IMMEDIATE; SAVEPOINT push").await?;
                    let mut ids = Vec::with_capacity(jobs.len());
                    for (i, (n, _)) in jobs.iter().enumerate() {
                        if i > 0 {
                            conn.execute("RELEASE push; SAVEPOINT push").await?;
                        }
                        ids.push(write_push_rows(&mut conn, &payload, *n).await?);
                    }
                    write_push_effects(&mut conn, &payload, &ids).await?;
                    conn.execute("COMMIT").await?;
                    Ok(())
                }
                .await;
                if res.is_err() {
                    let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                }
                for (_, ack) in jobs {
                    let _ = ack.send(res.as_ref().map(|_| ()).map_err(|e| e.to_string()));
                }
            }
        }))
    } else {
        drop(job_rx);
        None
    };
    let counter = Arc::new(AtomicUsize::new(0));
    let fifo = Arc::new(tokio::sync::Mutex::new(()));
    let op = move |_w: usize| {
        let (pool, payload, fifo, job_tx) =
            (pool.clone(), payload.clone(), fifo.clone(), job_tx.clone());
        let n = counter.fetch_add(1, Ordering::Relaxed);
        async move {
            Some(
                async {
                    match mode {
                        RawMode::Group => {
                            let (ack, done) = tokio::sync::oneshot::channel();
                            job_tx
                                .send((n, ack))
                                .map_err(|_| anyhow::anyhow!("writer gone"))?;
                            done.await?.map_err(|e| anyhow::anyhow!(e))?;
                        }
                        RawMode::PerPush | RawMode::PerPushFifo => {
                            let _turn = match mode {
                                RawMode::PerPushFifo => Some(fifo.lock().await),
                                _ => None,
                            };
                            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
                            let id = write_push_rows(&mut tx, &payload, n).await?;
                            write_push_effects(&mut tx, &payload, &[id]).await?;
                            tx.commit().await?;
                        }
                    }
                    anyhow::Ok(())
                }
                .await,
            )
        }
    };
    // `op` holds the writer's job sender; it is dropped once the drive is over, so the writer
    // sees its channel close and ends.
    let (n, el, lat, errs) = warm_then_drive(cfg.concurrency, cfg.raw_secs, op).await;
    if let Some(w) = writer {
        let _ = w.await;
    }
    let rate = n as f64 / el.as_secs_f64();
    println!(
        "  {mode:?}: {n} pushes in {:.2}s, {errs} errors: {rate:.0}/s; {}",
        el.as_secs_f64(),
        latency_line(&lat)
    );
    db.close().await;
    Ok((rate, pct(&lat, 50.0), pct(&lat, 99.0)))
}
