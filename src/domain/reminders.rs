//! Reminders (催办): at fixed office-hour times (`--remind-at`, China time) on a deadline's
//! last working day, never at night.
//!
//! A deadline is always the end of a working day (24:00, i.e. 00:00 of the next date, or the
//! close of business), so its last working day is the China date of the instant just before
//! it — no calendar is needed here.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeZone, Utc};

use super::cst;

/// The reminder times when none are configured: the start of the morning and of the
/// afternoon's last stretch, so a department has most of a working day to act.
pub fn default_times() -> Vec<NaiveTime> {
    vec![hm(9, 0), hm(15, 0)]
}

/// The earliest allowed reminder time (China time).
pub const DAY_STARTS: (u32, u32) = (7, 0);
/// Night begins here (China time): no reminder goes out from then on, not even a late one.
pub const NIGHT_STARTS: (u32, u32) = (20, 0);

fn hm(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("valid time of day")
}

pub fn day_starts() -> NaiveTime {
    hm(DAY_STARTS.0, DAY_STARTS.1)
}

pub fn night_starts() -> NaiveTime {
    hm(NIGHT_STARTS.0, NIGHT_STARTS.1)
}

fn at(date: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    cst()
        .from_local_datetime(&date.and_time(t))
        .single()
        .expect("a fixed offset maps every local time once")
        .with_timezone(&Utc)
}

/// The deadline's last working day: the China date of the instant just before it.
pub fn last_working_day(deadline: DateTime<Utc>) -> NaiveDate {
    (deadline - chrono::Duration::milliseconds(1))
        .with_timezone(&cst())
        .date_naive()
}

/// Parse and check `--remind-at`: `HH:MM[,HH:MM…]` (at most 6, increasing, each in
/// office hours 07:00–19:59 and before `close_of_business` if one is set), or `off`.
pub fn parse_times(
    s: &str,
    close_of_business: Option<NaiveTime>,
) -> Result<Vec<NaiveTime>, String> {
    if s.trim() == "off" {
        return Ok(vec![]);
    }
    let mut times = Vec::new();
    for part in s.split(',') {
        let part = part.trim();
        let t = NaiveTime::parse_from_str(part, "%H:%M")
            .map_err(|_| format!("expected HH:MM[,HH:MM…] or off, got {part:?}"))?;
        if t < day_starts() || t >= night_starts() {
            return Err(format!(
                "{part}: reminders go out in office hours, 07:00–19:59 China time"
            ));
        }
        if let Some(cob) = close_of_business
            && t >= cob
        {
            return Err(format!(
                "{part}: not before the close of business {} (the deadline)",
                cob.format("%H:%M")
            ));
        }
        if times.last().is_some_and(|last| t <= *last) {
            return Err(format!(
                "{part}: times must be given in increasing order, each once"
            ));
        }
        times.push(t);
    }
    if times.len() > 6 {
        return Err("at most 6 reminder times".into());
    }
    Ok(times)
}

/// Every reminder instant of a deadline: each configured time on its last working day that
/// falls before the deadline.
pub fn reminder_instants(deadline: DateTime<Utc>, times: &[NaiveTime]) -> Vec<DateTime<Utc>> {
    let day = last_working_day(deadline);
    times
        .iter()
        .map(|t| at(day, *t))
        .filter(|i| *i < deadline)
        .collect()
}

/// What a sweep at `now` must remind (see [`due_reminders`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueReminders {
    /// The latest reminder instant that has come: a running delivery last reminded before it
    /// (or never) is reminded now, once.
    pub slot: DateTime<Utc>,
    /// Deadlines in `(after, until]` have today as their last working day.
    pub deadlines_after: DateTime<Utc>,
    pub deadlines_until: DateTime<Utc>,
}

/// The reminders due at `now`: those of deadlines whose last working day is today (China
/// date), for the latest of `times` that has come. A reminder whose time passed unsent (the
/// server was down, the deadline was moved) goes out once, at once — unless it is night by
/// then. `None` before the first time of the day, at night, or with no times configured.
pub fn due_reminders(now: DateTime<Utc>, times: &[NaiveTime]) -> Option<DueReminders> {
    let local = now.with_timezone(&cst());
    if local.time() >= night_starts() {
        return None;
    }
    let today = local.date_naive();
    let slot = times
        .iter()
        .map(|t| at(today, *t))
        .filter(|i| *i <= now)
        .max()?;
    let tomorrow = today.checked_add_days(Days::new(1))?;
    Some(DueReminders {
        slot,
        deadlines_after: at(today, NaiveTime::MIN),
        deadlines_until: at(tomorrow, NaiveTime::MIN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn instants_fall_on_the_last_working_day_before_the_deadline() {
        let times = default_times();
        // "End of Fri 27 Nov" = Sat 28 00:00: reminders Friday 09:00 and 15:00.
        assert_eq!(
            reminder_instants(t("2026-11-28T00:00:00+08:00"), &times),
            vec![
                t("2026-11-27T09:00:00+08:00"),
                t("2026-11-27T15:00:00+08:00")
            ]
        );
        // Close of business 12:30: the 15:00 reminder would come after the deadline.
        assert_eq!(
            reminder_instants(t("2026-11-27T12:30:00+08:00"), &times),
            vec![t("2026-11-27T09:00:00+08:00")]
        );
        assert!(reminder_instants(t("2026-11-28T00:00:00+08:00"), &[]).is_empty());
    }

    #[test]
    fn due_is_the_latest_time_that_has_come_and_never_at_night() {
        let times = default_times();
        assert_eq!(due_reminders(t("2026-11-27T08:59:59+08:00"), &times), None);
        let due = due_reminders(t("2026-11-27T09:00:00+08:00"), &times).unwrap();
        assert_eq!(due.slot, t("2026-11-27T09:00:00+08:00"));
        assert_eq!(due.deadlines_after, t("2026-11-27T00:00:00+08:00"));
        assert_eq!(due.deadlines_until, t("2026-11-28T00:00:00+08:00"));
        // Past both times (a sweep after an outage): one slot, the later one.
        let due = due_reminders(t("2026-11-27T16:00:00+08:00"), &times).unwrap();
        assert_eq!(due.slot, t("2026-11-27T15:00:00+08:00"));
        assert_eq!(
            due_reminders(t("2026-11-27T19:59:59+08:00"), &times).map(|d| d.slot),
            Some(due.slot)
        );
        assert_eq!(due_reminders(t("2026-11-27T20:00:00+08:00"), &times), None);
        assert_eq!(due_reminders(t("2026-11-27T23:30:00+08:00"), &times), None);
        assert_eq!(due_reminders(t("2026-11-27T12:00:00+08:00"), &[]), None);
        // UTC midnight is 08:00 China time: the China date decides.
        let due = due_reminders(t("2026-11-27T01:30:00Z"), &times).unwrap();
        assert_eq!(due.slot, t("2026-11-27T09:00:00+08:00"));
    }

    #[test]
    fn every_due_slot_is_a_reminder_instant_of_the_deadlines_it_selects() {
        let times = default_times();
        for deadline in [
            t("2026-11-28T00:00:00+08:00"),
            t("2026-11-27T17:30:00+08:00"),
        ] {
            let instants = reminder_instants(deadline, &times);
            for now in [
                t("2026-11-27T09:00:00+08:00"),
                t("2026-11-27T15:00:00+08:00"),
            ] {
                let due = due_reminders(now, &times).unwrap();
                assert!(deadline > due.deadlines_after && deadline <= due.deadlines_until);
                assert!(instants.contains(&due.slot));
            }
        }
    }

    #[test]
    fn remind_at_is_checked() {
        let cob = NaiveTime::from_hms_opt(17, 30, 0);
        assert_eq!(parse_times("09:00,15:00", None), Ok(default_times()));
        assert_eq!(parse_times("off", None), Ok(vec![]));
        for bad in [
            "",
            "9",
            "25:00",
            "03:00",
            "20:00",
            "15:00,09:00",
            "09:00,09:00",
            "7:00,8:00,9:00,10:00,11:00,12:00,13:00",
        ] {
            assert!(parse_times(bad, None).is_err(), "{bad}");
        }
        assert!(parse_times("09:00,17:30", cob).is_err());
        assert!(parse_times("09:00,17:29", cob).is_ok());
    }
}
