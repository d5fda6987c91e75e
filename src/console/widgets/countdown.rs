//! Countdown cells: the time left to a deadline, styled by urgency.

use chrono::{DateTime, FixedOffset};
use ratatui::style::Style;

use crate::console::app::{Urgency, format_countdown, urgency};
use crate::console::config::Thresholds;
use crate::console::i18n::Strings;
use crate::console::theme::Theme;

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
