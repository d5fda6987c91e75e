//! The four panes. Each draws itself from the app state into a rectangle.

pub mod disputes;
pub mod inspections;
pub mod month_end;
pub mod monthly;
pub mod unclaimed;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::app::App;
use super::i18n::fill;
use super::model::{ListState, Pane};
use super::widgets::dialog::block;
use super::widgets::table::{Column, TableCell, VirtualTable};
use super::widgets::text::{put, width};

/// A pane's list drawn as a table in the app's styles: scrolled so that the selection stays in
/// view below the header, the selection shown only while the pane has the focus.
struct ListTable<'a> {
    table: VirtualTable<'a>,
    list: &'a ListState,
    focused: bool,
}

impl<'a> ListTable<'a> {
    fn new(app: &'a App, pane: Pane, focused: bool, columns: &'a [Column<'a>]) -> Self {
        Self {
            table: VirtualTable {
                columns,
                header_style: app.theme.header,
                selected_style: app.theme.selected,
                ellipsis: app.ellipsis(),
            },
            list: &app.pane(pane).list,
            focused,
        }
    }

    /// Draws `len` rows; `row(i)` is called only for the rows on screen.
    fn render<'r>(
        &self,
        area: Rect,
        buf: &mut Buffer,
        len: usize,
        row: impl FnMut(usize) -> Vec<TableCell<'r>>,
    ) {
        let offset = self
            .list
            .scroll_for(len, area.height.saturating_sub(1) as usize);
        let selected = self.focused.then_some(self.list.selected);
        self.table.render(area, buf, len, offset, selected, row);
    }
}

/// Draws the pane with its frame; `focused` highlights the border and title.
pub fn render(app: &App, pane: Pane, area: Rect, buf: &mut Buffer, focused: bool) {
    let s = app.s();
    let th = &app.theme;
    let len = app.pane_len(pane);
    let mut title = vec![Span::styled(
        format!(" {} ", pane.title(s)),
        if focused { th.title_focused } else { th.title },
    )];
    let count = match pane {
        Pane::Unclaimed if app.delivery_count() != app.delivery_total() => {
            format!("{}/{}", app.delivery_count(), app.delivery_total())
        }
        Pane::Monthly => app.month_str(),
        _ => len.to_string(),
    };
    title.push(Span::styled(format!("{count} "), th.muted));
    if pane == Pane::Unclaimed && app.queue.loading && app.queue.loaded_once {
        title.push(Span::styled(format!("{} ", s.more_loading), th.muted));
    }
    let filter = &app.pane(pane).filter;
    if !filter.is_empty() {
        title.push(Span::styled(format!("/{filter} "), th.status_info));
    }
    let blk = block(
        app,
        Line::from(title),
        if focused {
            th.border_focused
        } else {
            th.border
        },
    );
    let inner = blk.inner(area);
    blk.render(area, buf);
    match pane {
        Pane::Unclaimed => unclaimed::render(app, inner, buf, focused),
        Pane::Disputes => disputes::render(app, inner, buf, focused),
        Pane::Inspections => inspections::render(app, inner, buf, focused),
        Pane::Monthly => monthly::render(app, inner, buf, focused),
    }
}

/// A centred one-line message for an empty (or loading) pane.
pub fn empty(app: &App, area: Rect, buf: &mut Buffer, text: &str) {
    if area.height == 0 {
        return;
    }
    let w = (width(text) as u16).min(area.width);
    let x = area.x + (area.width - w) / 2;
    let y = area.y + area.height / 2;
    put(buf, x, y, text, w, app.theme.muted, app.ellipsis());
}

/// The message for a list that is empty because of the filter, or for real.
pub fn empty_text(app: &App, pane: Pane, real: &'static str) -> String {
    if app.pane(pane).filter.is_empty() {
        real.to_string()
    } else {
        fill(app.s().empty_filtered, &[])
    }
}
