//! Live events: one tailer per instance reads new rows of the durable `events` table and
//! broadcasts them to every subscriber of that instance. Local commits wake it at once;
//! with PostgreSQL, other instances' commits wake it through LISTEN/NOTIFY; a one-second
//! poll covers anything missed (a dropped notification, a restarted listener).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use crate::api::event_types;
use crate::db::{Db, DbError, rows::EventRow};
use crate::domain::{Action, Audience, Principal, from_millis, policy, to_cst};

/// An event ready to send: the audience for filtering and the SSE payload, serialised once.
#[derive(Debug)]
pub struct HubEvent {
    pub id: i64,
    pub kind: String,
    pub audience: Audience,
    pub json: String,
}

impl HubEvent {
    /// The event as stored; its data must be the JSON it was written as (a row that is not
    /// is corrupt: an error, never sent as `null`).
    pub fn from_row(r: EventRow) -> Result<Self, DbError> {
        let data: serde_json::Value =
            serde_json::from_str(&r.data).map_err(|e| DbError::Corrupt {
                what: "event data",
                source: Box::new(e),
            })?;
        let ev = crate::api::Event {
            id: r.id,
            kind: r.kind.clone(),
            at: to_cst(from_millis(r.at)),
            data,
        };
        Ok(Self {
            id: r.id,
            kind: r.kind,
            audience: Audience::from_columns(r.dept_a, r.dept_b),
            json: serde_json::to_string(&ev).expect("event serialises"),
        })
    }
    pub fn visible_to(&self, p: &Principal) -> bool {
        policy::may(p, Action::See, self.audience)
    }
}

#[derive(Clone)]
pub struct EventHub {
    tx: broadcast::Sender<Arc<HubEvent>>,
    head: Arc<AtomicI64>,
    subscribers: Arc<AtomicI64>,
}

impl EventHub {
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            tx,
            head: Arc::new(AtomicI64::new(0)),
            subscribers: Arc::new(AtomicI64::new(0)),
        }
    }
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<HubEvent>> {
        self.tx.subscribe()
    }
    /// The id of the last event broadcast by this instance.
    pub fn head(&self) -> i64 {
        self.head.load(Ordering::Acquire)
    }
    pub fn subscriber_count(&self) -> &AtomicI64 {
        &self.subscribers
    }

    /// Run the tailer until cancelled. `on_event` sees each event first (calendar reloads).
    pub async fn run_tailer(
        self,
        db: Db,
        cancel: CancellationToken,
        on_event: impl Fn(&HubEvent) + Send + 'static,
    ) {
        let mut last = match crate::db::events::head(&db).await {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %crate::db::Chain(&e), "cannot read event log head");
                0
            }
        };
        self.head.store(last, Ordering::Release);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = db.events_written() => {}
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            loop {
                let rows = match crate::db::events::after(&db, last, 1000).await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::warn!(error = %crate::db::Chain(&e), "reading the event log failed; retrying");
                        break;
                    }
                };
                let n = rows.len();
                for r in rows {
                    last = r.id;
                    let ev = match HubEvent::from_row(r) {
                        Ok(ev) => Arc::new(ev),
                        Err(e) => {
                            // Reported here, once; streams catching up skip it too.
                            tracing::error!(id = last, error = %crate::db::Chain(&e), "corrupt event skipped");
                            self.head.store(last, Ordering::Release);
                            continue;
                        }
                    };
                    on_event(&ev);
                    self.head.store(ev.id, Ordering::Release);
                    // No receivers is fine: nobody is watching.
                    let _ = self.tx.send(ev);
                }
                if n < 1000 {
                    break;
                }
            }
        }
    }
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new()
    }
}

/// PostgreSQL: wake this instance's tailer when any instance commits events.
pub async fn run_pg_listener(db: Db, cancel: CancellationToken) {
    let Some(pool) = db.pg_pool().cloned() else {
        return;
    };
    let mut backoff = Duration::from_millis(200);
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN connection failed; retrying");
                tokio::select! { _ = cancel.cancelled() => return, _ = tokio::time::sleep(backoff) => {} }
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = listener.listen("shenguan_events").await {
            tracing::warn!(error = %e, "LISTEN failed; retrying");
            continue;
        }
        backoff = Duration::from_millis(200);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                n = listener.recv() => match n {
                    Ok(_) => db.wake_event_readers(),
                    Err(e) => {
                        tracing::warn!(error = %e, "LISTEN connection lost; reconnecting");
                        db.wake_event_readers();
                        break;
                    }
                }
            }
        }
    }
}

pub fn is_calendar_update(ev: &HubEvent) -> bool {
    ev.kind == event_types::CALENDAR_UPDATED
}

pub fn is_department_created(ev: &HubEvent) -> bool {
    ev.kind == event_types::DEPARTMENT_CREATED
}
