//! Countdowns: how close a deadline is, the time left as text, and its style.

use chrono::{DateTime, FixedOffset};
use ratatui::style::Style;

use crate::console::config::Thresholds;
use crate::console::i18n::Strings;
use crate::console::theme::Theme;

/// How close a deadline is; each has its own colour role in the theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Plenty,
    /// Under the `urgent` threshold (4 hours by default).
    Urgent,
    /// Under the `critical` threshold (1 hour by default).
    Critical,
    Overdue,
}

pub fn urgency(
    deadline: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
    th: &Thresholds,
) -> Urgency {
    let left = deadline.signed_duration_since(now);
    if left <= chrono::Duration::zero() {
        // Acting exactly at the deadline instant is late.
        Urgency::Overdue
    } else if left < chrono::Duration::from_std(th.critical).unwrap_or(chrono::Duration::MAX) {
        Urgency::Critical
    } else if left < chrono::Duration::from_std(th.urgent).unwrap_or(chrono::Duration::MAX) {
        Urgency::Urgent
    } else {
        Urgency::Plenty
    }
}

/// `03:04:05`, `1天 03:04:05` / `1d 03:04:05`, and `已超时 00:05:00` / `overdue 00:05:00`.
pub fn format_countdown(
    deadline: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
    s: &Strings,
) -> String {
    let secs = deadline.signed_duration_since(now).num_seconds();
    let (neg, secs) = if secs <= 0 {
        (true, -secs)
    } else {
        (false, secs)
    };
    let d = secs / 86_400;
    let h = (secs % 86_400) / 3600;
    let m = (secs % 3600) / 60;
    let sec = secs % 60;
    let body = if d > 0 {
        format!("{d}{} {h:02}:{m:02}:{sec:02}", s.day_unit)
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    };
    if neg {
        format!("{} {body}", s.overdue)
    } else {
        body
    }
}

pub fn urgency_style(u: Urgency, theme: &Theme) -> Style {
    match u {
        Urgency::Plenty => theme.plenty,
        Urgency::Urgent => theme.urgent,
        Urgency::Critical => theme.critical,
        Urgency::Overdue => theme.overdue,
    }
}

/// The countdown text and its style.
pub fn countdown(
    deadline: DateTime<FixedOffset>,
    now: DateTime<FixedOffset>,
    th: &Thresholds,
    theme: &Theme,
    s: &Strings,
) -> (String, Style) {
    let u = urgency(deadline, now, th);
    (format_countdown(deadline, now, s), urgency_style(u, theme))
}

/// `11-27 00:00`, in China Standard Time (the offset the server sends).
pub fn short_time(t: DateTime<FixedOffset>) -> String {
    t.format("%m-%d %H:%M").to_string()
}
