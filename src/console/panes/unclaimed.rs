//! 待认领: the countdown queue — pending deliveries and outstanding duties (a letter to decide,
//! a verification, a notice to acknowledge, …), soonest deadline first, with live countdowns.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::api::{Duty, DutyState};
use crate::console::app::App;
use crate::console::model::Pane;
use crate::console::queue::QueueItem;
use crate::console::widgets::countdown::{countdown, short_time};
use crate::console::widgets::table::{Column, TableCell};

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let s = app.s();
    let th = &app.theme;
    let len = app.delivery_count();
    if len == 0 {
        let text = if app.queue.loading && !app.queue.loaded_once {
            s.loading.to_string()
        } else {
            super::empty_text(app, Pane::Unclaimed, s.empty_unclaimed)
        };
        super::empty(app, area, buf, &text);
        return;
    }
    let sees_all = app.sees_all();
    let deadline_w = 11 + crate::console::widgets::text::width(s.provisional) as u16;
    // Fill columns are dropped from the right when the pane is narrow: source first, then
    // counterparty; the department, item and countdown always stay.
    let mut cols = vec![Column::fixed("", 4)];
    if sees_all {
        cols.push(Column::fill(s.col_department, 2, 10));
    }
    cols.extend([
        Column::fill(s.col_item, 5, 14),
        Column::fixed(s.col_deadline, deadline_w),
        Column::fixed(s.col_remaining, 15).right(),
        Column::fill(s.col_counterparty, 3, 14),
        Column::fill(s.col_source, 2, 10),
    ]);
    let table = super::ListTable::new(app, Pane::Unclaimed, focused, &cols);
    table.render(area, buf, len, |i| {
        let d = match app.queue_item(i) {
            Some(QueueItem::Delivery(d)) => d,
            Some(QueueItem::Duty(d)) => return duty_row(app, d, sees_all),
            None => return Vec::new(),
        };
        let mut flags = String::new();
        if d.important {
            flags.push_str(s.important_mark);
        }
        if d.escalated {
            flags.push_str(s.escalated_mark);
        }
        // The holder was under restricted or strict admission when it was pushed.
        if let Some(m) = d.admission {
            flags.push_str(crate::console::lookup_view::admission_mark(
                app,
                m.admission(),
            ));
        }
        let (left, style) = countdown(d.claim_deadline, app.now, &app.thresholds, th, s);
        let mut deadline = short_time(d.claim_deadline);
        let dl_style = if d.deadline_provisional {
            deadline.push_str(s.provisional);
            th.provisional
        } else {
            th.text
        };
        let mut row = vec![TableCell::new(flags, th.important)];
        if sees_all {
            row.push(TableCell::new(app.department_name(&d.department), th.text));
        }
        row.extend([
            TableCell::new(d.title.as_str(), th.text),
            TableCell::new(deadline, dl_style),
            TableCell::new(left, style).keep(),
            TableCell::new(d.counterparty_name.as_deref().unwrap_or(s.none), th.text),
            TableCell::new(app.department_name(&d.source_department), th.muted),
        ]);
        row
    });
}

/// A duty's row in the same columns: the kind's tag before the title, no counterparty, the
/// department that set it in the source column.
fn duty_row<'a>(app: &'a App, d: &'a Duty, sees_all: bool) -> Vec<TableCell<'a>> {
    let s = app.s();
    let th = &app.theme;
    let (left, style) = countdown(d.due, app.now, &app.thresholds, th, s);
    let mut deadline = short_time(d.due);
    let dl_style = if d.provisional {
        deadline.push_str(s.provisional);
        th.provisional
    } else {
        th.text
    };
    let flags = if d.state == DutyState::Overdue {
        TableCell::new("!", th.overdue)
    } else {
        TableCell::new("", th.text)
    };
    let mut row = vec![flags];
    if sees_all {
        row.push(TableCell::new(app.department_name(&d.department), th.text));
    }
    row.extend([
        TableCell::new(format!("[{}] {}", s.duty_kind(d.kind), d.title), th.text),
        TableCell::new(deadline, dl_style),
        TableCell::new(left, style).keep(),
        TableCell::new(s.none, th.muted),
        TableCell::new(
            d.counterpart
                .as_deref()
                .map_or(s.none.to_string(), |c| app.department_name(c).to_string()),
            th.muted,
        ),
    ]);
    row
}
