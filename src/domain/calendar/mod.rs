//! The working-day calendar and the legal deadline rule (DESIGN.md, "Deadlines").
//!
//! A working day is a date listed as an adjusted working day (调休上班), or a Monday–Friday not
//! listed as a holiday. "Within N working days" of an instant: the day of the instant is not
//! counted; the deadline is the end of the N-th working day after it (00:00 of the next date,
//! or the configured close of business). Dates in a year whose State Council notice is not
//! loaded use the fixed-date statutory holidays, and any deadline that runs through such a
//! year is *provisional*.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use serde::Deserialize;

use super::clock::cst;
use crate::api::CalendarDay;

pub mod notice;
mod working_time;

pub use notice::{NoticeCheck, check_notice, vet_notice};

/// The State Council holiday facts for 2021–2026, shipped with the program.
pub const SHIPPED_HOLIDAYS_JSON: &str = include_str!("holidays-cn.json");

/// The longest span a deadline may be asked for; beyond it is an input error, not a loop.
pub const MAX_WORKING_DAYS: u32 = 3650;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadline {
    pub at: DateTime<FixedOffset>,
    pub provisional: bool,
}

impl Deadline {
    pub fn utc(&self) -> DateTime<Utc> {
        self.at.with_timezone(&Utc)
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalendarError {
    #[error("year {0} is outside 1900–2200")]
    YearOutOfRange(i32),
    #[error("{date} is listed twice")]
    Duplicate { date: NaiveDate },
    #[error("{date} is not in or next to year {year}")]
    OutsideYear { date: NaiveDate, year: i32 },
    #[error("the file is not a holiday notice: {0}")]
    Format(String),
    #[error("working_days must be between 1 and {MAX_WORKING_DAYS}")]
    WorkingDays,
}

#[derive(Debug, Clone, Default)]
pub struct Calendar {
    /// Days listed by a published notice, merged: `true` = holiday, `false` = adjusted working day.
    listed: HashMap<NaiveDate, bool>,
    /// The notices by year, as loaded (kept so one year can be replaced).
    notices: BTreeMap<i32, Vec<CalendarDay>>,
    published: BTreeSet<i32>,
    close_of_business: Option<NaiveTime>,
}

impl Calendar {
    /// The calendar with the shipped 2021–2026 notices.
    pub fn shipped() -> Self {
        let mut c = Self::default();
        for (year, days) in
            parse_notice_file(SHIPPED_HOLIDAYS_JSON).expect("shipped holiday data parses")
        {
            c.load_year(year, days)
                .expect("shipped holiday data is valid");
        }
        c
    }

    /// Deadlines end at this local time on the N-th working day instead of at 24:00.
    pub fn with_close_of_business(mut self, cob: Option<NaiveTime>) -> Self {
        self.close_of_business = cob;
        self
    }

    pub fn published_years(&self) -> Vec<i32> {
        self.published.iter().copied().collect()
    }

    pub fn notices(&self) -> impl Iterator<Item = (i32, &[CalendarDay])> {
        self.notices.iter().map(|(y, d)| (*y, d.as_slice()))
    }

    /// Load (or replace) one year's published notice.
    pub fn load_year(&mut self, year: i32, days: Vec<CalendarDay>) -> Result<(), CalendarError> {
        validate_year(year, &days)?;
        if let Some(old) = self.notices.remove(&year) {
            for d in old {
                self.listed.remove(&d.date);
            }
        }
        for d in &days {
            self.listed.insert(d.date, d.is_off_day);
        }
        self.notices.insert(year, days);
        self.published.insert(year);
        Ok(())
    }

    pub fn is_published(&self, year: i32) -> bool {
        self.published.contains(&year)
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        if let Some(off) = self.listed.get(&date) {
            return !off;
        }
        if !self.is_published(date.year()) && is_fixed_statutory_holiday(date) {
            return false;
        }
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The N-th working day after `date` (the date itself not counted), and whether any day
    /// counted through lies in an unpublished year.
    pub fn nth_working_day_after(
        &self,
        date: NaiveDate,
        n: u32,
    ) -> Result<(NaiveDate, bool), CalendarError> {
        if n == 0 || n > MAX_WORKING_DAYS {
            return Err(CalendarError::WorkingDays);
        }
        let mut d = date;
        let mut counted = 0;
        let mut provisional = false;
        while counted < n {
            d = d
                .succ_opt()
                .ok_or(CalendarError::YearOutOfRange(d.year()))?;
            provisional |= !self.is_published(d.year());
            if self.is_working_day(d) {
                counted += 1;
            }
        }
        Ok((d, provisional))
    }

    /// "Within N working days" of the instant `from`.
    pub fn deadline(&self, from: DateTime<Utc>, n: u32) -> Result<Deadline, CalendarError> {
        let local_day = from.with_timezone(&cst()).date_naive();
        let (day, provisional) = self.nth_working_day_after(local_day, n)?;
        let end = match self.close_of_business {
            Some(cob) => day.and_time(cob),
            None => day
                .succ_opt()
                .ok_or(CalendarError::YearOutOfRange(day.year()))?
                .and_time(NaiveTime::MIN),
        };
        let at = cst()
            .from_local_datetime(&end)
            .single()
            .expect("a fixed offset has no gaps or folds");
        Ok(Deadline { at, provisional })
    }

    /// "Notify at least N working days ahead": may an event on `event` be notified on `notice`?
    pub fn notice_is_timely(
        &self,
        notice: NaiveDate,
        event: NaiveDate,
        n: u32,
    ) -> Result<bool, CalendarError> {
        let (earliest, _) = self.nth_working_day_after(notice, n)?;
        Ok(event >= earliest)
    }
}

/// 元旦 1 Jan; 劳动节 1–2 May; 国庆 1–3 Oct: fixed by the national holiday regulation, so they
/// are known even before a year's notice is published. (The lunar holidays are not.)
pub fn is_fixed_statutory_holiday(date: NaiveDate) -> bool {
    matches!(
        (date.month(), date.day()),
        (1, 1) | (5, 1) | (5, 2) | (10, 1) | (10, 2) | (10, 3)
    )
}

fn validate_year(year: i32, days: &[CalendarDay]) -> Result<(), CalendarError> {
    if !(1900..=2200).contains(&year) {
        return Err(CalendarError::YearOutOfRange(year));
    }
    let mut seen = BTreeSet::new();
    for d in days {
        // A notice may reach into the neighbouring years (the 2023 notice lists 2022-12-31).
        if (d.date.year() - year).abs() > 1 {
            return Err(CalendarError::OutsideYear { date: d.date, year });
        }
        if !seen.insert(d.date) {
            return Err(CalendarError::Duplicate { date: d.date });
        }
    }
    Ok(())
}

/// Parse a holiday notice file: either one year (`{"year": 2027, "days": [...]}`, the format of
/// the holiday-cn project's per-year files) or the shipped multi-year file (`{"days": [...]}`),
/// whose days are grouped by their date's year — except 元旦 days in December, which belong to
/// the next year's notice (the 2023 notice gives 2022-12-31 off). Other keys (`papers`, `$schema`…) are ignored.
pub fn parse_notice_file(text: &str) -> Result<BTreeMap<i32, Vec<CalendarDay>>, CalendarError> {
    #[derive(Deserialize)]
    struct File {
        year: Option<i32>,
        days: Vec<CalendarDay>,
    }
    let file: File =
        serde_json::from_str(text).map_err(|e| CalendarError::Format(e.to_string()))?;
    let mut out: BTreeMap<i32, Vec<CalendarDay>> = BTreeMap::new();
    match file.year {
        Some(y) => {
            out.insert(y, file.days);
        }
        None => {
            for d in file.days {
                let year = if d.date.month() == 12 && notice::is_new_year(&d.name) {
                    d.date.year() + 1
                } else {
                    d.date.year()
                };
                out.entry(year).or_default().push(d);
            }
        }
    }
    for (y, days) in &out {
        validate_year(*y, days)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
