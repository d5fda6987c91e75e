//! 联合踏勘: upcoming and recent joint inspections, reviews, hearings and meetings
//! (arts. 9–11): when, what, where, who takes part, the notice's acknowledgements, the experts
//! drawn and the joint report's sign-off. Loaded at start (`GET /api/v1/joint-events`) and
//! kept live from the event stream; the empty text appears only once the server has answered.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::console::app::App;
use crate::console::model::Pane;
use crate::console::widgets::countdown::short_time;
use crate::console::widgets::table::{Column, TableCell};

pub fn render(app: &App, area: Rect, buf: &mut Buffer, focused: bool) {
    let s = app.s();
    let j = s.joint;
    let th = &app.theme;
    let rows = app.visible_inspections();
    if rows.is_empty() {
        let text = if app.inspections_loaded {
            super::empty_text(app, Pane::Inspections, s.empty_inspections)
        } else {
            s.loading.to_string()
        };
        super::empty(app, area, buf, &text);
        return;
    }
    let mine = app.me.as_ref().and_then(|m| m.department.as_deref());
    let cols = [
        Column::fixed(s.col_when, 11),
        Column::fixed(s.col_kind, 8),
        Column::fill(s.col_subject, 4, 10),
        Column::fill(s.col_place, 2, 8),
        Column::fill(s.col_departments, 3, 10),
        Column::fixed(j.col_ack, 6).right(),
        Column::fill(s.col_experts, 2, 8),
        Column::fixed(s.col_signoff, 8).right(),
    ];
    let table = super::ListTable::new(app, Pane::Inspections, focused, &cols);
    table.render(area, buf, rows.len(), |i| {
        let r = rows[i];
        let deps: Vec<&str> = r
            .departments
            .iter()
            .map(|d| app.department_name(d))
            .collect();
        let n = r.departments.len();
        // My department's own outstanding acknowledgement is what a participant looks for.
        let ack_pending_mine = mine.is_some_and(|m| {
            r.departments.iter().any(|d| d == m) && !r.acknowledged.iter().any(|d| d == m)
        });
        let (ack, ack_style) = if r.cancelled {
            (String::new(), th.muted)
        } else if ack_pending_mine && r.at > app.now {
            (j.ack_mine.to_string(), th.urgent)
        } else if r.acknowledged.len() >= n {
            (format!("{}/{n}", r.acknowledged.len()), th.status_ok)
        } else {
            (format!("{}/{n}", r.acknowledged.len()), th.muted)
        };
        let (sign, sign_style) = if r.cancelled {
            (j.cancelled.to_string(), th.muted)
        } else if !r.reported {
            (j.no_report.to_string(), th.muted)
        } else if r.report_final {
            (j.final_mark.to_string(), th.status_ok)
        } else {
            (format!("{}/{n}", r.signed), th.urgent)
        };
        let title = if r.emergency {
            format!("[{}] {}", j.emergency, r.title)
        } else {
            r.title.clone()
        };
        let text = if r.cancelled { th.muted } else { th.text };
        vec![
            TableCell::new(short_time(r.at), text),
            TableCell::new(r.kind.label(s), th.muted),
            TableCell::new(title, text),
            TableCell::new(r.place.as_str(), text),
            TableCell::new(deps.join("、"), th.muted),
            TableCell::new(ack, ack_style).keep(),
            TableCell::new(r.experts.join("、"), th.muted),
            TableCell::new(sign, sign_style).keep(),
        ]
    });
}
