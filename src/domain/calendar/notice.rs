//! Is a year's holiday notice complete? The State Council's notice implements the
//! 《全国年节及纪念日放假办法》: every year has the same seven statutory holidays, each with at least
//! its legal number of days off. A notice that lacks one — an empty file, half a file, a typo
//! in a name — would otherwise mark the year as published and switch off the fixed-holiday
//! fallback (元旦 would become a working day), so it is refused unless an admin forces it.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::api::CalendarDay;

/// The seven statutory holidays, in calendar order.
pub const STATUTORY_HOLIDAYS: [&str; 7] = [
    "元旦",
    "春节",
    "清明节",
    "劳动节",
    "端午节",
    "中秋节",
    "国庆节",
];

/// The legal days off of each statutory holiday in `year`, in [`STATUTORY_HOLIDAYS`] order.
/// The 2024 revision of the 办法 (in force from 2025-01-01) added 除夕 to 春节 (3 → 4 days)
/// and 2 May to 劳动节 (1 → 2 days); earlier years follow the 2013 text.
pub fn legal_days_off(year: i32) -> [u32; 7] {
    if year >= 2025 {
        [1, 4, 1, 2, 1, 1, 3]
    } else {
        [1, 3, 1, 1, 1, 1, 3]
    }
}

/// What is wrong with a notice. `refused` can never be stored (the days would not belong to
/// the year); `unusual` is refused unless the admin forces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeCheck {
    pub refused: Vec<String>,
    pub unusual: Vec<String>,
}

impl NoticeCheck {
    pub fn is_clean(&self) -> bool {
        self.refused.is_empty() && self.unusual.is_empty()
    }
}

/// The statutory holidays a day's name stands for: `中秋节、国庆节` stands for two. Short forms
/// (`国庆`, `中秋`…) are accepted; a name that is none of them (a one-off commemoration)
/// stands for none.
fn holidays_named(name: &str) -> Vec<usize> {
    let mut out = vec![];
    for part in name.split(['、', '，', ',', '/', ' ', '和', '及']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let found = STATUTORY_HOLIDAYS
            .iter()
            .position(|h| *h == part || h.strip_suffix('节') == Some(part));
        if let Some(i) = found
            && !out.contains(&i)
        {
            out.push(i);
        }
    }
    out
}

/// Is this day named for 元旦 alone?
pub fn is_new_year(name: &str) -> bool {
    holidays_named(name) == [0]
}

/// May `date` stand in `year`'s notice? Its own year, or 元旦's days in the December before
/// (the 2023 notice gives 2022-12-31 off).
fn belongs_to_year(date: NaiveDate, name: &str, year: i32) -> bool {
    date.year() == year || (date.year() == year - 1 && date.month() == 12 && is_new_year(name))
}

/// Check one year's notice against the 办法 (a pure function; see the module comment).
pub fn check_notice(year: i32, days: &[CalendarDay]) -> NoticeCheck {
    let mut check = NoticeCheck::default();
    let minimum = legal_days_off(year);
    // Days off per group of holidays named together: `中秋节、国庆节` is one group.
    let mut groups: Vec<(Vec<usize>, u32)> = vec![];
    for d in days {
        if !belongs_to_year(d.date, &d.name, year) {
            check.refused.push(format!(
                "{} 不属于 {year} 年 / {} is not in {year}",
                d.date, d.date
            ));
            continue;
        }
        if !d.is_off_day {
            if !matches!(d.date.weekday(), Weekday::Sat | Weekday::Sun) {
                check.unusual.push(format!(
                    "调休上班日 {} 是{}，不是周末 / adjusted working day {} is a {}, not a weekend day",
                    d.date,
                    weekday_zh(d.date.weekday()),
                    d.date,
                    d.date.weekday()
                ));
            }
            continue;
        }
        let named = holidays_named(&d.name);
        if named.is_empty() {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(g, _)| g.iter().any(|h| named.contains(h)))
        {
            Some((g, n)) => {
                for h in named {
                    if !g.contains(&h) {
                        g.push(h);
                    }
                }
                *n += 1;
            }
            None => groups.push((named, 1)),
        }
    }
    // A name may join two groups that were apart (`中秋节` alone, then `中秋节、国庆节`): merge
    // until every holiday is in one group at most, so no day is counted twice.
    let mut merged: Vec<(Vec<usize>, u32)> = vec![];
    for (g, n) in groups {
        let mut g = g;
        let mut n = n;
        while let Some(i) = merged
            .iter()
            .position(|(m, _)| m.iter().any(|h| g.contains(h)))
        {
            let (m, k) = merged.swap_remove(i);
            for h in m {
                if !g.contains(&h) {
                    g.push(h);
                }
            }
            n += k;
        }
        merged.push((g, n));
    }
    for (i, name) in STATUTORY_HOLIDAYS.iter().enumerate() {
        if !merged.iter().any(|(g, _)| g.contains(&i)) {
            check.unusual.push(format!(
                "缺少法定节假日「{name}」/ the statutory holiday {name} is missing"
            ));
        }
    }
    for (g, n) in &mut merged {
        g.sort_unstable();
        let need: u32 = g.iter().map(|&h| minimum[h]).sum();
        if *n < need {
            let names: Vec<&str> = g.iter().map(|&h| STATUTORY_HOLIDAYS[h]).collect();
            let names = names.join("、");
            check.unusual.push(format!(
                "{names} 放假 {n} 天，少于法定的 {need} 天 / {names}: {n} days off, fewer than the legal {need}"
            ));
        }
    }
    check
}

/// Decide on a notice: `Ok` with the unusual findings the admin forced past (empty for a
/// clean notice), or `Err` with every reason it is refused.
pub fn vet_notice(
    year: i32,
    days: &[CalendarDay],
    force: bool,
) -> Result<Vec<String>, Vec<String>> {
    let check = check_notice(year, days);
    if !check.refused.is_empty() {
        let mut all = check.refused;
        all.extend(check.unusual);
        return Err(all);
    }
    if !check.unusual.is_empty() && !force {
        return Err(check.unusual);
    }
    Ok(check.unusual)
}

fn weekday_zh(w: Weekday) -> &'static str {
    match w {
        Weekday::Mon => "星期一",
        Weekday::Tue => "星期二",
        Weekday::Wed => "星期三",
        Weekday::Thu => "星期四",
        Weekday::Fri => "星期五",
        Weekday::Sat => "星期六",
        Weekday::Sun => "星期日",
    }
}

#[cfg(test)]
#[path = "notice_tests.rs"]
mod tests;
