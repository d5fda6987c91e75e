//! The CSV export: one file, the tables one after the other (docs/STATISTICS.md, "Exports").
//! Each section is a title row (`[概况]`), a header row, the data rows and an empty row; the
//! first line is the bulletin's title and status (the draft mark on a live export). UTF-8 with
//! a byte-order mark, so that spreadsheet programs read the Chinese headers correctly.

use super::text::{self, Table};
use crate::api::Bulletin;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn line(out: &mut String, cells: impl IntoIterator<Item = String>) {
    let cells: Vec<String> = cells.into_iter().map(|c| field(&c)).collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

fn section(out: &mut String, t: &Table) {
    line(out, [format!("[{}]", t.title)]);
    line(out, t.headers.iter().map(|h| h.to_string()));
    for r in &t.rows {
        line(out, r.iter().map(|c| c.text()));
    }
    out.push_str("\r\n");
}

pub fn csv(b: &Bulletin) -> String {
    let mut out = String::from("\u{feff}");
    line(
        &mut out,
        [
            format!("{} {}", text::month_zh(&b.month), text::TITLE),
            text::status(b),
        ],
    );
    out.push_str("\r\n");
    section(&mut out, &text::summary(b));
    for t in text::tables(b) {
        section(&mut out, &t);
    }
    out
}
