//! The sweeper: auto-claims overdue deliveries (with their accountability records) and sends
//! reminders before deadlines. Idempotent and safe with several instances: every change is a
//! conditional update, so whoever sweeps first changes a row and the others find nothing.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::db::{Db, deliveries};
use crate::domain::{Clock, to_millis};
use crate::error::AppResult;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SweepReport {
    pub auto_claimed: usize,
    pub reminded: usize,
}

#[derive(Clone)]
pub struct Sweeper {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    /// Reminders (催办) fire this long before a claim deadline.
    pub remind_before: Duration,
    /// One sweep at a time within an instance (the clock endpoint and the timer both sweep).
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Sweeper {
    pub fn new(db: Db, clock: Arc<dyn Clock>, remind_before: Duration) -> Self {
        Self {
            db,
            clock,
            remind_before,
            lock: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    pub async fn sweep(&self) -> AppResult<SweepReport> {
        let _one = self.lock.lock().await;
        let now = to_millis(self.clock.now());
        let mut report = SweepReport::default();
        loop {
            let n = deliveries::auto_claim_batch(&self.db, now).await?;
            report.auto_claimed += n;
            if n < deliveries::SWEEP_BATCH as usize {
                break;
            }
        }
        let lead = i64::try_from(self.remind_before.as_millis()).unwrap_or(i64::MAX / 4);
        if lead > 0 {
            loop {
                let n = deliveries::remind_batch(&self.db, now, lead).await?;
                report.reminded += n;
                if n < deliveries::SWEEP_BATCH as usize {
                    break;
                }
            }
        }
        if report != SweepReport::default() {
            tracing::info!(
                auto_claimed = report.auto_claimed,
                reminded = report.reminded,
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
                tracing::warn!(error = %e, "sweep failed; will retry");
            }
        }
    }
}
