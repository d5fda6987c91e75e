//! 联合踏勘: upcoming joint inspections, reviews, hearings and meetings (arts. 9–11).
//!
//! The server has no endpoint for these yet; the pane shows its empty state until
//! `Action::Inspections` feeds it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::console::app::App;
use crate::console::model::Pane;
use crate::console::widgets::countdown::short_time;
use crate::console::widgets::table::{Column, TableCell};

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let s = app.s();
    let th = &app.theme;
    let rows = app.visible_inspections();
    if rows.is_empty() {
        let text = super::empty_text(app, Pane::Inspections, s.empty_inspections);
        super::empty(app, area, buf, &text);
        return;
    }
    let cols = [
        Column::fixed(s.col_when, 11),
        Column::fixed(s.col_kind, 8),
        Column::fill(s.col_subject, 4, 10),
        Column::fill(s.col_place, 2, 8),
        Column::fill(s.col_departments, 3, 10),
        Column::fill(s.col_experts, 2, 8),
        Column::fixed(s.col_signoff, 6).right(),
    ];
    let table = super::ListTable::new(app, Pane::Inspections, focused, &cols);
    table.render(area, buf, rows.len(), |i| {
        let r = rows[i];
        let deps: Vec<&str> = r
            .departments
            .iter()
            .map(|d| app.department_name(d))
            .collect();
        let sign_style = if r.signed >= r.departments.len() {
            th.status_ok
        } else {
            th.urgent
        };
        vec![
            TableCell::new(short_time(r.at), th.text),
            TableCell::new(r.kind.label(s), th.muted),
            TableCell::new(r.title.as_str(), th.text),
            TableCell::new(r.place.as_str(), th.text),
            TableCell::new(deps.join("、"), th.muted),
            TableCell::new(r.experts.join("、"), th.muted),
            TableCell::new(format!("{}/{}", r.signed, r.departments.len()), sign_style).keep(),
        ]
    });
}
