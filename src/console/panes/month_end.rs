//! The month-end parts of the 月度统计 pane: the label that says whether the figures are the
//! issued bulletin or the live ones, the ranking with on-time-rate bars, the 12-month trend
//! sparkline, the issue confirmation and the drill-down from a department to its late items
//! and ledger records.

use std::cell::Cell;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use crate::console::action::Command;
use crate::console::app::App;
use crate::console::i18n::fill;
use crate::console::widgets::dialog::{block, centered, overlay};
use crate::console::widgets::text::{pad_right, put, width};

use super::monthly::format_rate;

/// The first line of the pane: "已发布 第1版 · 2026-12-02 09:00", or the live mark.
pub fn render_label(app: &App, area: Rect, buf: &mut Buffer) {
    let me = &app.s().month_end;
    let th = &app.theme;
    let m = &app.monthly;
    let (text, style) = match (m.shown(), &m.issued) {
        (Some(b), _) if b.issued.is_some() => {
            let i = b.issued.as_ref().expect("checked");
            let v = i.version.to_string();
            let at = i.issued_at.format("%Y-%m-%d %H:%M").to_string();
            (format!("● {}", fill(me.issued, &[&v, &at])), th.plenty)
        }
        (_, Some(_)) => (format!("○ {}", me.live_beside), th.urgent),
        _ => (format!("○ {}", me.live_only), th.urgent),
    };
    put(
        buf,
        area.x,
        area.y,
        &text,
        area.width,
        style,
        app.ellipsis(),
    );
}

/// Twelve months of on-time rates as one character each (a gap where nothing was decided).
pub fn sparkline(rates: &[Option<f64>], ascii: bool) -> String {
    const BLOCKS: [&str; 8] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
    const ASCII: [&str; 8] = ["_", ".", ",", "-", "=", "+", "*", "#"];
    let steps = if ascii { ASCII } else { BLOCKS };
    rates
        .iter()
        .map(|r| match r {
            None => " ",
            Some(r) => steps[((r.clamp(0.0, 1.0) * 7.0).round()) as usize],
        })
        .collect()
}

/// The ranking below the table, from the shown bulletin: rank, name, a bar of the on-time rate,
/// the rate and `on time/decided`. The rate is over every deadline of the month (claims,
/// answers, duties: docs/STATISTICS.md), not the table's claim rate — the caption says so and
/// the count shows what it rests on (a department may rank on answers alone). False when no bulletin is loaded (the pane draws its plain chart instead).
pub fn render_ranking(app: &App, area: Rect, table_h: u16, buf: &mut Buffer) -> bool {
    let Some(b) = app.monthly.shown() else {
        return false;
    };
    let s = app.s();
    let th = &app.theme;
    let y0 = area.y + table_h + 1;
    let bottom = area.y + area.height;
    if y0 + 1 >= bottom {
        return true;
    }
    put(
        buf,
        area.x,
        y0,
        s.month_end.ranking,
        area.width,
        th.header,
        app.ellipsis(),
    );
    let ranking = &b.contents.ranking;
    let label_w = ranking
        .iter()
        .map(|r| width(&r.name))
        .max()
        .unwrap_or(4)
        .clamp(4, 12);
    let counts: Vec<String> = ranking
        .iter()
        .map(|r| format!("{}/{}", r.on_time, r.decided))
        .collect();
    let count_w = counts.iter().map(|c| c.len()).max().unwrap_or(3);
    let (rank_w, pct_w) = (3usize, 7usize);
    let bar_w = (area.width as usize).saturating_sub(rank_w + label_w + pct_w + count_w + 4);
    let (full, empty) = if th.ascii { ("#", ".") } else { ("█", "░") };
    let mine = app.my_department();
    for (i, r) in ranking.iter().enumerate() {
        let y = y0 + 1 + i as u16;
        if y >= bottom {
            break;
        }
        let own = mine == Some(r.department.as_str());
        let name_style = if own { th.key } else { th.text };
        let mut x = area.x;
        x += put(
            buf,
            x,
            y,
            &format!("{:>2}", r.rank),
            rank_w as u16,
            th.muted,
            "",
        ) + 1;
        let label = pad_right(&r.name, label_w, app.ellipsis());
        put(
            buf,
            x,
            y,
            &label,
            label_w as u16,
            name_style,
            app.ellipsis(),
        );
        x += label_w as u16 + 1;
        let filled = ((r.on_time_rate.clamp(0.0, 1.0) * bar_w as f64).round()) as usize;
        let bar_style = if r.attention { th.critical } else { th.bar };
        put(
            buf,
            x,
            y,
            &full.repeat(filled),
            filled as u16,
            bar_style,
            "",
        );
        put(
            buf,
            x + filled as u16,
            y,
            &empty.repeat(bar_w - filled),
            (bar_w - filled) as u16,
            th.muted,
            "",
        );
        let pct = format_rate(Some(r.on_time_rate), s);
        put(
            buf,
            x + bar_w as u16 + 1,
            y,
            &format!("{pct:>w$}", w = pct_w - 1),
            pct_w as u16,
            th.text,
            app.ellipsis(),
        );
        put(
            buf,
            x + (bar_w + pct_w) as u16 + 1,
            y,
            &format!("{:>count_w$}", counts[i]),
            count_w as u16,
            th.muted,
            "",
        );
    }
    true
}

/// "Issue the bulletin of 2026-11?" with what issuing means and the keys.
pub fn render_confirm(frame: &mut Frame, app: &App, month: &str) {
    let s = app.s();
    let me = &s.month_end;
    let full = frame.area();
    let area = centered(full, 64.min(full.width), 8.min(full.height));
    frame.render_widget(Clear, area);
    let title = Line::from(Span::styled(
        format!(" {} ", Command::IssueBulletin.label(s)),
        app.theme.title_focused,
    ));
    let blk = block(app, title, app.theme.dialog);
    let inner = blk.inner(area);
    blk.render(area, frame.buffer_mut());
    let keys = fill(
        me.confirm_keys,
        &[
            &app.keymap.first(Command::Confirm).unwrap_or_default(),
            &app.keymap.first(Command::Cancel).unwrap_or_default(),
        ],
    );
    let lines = vec![
        Line::styled(fill(me.confirm_issue, &[month]), app.theme.header),
        Line::styled(me.confirm_issue_note, app.theme.text),
        Line::raw(""),
        Line::styled(keys, app.theme.key),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// A department's figures, its ledger records and its late uploads in the shown bulletin.
pub fn render_drill(frame: &mut Frame, app: &App, department: &str, scroll: &Cell<u16>) {
    let s = app.s();
    let me = &s.month_end;
    let th = &app.theme;
    let name = app.department_name(department).to_string();
    let hint = fill(
        s.overlay_hint,
        &[&app.keymap.first(Command::Cancel).unwrap_or_default()],
    );
    let inner = overlay(frame, app, &fill(me.drill_title, &[&name]), &hint);
    let mut lines = Vec::new();
    let b = app.monthly.shown();
    if let Some(r) = b.and_then(|b| {
        b.contents
            .ranking
            .iter()
            .find(|r| r.department == department)
    }) {
        let (on, late) = (r.on_time.to_string(), r.late.to_string());
        let rate = format_rate(Some(r.on_time_rate), s);
        lines.push(Line::styled(
            fill(me.drill_summary, &[&on, &late, &rate]),
            th.text,
        ));
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(me.drill_ledger, th.header));
    let ledger: Vec<_> = b
        .iter()
        .flat_map(|b| b.contents.ledger.iter())
        .filter(|r| r.department == department)
        .collect();
    if ledger.is_empty() {
        lines.push(Line::styled(me.drill_none, th.muted));
    }
    for r in ledger {
        lines.push(Line::from(vec![
            Span::styled(format!("#{} ", r.id), th.muted),
            Span::styled(format!("{} ({}) ", r.rule, r.article), th.critical),
            Span::styled(r.item.clone(), th.text),
            Span::styled(
                format!(
                    "  {} → {}",
                    r.received_at.format("%m-%d %H:%M"),
                    r.occurred_at.format("%m-%d %H:%M")
                ),
                th.muted,
            ),
        ]));
    }
    let late: Vec<_> = b
        .iter()
        .flat_map(|b| b.contents.late_uploads.iter())
        .filter(|l| l.department == department)
        .collect();
    if !late.is_empty() {
        lines.push(Line::raw(""));
        lines.push(Line::styled(me.drill_late_uploads, th.header));
        for l in late {
            lines.push(Line::from(vec![
                Span::styled(format!("#{} ", l.push_id), th.muted),
                Span::styled(l.item.clone(), th.text),
                Span::styled(
                    format!(
                        "  {} → {} ({})",
                        l.license_date,
                        l.pushed_at.format("%m-%d %H:%M"),
                        l.due.format("%m-%d %H:%M")
                    ),
                    th.urgent,
                ),
            ]));
        }
    }
    let max = (lines.len() as u16).saturating_sub(inner.height);
    scroll.set(scroll.get().min(max));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll.get(), 0)),
        inner,
    );
}
