//! A table that draws only the rows on screen.
//!
//! ratatui's `Table` wants every `Row` built up front; with 100,000 pending deliveries that
//! alone costs far more than a frame. Here the caller gives a row count and a function that
//! builds one row, and only the visible rows are ever built.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::text::{put, width};

/// How wide a column is: fixed, or a share of what the fixed columns leave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColWidth {
    Fixed(u16),
    /// A weight for sharing the rest, and the minimum below which the column is dropped.
    Fill {
        weight: u16,
        min: u16,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub title: &'a str,
    pub width: ColWidth,
    pub align: Align,
}

impl<'a> Column<'a> {
    pub fn fixed(title: &'a str, w: u16) -> Self {
        Column {
            title,
            width: ColWidth::Fixed(w),
            align: Align::Left,
        }
    }
    pub fn fill(title: &'a str, weight: u16, min: u16) -> Self {
        Column {
            title,
            width: ColWidth::Fill { weight, min },
            align: Align::Left,
        }
    }
    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }
}

/// One cell: text and style. `keep` cells keep their own style on the selected row
/// (a countdown stays red even when selected).
#[derive(Debug, Clone)]
pub struct TableCell<'a> {
    pub text: std::borrow::Cow<'a, str>,
    pub style: Style,
    pub keep: bool,
}

impl<'a> TableCell<'a> {
    pub fn new(text: impl Into<std::borrow::Cow<'a, str>>, style: Style) -> Self {
        TableCell {
            text: text.into(),
            style,
            keep: false,
        }
    }
    pub fn keep(mut self) -> Self {
        self.keep = true;
        self
    }
}

/// Computes each column's width for `total` cells (one space between columns). Fill columns
/// that would fall below their minimum are dropped (width 0), last ones first.
pub fn layout_columns(cols: &[Column<'_>], total: u16) -> Vec<u16> {
    let mut active: Vec<bool> = vec![true; cols.len()];
    loop {
        let n = active.iter().filter(|a| **a).count() as u16;
        let gaps = n.saturating_sub(1);
        let fixed: u16 = cols
            .iter()
            .zip(&active)
            .filter(|(_, a)| **a)
            .map(|(c, _)| match c.width {
                ColWidth::Fixed(w) => w,
                ColWidth::Fill { .. } => 0,
            })
            .sum();
        let weights: u16 = cols
            .iter()
            .zip(&active)
            .filter(|(_, a)| **a)
            .map(|(c, _)| match c.width {
                ColWidth::Fill { weight, .. } => weight,
                ColWidth::Fixed(_) => 0,
            })
            .sum();
        let rest = total.saturating_sub(fixed + gaps);
        let mut widths: Vec<u16> = Vec::with_capacity(cols.len());
        let mut given = 0u16;
        let mut last_fill = None;
        for (i, (c, a)) in cols.iter().zip(&active).enumerate() {
            let w = if !*a {
                0
            } else {
                match c.width {
                    ColWidth::Fixed(w) => w,
                    ColWidth::Fill { weight, .. } => {
                        last_fill = Some(i);
                        let w = (rest as u32 * weight as u32 / weights.max(1) as u32) as u16;
                        given += w;
                        w
                    }
                }
            };
            widths.push(w);
        }
        if let Some(i) = last_fill {
            widths[i] += rest.saturating_sub(given);
        }
        // Drop the last fill column that is too narrow, and try again.
        let too_narrow = cols.iter().enumerate().rev().find(|(i, c)| {
            active[*i] && matches!(c.width, ColWidth::Fill { min, .. } if widths[*i] < min)
        });
        match too_narrow {
            Some((i, _)) if active.iter().filter(|a| **a).count() > 1 => active[i] = false,
            _ => return widths,
        }
    }
}

pub struct VirtualTable<'a> {
    pub columns: &'a [Column<'a>],
    pub header_style: Style,
    pub selected_style: Style,
    pub ellipsis: &'a str,
}

impl VirtualTable<'_> {
    /// Draws the header and rows `offset..` that fit in `area`; `row(i)` is called only for those.
    pub fn render<'r>(
        &self,
        area: Rect,
        buf: &mut Buffer,
        len: usize,
        offset: usize,
        selected: Option<usize>,
        mut row: impl FnMut(usize) -> Vec<TableCell<'r>>,
    ) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let widths = layout_columns(self.columns, area.width);
        // Header.
        let mut x = area.x;
        for (c, w) in self.columns.iter().zip(&widths) {
            if *w == 0 {
                continue;
            }
            self.cell(buf, x, area.y, c.title, *w, c.align, self.header_style);
            x += w + 1;
        }
        let body_h = area.height.saturating_sub(1) as usize;
        for (line, i) in (offset..len).take(body_h).enumerate() {
            let y = area.y + 1 + line as u16;
            let is_sel = selected == Some(i);
            if is_sel {
                buf.set_style(Rect::new(area.x, y, area.width, 1), self.selected_style);
            }
            let cells = row(i);
            let mut x = area.x;
            for ((c, w), cell) in self.columns.iter().zip(&widths).zip(cells.iter()) {
                if *w == 0 {
                    continue;
                }
                let style = if is_sel && !cell.keep {
                    cell.style.patch(self.selected_style)
                } else {
                    cell.style
                };
                self.cell(buf, x, y, &cell.text, *w, c.align, style);
                x += w + 1;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn cell(
        &self,
        buf: &mut Buffer,
        x: u16,
        y: u16,
        text: &str,
        w: u16,
        align: Align,
        style: Style,
    ) {
        let tw = width(text) as u16;
        let x = match align {
            Align::Right if tw < w => x + (w - tw),
            _ => x,
        };
        let w = match align {
            Align::Right if tw < w => tw,
            _ => w,
        };
        put(buf, x, y, text, w, style, self.ellipsis);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_columns_share_and_drop_when_narrow() {
        let cols = [
            Column::fixed("a", 10),
            Column::fill("b", 2, 8),
            Column::fill("c", 1, 8),
        ];
        assert_eq!(layout_columns(&cols, 42), vec![10, 20, 10]);
        // 20 cells: b would get 6 and c 3 — c is dropped, b gets the rest.
        assert_eq!(layout_columns(&cols, 20), vec![10, 9, 0]);
    }

    #[test]
    fn only_visible_rows_are_built() {
        let cols = [Column::fill("x", 1, 1)];
        let t = VirtualTable {
            columns: &cols,
            header_style: Style::default(),
            selected_style: Style::default(),
            ellipsis: "…",
        };
        let area = Rect::new(0, 0, 10, 5);
        let mut buf = Buffer::empty(area);
        let mut built = Vec::new();
        t.render(area, &mut buf, 1_000_000, 500, Some(501), |i| {
            built.push(i);
            vec![TableCell::new(i.to_string(), Style::default())]
        });
        assert_eq!(built, vec![500, 501, 502, 503]);
    }
}
