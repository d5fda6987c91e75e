use chrono::NaiveDate;

use super::*;
use crate::domain::calendar::{SHIPPED_HOLIDAYS_JSON, parse_notice_file};

fn day(date: &str, name: &str, off: bool) -> CalendarDay {
    CalendarDay {
        date: date.parse::<NaiveDate>().unwrap(),
        name: name.into(),
        is_off_day: off,
    }
}

fn off(dates: &[&str], name: &str) -> Vec<CalendarDay> {
    dates.iter().map(|d| day(d, name, true)).collect()
}

/// A plausible complete 2027 notice (the shape of the State Council's).
fn notice_2027() -> Vec<CalendarDay> {
    let mut v = off(
        &["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
        "元旦",
    );
    v.extend(off(
        &[
            "2027-02-05",
            "2027-02-06",
            "2027-02-07",
            "2027-02-08",
            "2027-02-09",
            "2027-02-10",
            "2027-02-11",
            "2027-02-12",
        ],
        "春节",
    ));
    v.push(day("2027-02-20", "春节", false));
    v.extend(off(&["2027-04-03", "2027-04-04", "2027-04-05"], "清明节"));
    v.extend(off(
        &[
            "2027-05-01",
            "2027-05-02",
            "2027-05-03",
            "2027-05-04",
            "2027-05-05",
        ],
        "劳动节",
    ));
    v.extend(off(&["2027-06-09"], "端午节"));
    v.extend(off(&["2027-09-15"], "中秋节"));
    v.extend(off(
        &[
            "2027-10-01",
            "2027-10-02",
            "2027-10-03",
            "2027-10-04",
            "2027-10-05",
            "2027-10-06",
            "2027-10-07",
        ],
        "国庆节",
    ));
    v.push(day("2027-09-26", "国庆节", false));
    v.push(day("2027-10-09", "国庆节", false));
    v
}

#[test]
fn every_shipped_notice_passes() {
    let years = parse_notice_file(SHIPPED_HOLIDAYS_JSON).unwrap();
    assert_eq!(
        years.keys().copied().collect::<Vec<_>>(),
        (2021..=2026).collect::<Vec<_>>()
    );
    for (year, days) in &years {
        assert_eq!(check_notice(*year, days), NoticeCheck::default(), "{year}");
    }
}

#[test]
fn the_2023_new_year_begins_in_the_december_before() {
    let years = parse_notice_file(SHIPPED_HOLIDAYS_JSON).unwrap();
    let y2023 = &years[&2023];
    assert!(y2023.iter().any(|d| d.date.to_string() == "2022-12-31"));
    assert!(
        !years[&2022]
            .iter()
            .any(|d| d.date.to_string() == "2022-12-31")
    );
}

#[test]
fn a_complete_notice_is_clean() {
    assert!(check_notice(2027, &notice_2027()).is_clean());
}

#[test]
fn an_empty_notice_misses_all_seven() {
    let c = check_notice(2027, &[]);
    assert!(c.refused.is_empty());
    assert_eq!(c.unusual.len(), 7, "{c:?}");
    for h in STATUTORY_HOLIDAYS {
        assert!(c.unusual.iter().any(|m| m.contains(h)), "{h}: {c:?}");
    }
}

#[test]
fn a_partial_notice_names_what_is_missing() {
    let days: Vec<_> = notice_2027()
        .into_iter()
        .filter(|d| d.name != "端午节" && d.name != "春节")
        .collect();
    let c = check_notice(2027, &days);
    assert_eq!(c.unusual.len(), 2, "{c:?}");
    assert!(
        c.unusual[0].contains("春节") && c.unusual[1].contains("端午节"),
        "{c:?}"
    );
}

#[test]
fn too_few_days_off_by_the_law_of_the_year() {
    // Three days of 春节 were lawful until 2024; since 2025 the law gives four.
    let mut days = notice_2027();
    days.retain(|d| d.name != "春节");
    days.extend(off(&["2027-02-06", "2027-02-07", "2027-02-08"], "春节"));
    let c = check_notice(2027, &days);
    assert_eq!(c.unusual.len(), 1, "{c:?}");
    assert!(
        c.unusual[0].contains("春节") && c.unusual[0].contains('4'),
        "{c:?}"
    );
    // One day of 劳动节 likewise.
    let mut days = notice_2027();
    days.retain(|d| d.name != "劳动节");
    days.extend(off(&["2027-05-01"], "劳动节"));
    assert_eq!(check_notice(2027, &days).unusual.len(), 1);
    assert_eq!(legal_days_off(2024), [1, 3, 1, 1, 1, 1, 3]);
    assert_eq!(legal_days_off(2025), [1, 4, 1, 2, 1, 1, 3]);
}

#[test]
fn a_combined_name_counts_for_both_and_its_days_toward_their_sum() {
    let mut days = notice_2027();
    days.retain(|d| d.name != "中秋节" && d.name != "国庆节");
    days.extend(off(
        &["2027-10-01", "2027-10-02", "2027-10-03", "2027-10-04"],
        "中秋节、国庆节",
    ));
    assert!(check_notice(2027, &days).is_clean());
    // Three days cannot hold 中秋节 (1) and 国庆节 (3).
    days.retain(|d| d.date.to_string() != "2027-10-04");
    let c = check_notice(2027, &days);
    assert_eq!(c.unusual.len(), 1, "{c:?}");
    assert!(
        c.unusual[0].contains("中秋节、国庆节") && c.unusual[0].contains('4'),
        "{c:?}"
    );
}

#[test]
fn short_names_are_understood() {
    let days: Vec<_> = notice_2027()
        .into_iter()
        .map(|mut d| {
            if d.name == "国庆节" {
                d.name = "国庆".into();
            }
            d
        })
        .collect();
    assert!(check_notice(2027, &days).is_clean());
}

#[test]
fn an_adjusted_working_day_must_be_a_weekend_day() {
    let mut days = notice_2027();
    days.push(day("2027-06-10", "端午节", false)); // a Thursday
    let c = check_notice(2027, &days);
    assert_eq!(c.unusual.len(), 1, "{c:?}");
    assert!(c.unusual[0].contains("2027-06-10"), "{c:?}");
}

#[test]
fn days_outside_the_year_are_refused_except_new_year_in_december() {
    let mut days = notice_2027();
    days.push(day("2026-12-31", "元旦", true));
    assert!(check_notice(2027, &days).is_clean());
    days.push(day("2026-12-30", "国庆节", true));
    days.push(day("2028-01-01", "元旦", true));
    let c = check_notice(2027, &days);
    assert_eq!(c.refused.len(), 2, "{c:?}");
    assert!(c.refused[0].contains("2026-12-30") && c.refused[1].contains("2028-01-01"));
}

#[test]
fn other_commemorations_are_allowed_and_count_for_nothing() {
    let mut days = notice_2027();
    days.push(day(
        "2027-09-03",
        "中国人民抗日战争暨世界反法西斯战争胜利纪念日",
        true,
    ));
    assert!(check_notice(2027, &days).is_clean());
    let c = check_notice(2027, &off(&["2027-09-03"], "纪念日"));
    assert_eq!(c.unusual.len(), 7);
}
