//! Time. Domain code is handed a [`Clock`]; only [`SystemClock`] reads the wall clock.

use std::sync::RwLock;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    /// Move the clock (test clock and demo only). Returns false for clocks that cannot be set.
    fn set(&self, _at: DateTime<Utc>) -> bool {
        false
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to (tests, `server --test-clock`).
#[derive(Debug)]
pub struct ManualClock(RwLock<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(RwLock::new(at))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.read().unwrap_or_else(|e| e.into_inner())
    }
    fn set(&self, at: DateTime<Utc>) -> bool {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = at;
        true
    }
}

/// The wall clock shifted by a settable offset: time keeps flowing after `set` (the demo
/// seeds a month of history in the past, then returns to the present).
#[derive(Debug, Default)]
pub struct OffsetClock(RwLock<chrono::Duration>);

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.0.read().unwrap_or_else(|e| e.into_inner())
    }
    fn set(&self, at: DateTime<Utc>) -> bool {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = at - Utc::now();
        true
    }
}

/// China Standard Time: a fixed +08:00, no daylight saving.
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

pub fn to_cst(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&cst())
}

/// Storage keeps instants as milliseconds since the Unix epoch: portable across SQLite and
/// PostgreSQL, compared and indexed as plain integers.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A span as milliseconds, for arithmetic with stored instants (absurdly long spans saturate
/// far below overflow).
pub fn millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
