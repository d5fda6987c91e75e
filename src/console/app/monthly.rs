//! The monthly statistics part — the duty officer's month-end screen: which month is shown,
//! its live figures, its issued bulletin (每月通报) beside them, the 12-month trend, and when to
//! refresh them.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, FixedOffset};

use crate::api::{Bulletin, DepartmentLine, DepartmentMonth, MonthlyStats};
use crate::console::action::{Effect, Outcome, RequestError};
use crate::console::model::contains;

#[derive(Debug)]
pub struct Monthly {
    /// (year, month) shown.
    pub month: (i32, u32),
    pub stats: Option<MonthlyStats>,
    pub loading: bool,
    /// The month's latest issued bulletin (`None`: not issued, or not loaded yet).
    pub issued: Option<Box<Bulletin>>,
    /// The month's live bulletin (draft): the figures as they stand now.
    pub live: Option<Box<Bulletin>>,
    /// Show the live figures even though an issued bulletin exists.
    pub show_live: bool,
    /// Department code → on-time rate of each of the 12 months ending with the shown one
    /// (oldest first; `None`: nothing decided that month).
    pub trend: HashMap<String, Vec<Option<f64>>>,
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
            issued: None,
            live: None,
            show_live: false,
            trend: HashMap::new(),
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
        self.issued = None;
        self.live = None;
        self.trend.clear();
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

    /// The bulletin shown: the issued one, unless none was issued or the live figures were
    /// asked for.
    pub fn shown(&self) -> Option<&Bulletin> {
        match (&self.issued, &self.live) {
            (Some(i), _) if !self.show_live => Some(i),
            (_, Some(l)) => Some(l),
            _ => None,
        }
    }

    /// The shown bulletin's line of a department.
    pub fn line(&self, code: &str) -> Option<&DepartmentLine> {
        self.shown()?
            .contents
            .departments
            .iter()
            .find(|d| d.stats.department == code)
    }

    /// The 12 months ending with the shown one, oldest first (`YYYY-MM`).
    pub fn trend_months(&self) -> Vec<String> {
        months_ending(&self.month_str())
    }

    /// The trend's answer: one month's live statistics each (oldest first).
    pub fn trend_loaded(&mut self, months: Vec<MonthlyStats>) {
        self.trend.clear();
        let n = months.len();
        for (i, m) in months.into_iter().enumerate() {
            for d in m.departments {
                self.trend
                    .entry(d.department)
                    .or_insert_with(|| vec![None; n])[i] = d.on_time_rate;
            }
        }
    }

    /// The departments' rows matching a (lower-case) filter: the shown bulletin's, or the live
    /// statistics' until a bulletin is loaded.
    pub fn visible(&self, f: &str) -> Vec<&DepartmentMonth> {
        let keep = |d: &&DepartmentMonth| {
            f.is_empty() || contains(&d.department, f) || contains(&d.name, f)
        };
        match self.shown() {
            Some(b) => b
                .contents
                .departments
                .iter()
                .map(|l| &l.stats)
                .filter(keep)
                .collect(),
            None => self
                .stats
                .iter()
                .flat_map(|m| m.departments.iter())
                .filter(keep)
                .collect(),
        }
    }
}

/// The 12 months ending with `month` (`YYYY-MM`), oldest first; empty for a malformed month.
pub fn months_ending(month: &str) -> Vec<String> {
    let Some((mut y, mut m)) = month
        .split_once('-')
        .and_then(|(y, m)| Some((y.parse::<i32>().ok()?, m.parse::<u32>().ok()?)))
    else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(12);
    for _ in 0..12 {
        out.push(format!("{y:04}-{m:02}"));
        (y, m) = if m <= 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    out.reverse();
    out
}
