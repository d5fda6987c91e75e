use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

use super::*;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}
fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}
fn deadline(from: &str, n: u32) -> (String, bool) {
    let dl = Calendar::shipped().deadline(t(from), n).unwrap();
    (dl.at.to_rfc3339(), dl.provisional)
}

#[test]
fn ordinary_weekday_ends_at_midnight_after_next_working_day() {
    // Tue 2026-11-24 10:00 → the 1st working day after is Wed 25th → ends 26th 00:00.
    assert_eq!(
        deadline("2026-11-24T10:00:00+08:00", 1),
        ("2026-11-26T00:00:00+08:00".into(), false)
    );
}

#[test]
fn the_event_day_is_not_counted_even_at_one_minute_to_midnight() {
    assert_eq!(
        deadline("2026-11-24T23:59:00+08:00", 1).0,
        "2026-11-26T00:00:00+08:00"
    );
    // 00:00 exactly is already the 25th in China: its own day is not counted either.
    assert_eq!(
        deadline("2026-11-25T00:00:00+08:00", 1).0,
        "2026-11-27T00:00:00+08:00"
    );
}

#[test]
fn the_day_is_taken_in_china_standard_time_not_utc() {
    // 2026-11-24T17:00Z is 25th 01:00 in China: counting starts after the 25th.
    assert_eq!(
        deadline("2026-11-24T17:00:00Z", 1).0,
        "2026-11-27T00:00:00+08:00"
    );
}

#[test]
fn friday_push_runs_over_the_weekend() {
    // Fri 2026-11-27 → Mon 30th is the 1st working day → ends Tue 1 Dec 00:00.
    assert_eq!(
        deadline("2026-11-27T16:30:00+08:00", 1).0,
        "2026-12-01T00:00:00+08:00"
    );
    // Saturday and Sunday pushes too.
    assert_eq!(
        deadline("2026-11-28T09:00:00+08:00", 1).0,
        "2026-12-01T00:00:00+08:00"
    );
    assert_eq!(
        deadline("2026-11-29T09:00:00+08:00", 1).0,
        "2026-12-01T00:00:00+08:00"
    );
}

#[test]
fn national_day_golden_week_is_skipped() {
    // Wed 2026-09-30: 1–7 Oct are holidays; Thu 8 Oct is the 1st working day.
    assert_eq!(
        deadline("2026-09-30T15:00:00+08:00", 1).0,
        "2026-10-09T00:00:00+08:00"
    );
}

#[test]
fn adjusted_working_saturday_counts() {
    // 2026-10-10 is a Saturday listed as a working day (国庆 调休); pushed Fri 9th.
    assert_eq!(
        deadline("2026-10-09T11:00:00+08:00", 1).0,
        "2026-10-11T00:00:00+08:00"
    );
    // 2026-02-28 (Sat) is a make-up working day after 春节.
    assert_eq!(
        deadline("2026-02-27T11:00:00+08:00", 1).0,
        "2026-03-01T00:00:00+08:00"
    );
}

#[test]
fn adjusted_working_sunday_counts() {
    // 2026-01-04 (Sun) works after 元旦; pushed Sat 3rd (a holiday).
    assert_eq!(
        deadline("2026-01-03T10:00:00+08:00", 1).0,
        "2026-01-05T00:00:00+08:00"
    );
    // 2026-09-20 (Sun) works; pushed Sat 19th.
    assert_eq!(
        deadline("2026-09-19T10:00:00+08:00", 1).0,
        "2026-09-21T00:00:00+08:00"
    );
}

#[test]
fn spring_festival_week() {
    // Fri 2026-02-13: 14th (Sat) is an adjusted working day.
    assert_eq!(
        deadline("2026-02-13T10:00:00+08:00", 1).0,
        "2026-02-15T00:00:00+08:00"
    );
    // Sat 2026-02-14 (working): 15–23 holiday; Tue 24th is the next working day.
    assert_eq!(
        deadline("2026-02-14T10:00:00+08:00", 1).0,
        "2026-02-25T00:00:00+08:00"
    );
}

#[test]
fn year_end_crosses_into_new_year_holiday() {
    // Wed 2025-12-31: 1–3 Jan 2026 holidays, Sun 4th works.
    assert_eq!(
        deadline("2025-12-31T10:00:00+08:00", 1).0,
        "2026-01-05T00:00:00+08:00"
    );
    // 2022-12-31 (Sat) is listed by the 2023 notice as a holiday; 2023-01-02 too.
    assert_eq!(
        deadline("2022-12-30T10:00:00+08:00", 1).0,
        "2023-01-04T00:00:00+08:00"
    );
}

#[test]
fn ten_working_days() {
    // Mon 2026-11-23 + 10 working days = Mon 7 Dec → ends 8 Dec 00:00.
    assert_eq!(
        deadline("2026-11-23T09:00:00+08:00", 10).0,
        "2026-12-08T00:00:00+08:00"
    );
    // Across National Day 2026: from Mon 28 Sep: 29, 30, 8, 9, 10(Sat, works), 12, 13, 14, 15, 16.
    assert_eq!(
        deadline("2026-09-28T09:00:00+08:00", 10).0,
        "2026-10-17T00:00:00+08:00"
    );
    // Across Labour Day 2025: from Mon 28 Apr: 29, 30, 6, 7, 8, 9, 12, 13, 14, 15.
    assert_eq!(
        deadline("2025-04-28T09:00:00+08:00", 10).0,
        "2025-05-16T00:00:00+08:00"
    );
}

#[test]
fn unpublished_year_is_provisional_and_uses_fixed_holidays() {
    // Thu 2026-12-31 → 2027-01-01 (Fri) is fixed 元旦 → Mon 4 Jan 2027, provisional.
    assert_eq!(
        deadline("2026-12-31T10:00:00+08:00", 1),
        ("2027-01-05T00:00:00+08:00".into(), true)
    );
    // Within a published year nothing is provisional.
    assert!(!deadline("2026-12-29T10:00:00+08:00", 1).1);
    // 2027-05-01/02 (Sat/Sun) and 2027-10-01..03 fixed; Thu 2027-09-30 → Mon 4 Oct.
    assert_eq!(
        deadline("2027-09-30T10:00:00+08:00", 1),
        ("2027-10-05T00:00:00+08:00".into(), true)
    );
}

#[test]
fn loading_a_new_year_removes_the_provisional_mark() {
    let mut c = Calendar::shipped();
    let days = vec![
        CalendarDay {
            date: d("2027-01-01"),
            name: "元旦".into(),
            is_off_day: true,
        },
        CalendarDay {
            date: d("2027-01-04"),
            name: "元旦".into(),
            is_off_day: true,
        },
    ];
    c.load_year(2027, days).unwrap();
    let dl = c.deadline(t("2026-12-31T10:00:00+08:00"), 1).unwrap();
    assert_eq!(dl.at.to_rfc3339(), "2027-01-06T00:00:00+08:00");
    assert!(!dl.provisional);
    // Replacing the year drops the days of the old notice: a published year with no listed
    // days follows the plain week, so Fri 1 Jan is then a working day.
    c.load_year(2027, vec![]).unwrap();
    assert_eq!(
        c.deadline(t("2026-12-31T10:00:00+08:00"), 1)
            .unwrap()
            .at
            .to_rfc3339(),
        "2027-01-02T00:00:00+08:00"
    );
}

#[test]
fn close_of_business_ends_the_day_earlier() {
    let c = Calendar::shipped()
        .with_close_of_business(Some(NaiveTime::from_hms_opt(17, 30, 0).unwrap()));
    let dl = c.deadline(t("2026-11-27T16:30:00+08:00"), 1).unwrap();
    assert_eq!(dl.at.to_rfc3339(), "2026-11-30T17:30:00+08:00");
}

#[test]
fn notice_ahead_rule() {
    let c = Calendar::shipped();
    // Notified Fri 2026-11-27 for an inspection on Mon 30th: 1 working day ahead, allowed.
    assert!(
        c.notice_is_timely(d("2026-11-27"), d("2026-11-30"), 1)
            .unwrap()
    );
    // Notified Mon 30th for Mon 30th: not ahead.
    assert!(
        !c.notice_is_timely(d("2026-11-30"), d("2026-11-30"), 1)
            .unwrap()
    );
    // Notified Wed 30 Sep 2026 for Thu 8 Oct: 8 Oct is the 1st working day after, allowed.
    assert!(
        c.notice_is_timely(d("2026-09-30"), d("2026-10-08"), 1)
            .unwrap()
    );
    assert!(
        !c.notice_is_timely(d("2026-09-30"), d("2026-10-07"), 1)
            .unwrap()
    );
}

#[test]
fn zero_and_absurd_working_days_are_errors() {
    let c = Calendar::shipped();
    assert_eq!(
        c.deadline(t("2026-11-24T10:00:00+08:00"), 0),
        Err(CalendarError::WorkingDays)
    );
    assert_eq!(
        c.deadline(t("2026-11-24T10:00:00+08:00"), MAX_WORKING_DAYS + 1),
        Err(CalendarError::WorkingDays)
    );
}

#[test]
fn shipped_data_has_every_published_year() {
    assert_eq!(
        Calendar::shipped().published_years(),
        vec![2021, 2022, 2023, 2024, 2025, 2026]
    );
}

#[test]
fn import_rejects_duplicates_and_far_dates() {
    let dup = r#"{"year": 2027, "days": [{"date":"2027-01-01","name":"元旦","isOffDay":true},{"date":"2027-01-01","name":"元旦","isOffDay":true}]}"#;
    assert!(matches!(
        parse_notice_file(dup),
        Err(CalendarError::Duplicate { .. })
    ));
    let far = r#"{"year": 2027, "days": [{"date":"2030-01-01","name":"元旦","isOffDay":true}]}"#;
    assert!(matches!(
        parse_notice_file(far),
        Err(CalendarError::OutsideYear { .. })
    ));
    assert!(matches!(
        parse_notice_file("[1,2]"),
        Err(CalendarError::Format(_))
    ));
}
