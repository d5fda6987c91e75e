//! The sweeper: auto-claims overdue deliveries (with their accountability records), marks
//! duties whose deadline passed (`db::duties::miss_batch`), and sends
//! reminders (催办) at the `--remind-at` times of a deadline's last working day
//! ([`crate::domain::reminders`]). Idempotent and safe with several instances: every change is a
//! conditional update, so whoever sweeps first changes a row and the others find nothing.
//! Every [`PURGE_EVERY`] of clock time it also purges old `Idempotency-Key` records and
//! long-expired sessions ([`crate::db::retention`]).

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::db::DbResult;
use crate::db::{Db, deliveries, duties, retention};
use crate::domain::reminders::due_reminders;
use crate::domain::{Clock, millis, to_millis};

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub auto_claimed: usize,
    pub reminded: usize,
    /// Duties whose deadline passed (overdue or lapsed).
    pub duties_missed: usize,
    /// Question and dispute threads not answered by their deadline (a ledger record each).
    pub answers_overdue: usize,
}

/// How often (in clock time) the housekeeping purge runs.
pub const PURGE_EVERY: Duration = Duration::from_secs(600);

/// How long housekeeping keeps what it purges.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// An `Idempotency-Key` is honoured this long after its first use.
    pub idempotency: Duration,
    /// Sessions are deleted this long after they expired (the audit log keeps the logins).
    pub expired_sessions: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            // Long enough for a business system to retry after the longest holiday.
            idempotency: Duration::from_secs(30 * 24 * 3600),
            expired_sessions: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

#[derive(Clone)]
pub struct Sweeper {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Reminders (催办) go out at these China times on a deadline's last working day.
    pub remind_at: Vec<chrono::NaiveTime>,
    pub retention: Retention,
    /// One sweep at a time within an instance (the clock endpoint and the timer both sweep);
    /// it holds the clock time (ms) of the last purge, `None` before the first.
    lock: Arc<tokio::sync::Mutex<Option<i64>>>,
}

impl Sweeper {
    pub fn new(db: Db, clock: Arc<dyn Clock>, remind_at: Vec<chrono::NaiveTime>) -> Self {
        Self {
            db,
            clock,
            remind_at,
            retention: Retention::default(),
            lock: Arc::new(tokio::sync::Mutex::new(None)),
        }
    }

    pub fn with_retention(mut self, retention: Retention) -> Self {
        self.retention = retention;
        self
    }

    /// Purge by age if [`PURGE_EVERY`] of clock time has passed since the last purge.
    async fn housekeeping(&self, last_purge: &mut Option<i64>, now: i64) -> DbResult<()> {
        if last_purge.is_some_and(|last| now.saturating_sub(last) < millis(PURGE_EVERY)) {
            return Ok(());
        }
        *last_purge = Some(now);
        let (idem, sessions) = retention::purge(
            &self.db,
            now - millis(self.retention.idempotency),
            now - millis(self.retention.expired_sessions),
        )
        .await?;
        if idem + sessions > 0 {
            tracing::info!(idempotency = idem, sessions, "purged by age");
        }
        Ok(())
    }

    pub async fn sweep(&self) -> DbResult<SweepReport> {
        let mut last_purge = self.lock.lock().await;
        let now = to_millis(self.clock.now());
        let mut report = SweepReport::default();
        loop {
            let n = deliveries::auto_claim_batch(&self.db, now).await?;
            report.auto_claimed += n;
            if n < deliveries::SWEEP_BATCH as usize {
                break;
            }
        }
        loop {
            let n = crate::db::disputes::judge_answers_batch(&self.db, now).await?;
            report.answers_overdue += n;
            if n < deliveries::SWEEP_BATCH as usize {
                break;
            }
        }
        loop {
            let n = duties::miss_batch(&self.db, now).await?;
            report.duties_missed += n;
            if n < duties::SWEEP_BATCH as usize {
                break;
            }
        }
        if let Some(due) = due_reminders(crate::domain::from_millis(now), &self.remind_at) {
            loop {
                let n = deliveries::remind_batch(&self.db, now, &due).await?;
                report.reminded += n;
                if n < deliveries::SWEEP_BATCH as usize {
                    break;
                }
            }
            loop {
                let n = duties::remind_batch(&self.db, now, &due).await?;
                report.reminded += n;
                if n < duties::SWEEP_BATCH as usize {
                    break;
                }
            }
        }
        self.housekeeping(&mut last_purge, now).await?;
        if report != SweepReport::default() {
            tracing::info!(
                auto_claimed = report.auto_claimed,
                reminded = report.reminded,
                duties_missed = report.duties_missed,
                answers_overdue = report.answers_overdue,
                "sweep"
            );
        }
        Ok(report)
    }

    /// Sweep every `interval` until cancelled.
    pub async fn run(self, interval: Duration, cancel: CancellationToken) {
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep(interval) => {}
            }
            if let Err(e) = self.sweep().await {
                tracing::warn!(error = %crate::db::Chain(&e), "sweep failed; will retry");
            }
        }
    }
}
