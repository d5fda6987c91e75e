//! The notice rule of joint work: hearings (art. 10(4)) and joint inspections and reviews
//! (art. 11) are notified "at least 1 working day ahead" (应至少提前1个工作日与监管部门对接).
//! The same rule is applied to joint meetings (art. 9), which the regulation does not time:
//! a county office expects the same day's warning for all of them.

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone, Utc};

use super::calendar::{Calendar, CalendarError};
use super::cst;

/// Working days of notice before joint work.
pub const NOTICE_WORKING_DAYS: u32 = 1;

/// Whether joint work starting at `starts` may be notified at `notified`; if not, `Err` with
/// the earliest lawful start (00:00 China time of the first date the rule allows).
pub fn notice(
    cal: &Calendar,
    notified: DateTime<Utc>,
    starts: DateTime<Utc>,
) -> Result<Result<(), DateTime<FixedOffset>>, CalendarError> {
    let notice_day = notified.with_timezone(&cst()).date_naive();
    let event_day = starts.with_timezone(&cst()).date_naive();
    if cal.notice_is_timely(notice_day, event_day, NOTICE_WORKING_DAYS)? {
        return Ok(Ok(()));
    }
    let (day, _) = cal.nth_working_day_after(notice_day, NOTICE_WORKING_DAYS)?;
    let earliest = cst()
        .from_local_datetime(&day.and_time(NaiveTime::MIN))
        .single()
        .expect("a fixed offset has no gaps or folds");
    Ok(Err(earliest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Friday 2026-09-25 (中秋) → the next working day is Monday 28th: a Sunday start is too
    /// early, Monday 00:00 China time is the earliest.
    #[test]
    fn over_a_holiday_and_a_weekend() {
        let cal = Calendar::shipped();
        let r = notice(
            &cal,
            t("2026-09-25T10:00:00+08:00"),
            t("2026-09-27T09:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(r, Err(DateTime::parse_from_rfc3339("2026-09-28T00:00:00+08:00").unwrap()));
        assert_eq!(
            notice(
                &cal,
                t("2026-09-25T10:00:00+08:00"),
                t("2026-09-28T00:00:00+08:00")
            )
            .unwrap(),
            Ok(())
        );
    }

    /// Notified the same day: never timely, even with hours to spare.
    #[test]
    fn same_day_is_too_short() {
        let cal = Calendar::shipped();
        let r = notice(
            &cal,
            t("2026-11-30T08:00:00+08:00"),
            t("2026-11-30T17:00:00+08:00"),
        )
        .unwrap();
        assert_eq!(r, Err(DateTime::parse_from_rfc3339("2026-12-01T00:00:00+08:00").unwrap()));
    }
}
