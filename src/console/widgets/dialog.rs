//! Modal boxes: the reply / feedback / escalation text box, and the overlay frame.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::text::{put, width};
use crate::console::action::Command;
use crate::console::app::App;
use crate::console::i18n::fill;
use crate::console::model::{LegacyDialog, Purpose, TextBox};

/// A rectangle of `w`×`h` centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// A bordered block with the theme's border characters.
pub fn block<'a>(app: &App, title: Line<'a>, border: Style) -> Block<'a> {
    let b = Block::bordered().border_style(border).title(title);
    if app.theme.ascii {
        b.border_set(ASCII_BORDER)
    } else {
        b
    }
}

pub const ASCII_BORDER: ratatui::symbols::border::Set<'static> = ratatui::symbols::border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub fn render_textbox(frame: &mut Frame, app: &App, tb: &TextBox) {
    let s = app.s();
    let full = frame.area();
    let w = if full.width < 70 {
        full.width
    } else {
        (full.width * 7 / 10).max(68)
    };
    let h = 12.min(full.height);
    let area = centered(full, w, h);
    frame.render_widget(Clear, area);
    let title = match &tb.purpose {
        Purpose::Feedback { title, .. } => fill(s.dlg_feedback, &[title]),
        Purpose::Reply { subject, .. } => fill(s.dlg_reply, &[subject]),
        Purpose::Escalate { title, .. } => fill(s.dlg_escalate, &[title]),
        Purpose::Sign {
            title, agree: true, ..
        } => fill(s.joint.dlg_sign, &[title]),
        Purpose::Sign { title, .. } => fill(s.joint.dlg_dissent, &[title]),
        Purpose::InquiryReply { title, .. } => fill(s.cases.dlg_inquiry, &[title]),
        Purpose::Legacy { title, step, .. } => {
            let c = s.cases;
            let toggle = app.keymap.first(Command::Toggle).unwrap_or_default();
            match step {
                LegacyDialog::Opinion {
                    rectification_required,
                } => {
                    let choice = if *rectification_required {
                        c.rectify_yes
                    } else {
                        c.rectify_no
                    };
                    fill(c.dlg_opinion, &[choice, &toggle, title])
                }
                LegacyDialog::Verification { pass } => {
                    let choice = if *pass { c.pass } else { c.fail };
                    fill(c.dlg_verification, &[choice, &toggle, title])
                }
                LegacyDialog::Decision => fill(c.dlg_decision, &[title]),
            }
        }
        Purpose::Verify {
            title, pass: true, ..
        } => fill(s.credit.dlg_pass, &[title]),
        Purpose::Verify { title, .. } => fill(s.credit.dlg_fail, &[title]),
        Purpose::DecideLetter {
            title,
            accept: true,
            ..
        } => fill(s.letters.dlg_accept, &[title]),
        Purpose::DecideLetter { title, .. } => fill(s.letters.dlg_reject, &[title]),
    };
    let max_title = area.width.saturating_sub(4) as usize;
    let title = super::text::truncate(&title, max_title, app.ellipsis()).into_owned();
    let blk = block(
        app,
        Line::from(Span::styled(format!(" {title} "), app.theme.title_focused)),
        app.theme.dialog,
    );
    let inner = blk.inner(area);
    frame.render_widget(blk, area);
    if inner.height < 2 {
        return;
    }
    let text_area = Rect::new(inner.x, inner.y, inner.width, inner.height - 1);
    let hint_y = inner.y + inner.height - 1;
    frame.render_widget(&tb.area, text_area);
    let key = |c: Command| app.keymap.first(c).unwrap_or_default();
    let (hint, style) = if tb.confirm_discard {
        (
            fill(s.dlg_discard, &[&key(Command::Confirm)]),
            app.theme.status_error,
        )
    } else if tb.sending {
        (s.st_sending.to_string(), app.theme.status_info)
    } else {
        let mut hint = fill(s.dlg_hint, &[&key(Command::Send), &key(Command::Cancel)]);
        if matches!(tb.purpose, Purpose::Verify { .. }) {
            // The result dialog's own key: pass ↔ fail.
            hint = format!("{hint} · {}", s.credit.dlg_toggle);
        }
        if matches!(tb.purpose, Purpose::DecideLetter { .. }) {
            hint = format!("{hint} · {}", s.letters.dlg_toggle);
        }
        (hint, app.theme.muted)
    };
    put(
        frame.buffer_mut(),
        inner.x,
        hint_y,
        &hint,
        inner.width,
        style,
        app.ellipsis(),
    );
    if !tb.confirm_discard && !tb.sending {
        // Put the terminal's own cursor where the text goes, so an input method (IME) opens
        // its candidate window at the right place.
        let sc = tb.area.screen_cursor();
        let (top, left) = tb.area.scroll_offset();
        let row = (sc.row as u16).saturating_sub(top);
        let col = (sc.col as u16).saturating_sub(left);
        if row < text_area.height && col < text_area.width {
            frame.set_cursor_position((text_area.x + col, text_area.y + row));
        }
    }
}

/// Draws a centred overlay frame and returns its inner area.
pub fn overlay(frame: &mut Frame, app: &App, title: &str, hint: &str) -> Rect {
    let full = frame.area();
    let w = if full.width <= 90 {
        full.width
    } else {
        full.width * 9 / 10
    };
    let h = if full.height <= 26 {
        full.height
    } else {
        full.height * 9 / 10
    };
    let area = centered(full, w, h);
    frame.render_widget(Clear, area);
    let mut blk = block(
        app,
        Line::from(Span::styled(format!(" {title} "), app.theme.title_focused)),
        app.theme.dialog,
    );
    if width(hint) + 6 < area.width as usize {
        blk = blk.title_bottom(
            Line::from(Span::styled(format!(" {hint} "), app.theme.muted)).right_aligned(),
        );
    }
    let inner = blk.inner(area);
    blk.render(area, frame.buffer_mut());
    inner
}
