//! The monthly statistics part: which month is shown, its figures, and when to refresh them.

use chrono::{DateTime, Datelike, FixedOffset};

use crate::api::{DepartmentMonth, MonthlyStats};
use crate::console::action::{Effect, Outcome, RequestError};
use crate::console::model::contains;

#[derive(Debug)]
pub struct Monthly {
    /// (year, month) shown.
    pub month: (i32, u32),
    pub stats: Option<MonthlyStats>,
    pub loading: bool,
    /// Something that changes this month's figures happened since they were loaded.
    stale: bool,
    loaded_at: Option<DateTime<FixedOffset>>,
}

impl Monthly {
    pub fn new(now: DateTime<FixedOffset>) -> Monthly {
        Monthly {
            month: (now.year(), now.month()),
            stats: None,
            loading: false,
            stale: false,
            loaded_at: None,
        }
    }

    pub fn month_str(&self) -> String {
        format!("{:04}-{:02}", self.month.0, self.month.1)
    }

    /// The request for the shown month.
    pub fn load(&mut self) -> Effect {
        self.loading = true;
        Effect::LoadMonthly {
            month: self.month_str(),
        }
    }

    /// Show the previous (`back`) or next month; its figures are requested.
    pub fn step(&mut self, back: bool) -> Effect {
        let (y, m) = self.month;
        self.month = if back {
            if m == 1 { (y - 1, 12) } else { (y, m - 1) }
        } else if m == 12 {
            (y + 1, 1)
        } else {
            (y, m + 1)
        };
        self.stats = None;
        self.load()
    }

    /// The answer for the shown month arrived.
    pub fn loaded(
        &mut self,
        stats: Outcome<MonthlyStats>,
        now: DateTime<FixedOffset>,
    ) -> Result<(), RequestError> {
        self.loading = false;
        self.stats = Some(stats?);
        self.loaded_at = Some(now);
        Ok(())
    }

    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Keeps this month's statistics fresh without a request per event: at most one reload
    /// every ten seconds, and only while something changed them.
    pub fn refresh_if_due(&mut self, now: DateTime<FixedOffset>) -> Option<Effect> {
        if self.stale
            && !self.loading
            && (self.month == (now.year(), now.month()))
            && self
                .loaded_at
                .is_none_or(|t| now.signed_duration_since(t) >= chrono::Duration::seconds(10))
        {
            self.stale = false;
            return Some(self.load());
        }
        None
    }

    /// The departments' rows matching a (lower-case) filter.
    pub fn visible(&self, f: &str) -> Vec<&DepartmentMonth> {
        self.stats
            .iter()
            .flat_map(|m| m.departments.iter())
            .filter(|d| f.is_empty() || contains(&d.department, f) || contains(&d.name, f))
            .collect()
    }
}
