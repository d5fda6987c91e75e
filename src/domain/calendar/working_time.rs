//! Time measured in working time: how long a department took, not counting the nights of
//! weekends and holidays it was not expected to work (the bulletin's "average time to claim",
//! docs/STATISTICS.md). Only the parts of the interval that fall on working days (China time,
//! whole days 00:00–24:00) count: a push received on Friday 16:00 and claimed on Monday 10:00
//! took 8 + 10 = 18 working hours, not 66.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};

use super::Calendar;
use crate::domain::clock::cst;

impl Calendar {
    /// Milliseconds of `[from, to)` that lie on working days; 0 when `to <= from`.
    pub fn working_millis(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let (a, b) = (from.with_timezone(&cst()), to.with_timezone(&cst()));
        let mut day = a.date_naive();
        let last = b.date_naive();
        let mut total = 0;
        // One step per calendar day of the interval: claims take a day or two, and a year's
        // gap is 366 steps.
        loop {
            if self.is_working_day(day) {
                let start = cst()
                    .from_local_datetime(&day.and_time(NaiveTime::MIN))
                    .single()
                    .expect("a fixed offset has no gaps");
                let end = start + Duration::days(1);
                let lo = start.max(a);
                let hi = end.min(b);
                if hi > lo {
                    total += (hi - lo).num_milliseconds();
                }
            }
            if day >= last {
                break;
            }
            match day.succ_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        total
    }

    /// [`Calendar::working_millis`] in hours.
    pub fn working_hours(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
        self.working_millis(from, to) as f64 / 3_600_000.0
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hours(from: &str, to: &str) -> f64 {
        Calendar::shipped().working_hours(at(from), at(to))
    }

    #[test]
    fn within_one_working_day_is_wall_time() {
        assert_eq!(
            hours("2026-11-26T09:00:00+08:00", "2026-11-26T12:30:00+08:00"),
            3.5
        );
    }

    #[test]
    fn a_weekend_does_not_count() {
        // Fri 27 Nov 16:00 → Mon 30 Nov 10:00: 8 h of Friday, 10 h of Monday.
        assert_eq!(
            hours("2026-11-27T16:00:00+08:00", "2026-11-30T10:00:00+08:00"),
            18.0
        );
    }

    #[test]
    fn a_holiday_does_not_count_and_an_adjusted_working_day_does() {
        // National Day 2026: 1–7 Oct off; Sat 10 Oct is an adjusted working day (调休上班).
        let cal = Calendar::shipped();
        assert!(!cal.is_working_day(chrono::NaiveDate::from_ymd_opt(2026, 10, 5).unwrap()));
        // Wed 30 Sep 20:00 → Thu 8 Oct 02:00: 4 h on 30 Sep, then 1–7 Oct off, 2 h on 8 Oct.
        assert_eq!(
            hours("2026-09-30T20:00:00+08:00", "2026-10-08T02:00:00+08:00"),
            6.0
        );
        // Fri 9 Oct 22:00 → Sun 11 Oct 01:00: 2 h, the whole adjusted Saturday, not Sunday.
        assert_eq!(
            hours("2026-10-09T22:00:00+08:00", "2026-10-11T01:00:00+08:00"),
            26.0
        );
    }

    #[test]
    fn an_interval_entirely_off_is_zero_and_reversed_is_zero() {
        // Sat 28 Nov → Sun 29 Nov.
        assert_eq!(
            hours("2026-11-28T08:00:00+08:00", "2026-11-29T20:00:00+08:00"),
            0.0
        );
        assert_eq!(
            hours("2026-11-26T12:00:00+08:00", "2026-11-26T09:00:00+08:00"),
            0.0
        );
    }

    #[test]
    fn days_are_china_days_whatever_the_offset_given() {
        // Fri 27 Nov 16:00+08:00 written in UTC; Sat 00:00+08:00 ends the count.
        assert_eq!(hours("2026-11-27T08:00:00Z", "2026-11-27T16:00:00Z"), 8.0);
    }
}
