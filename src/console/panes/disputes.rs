//! 争议反馈: open question / dispute threads — subject, who must answer, by when, last message.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::console::app::App;
use crate::console::model::Pane;
use crate::console::widgets::countdown::{short_time, urgency, urgency_style};
use crate::console::widgets::table::{Column, TableCell};

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let s = app.s();
    let th = &app.theme;
    let rows = app.visible_disputes();
    if rows.is_empty() {
        let text = if app.disputes.loaded {
            super::empty_text(app, Pane::Disputes, s.empty_disputes)
        } else {
            s.loading.to_string()
        };
        super::empty(app, area, buf, &text);
        return;
    }
    let cols = [
        Column::fill(s.col_subject, 4, 10),
        Column::fill(s.col_raised_by, 2, 8),
        Column::fill(s.col_answering, 2, 8),
        // The due time, coloured by urgency: a per-second countdown here would double the
        // bytes sent each second over SSH for little benefit.
        Column::fixed(s.col_due, 11),
        Column::fill(s.col_last, 5, 12),
    ];
    let my_dept = app.me.as_ref().and_then(|m| m.department.as_deref());
    let table = super::ListTable::new(app, Pane::Disputes, focused, &cols);
    table.render(area, buf, rows.len(), |i| {
        let d = rows[i];
        let u = urgency(d.answer_due, app.now, &app.thresholds);
        let last = d
            .messages
            .last()
            .map(|m| format!("{}: {}", m.author, m.body))
            .unwrap_or_else(|| s.none.to_string());
        vec![
            TableCell::new(d.subject.as_str(), th.text),
            TableCell::new(app.department_name(&d.raised_by_department), th.muted),
            // Threads my department must answer stand out.
            TableCell::new(
                app.department_name(&d.answering_department),
                if my_dept == Some(d.answering_department.as_str()) {
                    th.important
                } else {
                    th.text
                },
            ),
            TableCell::new(short_time(d.answer_due), urgency_style(u, th)).keep(),
            TableCell::new(last, th.muted),
        ]
    });
}
