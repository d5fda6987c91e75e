//! The XLSX export: a workbook a county office forwards as is. A summary sheet (概况) with the
//! lead paragraph, the key figures and a chart of the departments' on-time rates; one sheet
//! per table; Chinese headers in a frozen header row; column widths set for the content; the
//! version and issue date (or the draft mark) on every sheet and in every printed page's header.

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::text::{self, Cell, Table};
use crate::api::Bulletin;

/// Rows above a table: the title, the status line; the header row follows.
const HEADER_ROW: u32 = 2;

fn sheet_frame(
    ws: &mut Worksheet,
    b: &Bulletin,
    t: &Table,
    bold: &Format,
) -> Result<(), XlsxError> {
    ws.set_name(t.title)?;
    let status = text::status(b);
    // `&` starts a header code; the texts never contain one, but stay safe.
    ws.set_header(format!(
        "&L{}{} — {}&R{}",
        text::month_zh(&b.month),
        text::TITLE,
        t.title,
        status.replace('&', "&&")
    ));
    ws.set_footer("&C&P / &N");
    ws.set_landscape();
    ws.write_string_with_format(
        0,
        0,
        format!("{}{} — {}", text::month_zh(&b.month), text::TITLE, t.title),
        bold,
    )?;
    ws.write_string(1, 0, status)?;
    for (c, h) in t.headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, c as u16, *h, bold)?;
    }
    for (c, w) in t.widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    Ok(())
}

fn write_rows(
    ws: &mut Worksheet,
    t: &Table,
    rate: &Format,
    hours: &Format,
) -> Result<(), XlsxError> {
    for (r, row) in t.rows.iter().enumerate() {
        let r = HEADER_ROW + 1 + r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string(r, c, s)?,
                Cell::Int(n) => ws.write_number(r, c, *n as f64)?,
                Cell::Rate(Some(x)) => ws.write_number_with_format(r, c, *x, rate)?,
                Cell::Hours(Some(x)) => ws.write_number_with_format(r, c, *x, hours)?,
                Cell::Rate(None) | Cell::Hours(None) => ws.write_string(r, c, "—")?,
            };
        }
    }
    Ok(())
}

pub fn xlsx(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let rate = Format::new().set_num_format("0.0%");
    let hours = Format::new().set_num_format("0.0");

    let summary = text::summary(b);
    let tables = text::tables(b);
    {
        let ws = wb.add_worksheet();
        sheet_frame(ws, b, &summary, &bold)?;
        write_rows(ws, &summary, &rate, &hours)?;
        let lead_row = HEADER_ROW + 2 + summary.rows.len() as u32;
        ws.merge_range(lead_row, 0, lead_row, 1, &text::lead(b), &wrap)?;
        ws.set_row_height(lead_row, 90)?;
        // The chart reads the ranking sheet: names and on-time rates, best first.
        let n = b.contents.ranking.len() as u32;
        if n > 0 {
            let (first, last) = (HEADER_ROW + 1, HEADER_ROW + n);
            let mut chart = Chart::new(ChartType::Bar);
            chart
                .add_series()
                .set_name("按时率")
                .set_categories(("排名", first, 2, last, 2))
                .set_values(("排名", first, 6, last, 6));
            chart.title().set_name("各部门按时率 / on-time rate");
            chart.x_axis().set_num_format("0%").set_max(1.0);
            chart.y_axis().set_reverse();
            chart.legend().set_hidden();
            ws.insert_chart(lead_row + 2, 0, &chart)?;
        }
    }
    for t in &tables {
        let ws = wb.add_worksheet();
        sheet_frame(ws, b, t, &bold)?;
        write_rows(ws, t, &rate, &hours)?;
        if t.rows.is_empty() {
            ws.write_string(HEADER_ROW + 1, 0, "（无 / none）")?;
        }
    }
    wb.save_to_buffer()
}
