//! 月度统计, the duty officer's month-end screen: which figures are shown (the issued bulletin
//! or the live ones, labelled), per department received, claimed on time, auto-claimed,
//! pending, on-time rate, average claim time (working hours when a bulletin is loaded) and a
//! 12-month trend sparkline; below, the ranking with on-time-rate bars. `[` / `]` change the
//! month; the drill-down, issue and export keys are in `month_end`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::console::app::App;
use crate::console::i18n::Strings;
use crate::console::model::Pane;
use crate::console::widgets::table::{Column, TableCell};
use crate::console::widgets::text::{pad_right, put, width};

pub fn format_avg(secs: Option<f64>, s: &Strings) -> String {
    match secs {
        None => s.none.to_string(),
        Some(x) if x < 3600.0 => format!("{:.0}{}", (x / 60.0).max(0.0), s.minute_unit),
        Some(x) => format!("{:.1}{}", x / 3600.0, s.hour_unit),
    }
}

pub fn format_rate(r: Option<f64>, s: &Strings) -> String {
    r.map(|r| format!("{:.1}%", r * 100.0))
        .unwrap_or_else(|| s.none.to_string())
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let s = app.s();
    let th = &app.theme;
    let rows = app.visible_months();
    // The first line says what the figures are: issued (frozen) or live.
    let area = if area.height > 2 {
        super::month_end::render_label(app, area, buf);
        Rect::new(area.x, area.y + 1, area.width, area.height - 1)
    } else {
        area
    };
    if rows.is_empty() {
        let text = if app.monthly.loading {
            s.loading.to_string()
        } else {
            super::empty_text(app, Pane::Monthly, s.empty_monthly)
        };
        super::empty(app, area, buf, &text);
        return;
    }
    // Narrow panes (a 2×2 grid at 120 columns) drop the average time and dispute columns
    // rather than the department names.
    let wide = area.width >= 66;
    let trend = area.width >= 90;
    let me = &s.month_end;
    let mine = app.my_department();
    let mut cols = vec![
        Column::fixed(me.col_rank, 4).right(),
        Column::fill(s.col_unit, 1, 8),
        Column::fixed(s.col_received, 6).right(),
        Column::fixed(s.col_on_time, 8).right(),
        Column::fixed(s.col_auto, 8).right(),
        Column::fixed(s.col_pending, 6).right(),
        Column::fixed(s.col_rate, 7).right(),
    ];
    if wide {
        cols.push(Column::fixed(s.col_avg, 8).right());
        cols.push(Column::fixed(s.col_disputes, 4).right());
    }
    if trend {
        cols.push(Column::fixed(me.col_trend, 12));
    }
    // Table on top, the chart below it in whatever height is left (at least 3 lines).
    let table_h = (rows.len() as u16 + 1).min(area.height.saturating_sub(4).max(area.height / 2));
    let table_area = Rect::new(area.x, area.y, area.width, table_h);
    let table = super::ListTable::new(app, Pane::Monthly, focused, &cols);
    table.render(table_area, buf, rows.len(), |i| {
        let d = rows[i];
        let rate_style = match d.on_time_rate {
            Some(r) if r < 0.8 => th.critical,
            Some(r) if r < 0.95 => th.urgent,
            Some(_) => th.plenty,
            None => th.muted,
        };
        let line = app.monthly.line(&d.department);
        let rank = line
            .and_then(|l| l.rank)
            .map_or_else(|| s.none.to_string(), |r| r.to_string());
        // Staff see their own department marked.
        let name = if mine == Some(d.department.as_str()) {
            TableCell::new(format!("» {}", d.name), th.key)
        } else {
            TableCell::new(d.name.as_str(), th.text)
        };
        let mut row = vec![
            TableCell::new(rank, th.muted),
            name,
            TableCell::new(d.received.to_string(), th.text),
            TableCell::new(d.claimed_on_time.to_string(), th.text),
            TableCell::new(
                d.auto_claimed.to_string(),
                if d.auto_claimed > 0 {
                    th.urgent
                } else {
                    th.text
                },
            ),
            TableCell::new(d.pending.to_string(), th.text),
            TableCell::new(format_rate(d.on_time_rate, s), rate_style).keep(),
        ];
        if wide {
            // Working hours from the bulletin; wall time until it is loaded.
            let avg = match line {
                Some(l) => l
                    .avg_claim_working_hours
                    .map_or_else(|| s.none.to_string(), |h| format!("{h:.1}{}", s.hour_unit)),
                None => format_avg(d.avg_claim_seconds, s),
            };
            row.push(TableCell::new(avg, th.text));
            row.push(TableCell::new(d.disputes_opened.to_string(), th.text));
        }
        if trend {
            let spark = app
                .monthly
                .trend
                .get(&d.department)
                .map(|t| super::month_end::sparkline(t, app.theme.ascii))
                .unwrap_or_default();
            row.push(TableCell::new(spark, th.bar));
        }
        row
    });
    if super::month_end::render_ranking(app, area, table_h, buf) {
        return;
    }

    // Bar chart: one bar per department, on-time claim rate.
    let chart_y = area.y + table_h + 1;
    let bottom = area.y + area.height;
    if chart_y + 1 >= bottom {
        return;
    }
    put(
        buf,
        area.x,
        chart_y,
        s.chart_title,
        area.width,
        th.header,
        app.ellipsis(),
    );
    let label_w = rows
        .iter()
        .map(|d| width(&d.name))
        .max()
        .unwrap_or(4)
        .clamp(4, 12);
    let pct_w = 7usize;
    let bar_w = (area.width as usize).saturating_sub(label_w + pct_w + 2);
    let (full, empty_c) = if app.theme.ascii {
        ("#", ".")
    } else {
        ("█", "░")
    };
    for (line, d) in rows.iter().enumerate() {
        let y = chart_y + 1 + line as u16;
        if y >= bottom {
            break;
        }
        let label = pad_right(&d.name, label_w, app.ellipsis());
        put(
            buf,
            area.x,
            y,
            &label,
            label_w as u16,
            th.text,
            app.ellipsis(),
        );
        let filled = d
            .on_time_rate
            .map_or(0, |r| ((r.clamp(0.0, 1.0) * bar_w as f64).round()) as usize);
        let bx = area.x + label_w as u16 + 1;
        put(buf, bx, y, &full.repeat(filled), filled as u16, th.bar, "");
        put(
            buf,
            bx + filled as u16,
            y,
            &empty_c.repeat(bar_w - filled),
            (bar_w - filled) as u16,
            th.muted,
            "",
        );
        let pct = format_rate(d.on_time_rate, s);
        put(
            buf,
            bx + bar_w as u16 + 1,
            y,
            &pct,
            pct_w as u16,
            th.text,
            app.ellipsis(),
        );
    }
}
