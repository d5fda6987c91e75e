//! Width-correct text: Chinese characters take two cells, and a cut never splits one.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::style::Style;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Display width in terminal cells.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` cells, ending in `ellipsis` when something was cut.
pub fn truncate<'a>(s: &'a str, max: usize, ellipsis: &str) -> Cow<'a, str> {
    if width(s) <= max && !s.contains(['\n', '\r', '\t']) {
        return Cow::Borrowed(s);
    }
    let ell_w = width(ellipsis);
    let flat: Cow<'_, str> = if s.contains(['\n', '\r', '\t']) {
        Cow::Owned(s.replace(['\n', '\r', '\t'], " "))
    } else {
        Cow::Borrowed(s)
    };
    if width(&flat) <= max {
        return Cow::Owned(flat.into_owned());
    }
    if max < ell_w {
        return Cow::Owned(" ".repeat(max));
    }
    let budget = max - ell_w;
    let mut out = String::with_capacity(max + 4);
    let mut used = 0;
    for c in flat.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push_str(ellipsis);
    // A wide character that did not fit leaves one cell: pad so columns stay aligned.
    used += ell_w;
    while used < max {
        out.push(' ');
        used += 1;
    }
    Cow::Owned(out)
}

/// Writes `s` at (x, y), truncated to `max` cells; returns the cells used.
pub fn put(
    buf: &mut Buffer,
    x: u16,
    y: u16,
    s: &str,
    max: u16,
    style: Style,
    ellipsis: &str,
) -> u16 {
    if max == 0 {
        return 0;
    }
    let t = truncate(s, max as usize, ellipsis);
    let (end, _) = buf.set_stringn(x, y, &*t, max as usize, style);
    end.saturating_sub(x)
}

/// Pads `s` with spaces on the right to exactly `w` cells (truncating if longer).
pub fn pad_right(s: &str, w: usize, ellipsis: &str) -> String {
    let t = truncate(s, w, ellipsis);
    let used = width(&t);
    let mut out = t.into_owned();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(used)));
    out
}

/// Pads `s` with spaces on the left to exactly `w` cells.
pub fn pad_left(s: &str, w: usize, ellipsis: &str) -> String {
    let t = truncate(s, w, ellipsis);
    let used = width(&t);
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(used)).collect();
    out.push_str(&t);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_double_width() {
        assert_eq!(truncate("食品经营许可", 12, "…"), "食品经营许可");
        // 11 cells: five characters (10) + ellipsis (1).
        assert_eq!(truncate("食品经营许可证", 11, "…"), "食品经营许…");
        // 10 cells: four characters (8) + ellipsis (1) + one pad cell; never half a character.
        let t = truncate("食品经营许可证", 10, "…");
        assert_eq!(t, "食品经营… ");
        assert_eq!(width(&t), 10);
        assert_eq!(truncate("abcdef", 4, "…"), "abc…");
        assert_eq!(truncate("a\nb", 5, "…"), "a b");
        assert_eq!(pad_left("5", 3, "…"), "  5");
        assert_eq!(width(&pad_right("许可", 6, "…")), 6);
    }
}
