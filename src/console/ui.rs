//! Drawing the whole screen from the app state (no state is changed except scroll cells).
//!
//! 80×24: a tab bar and one pane at a time. From 120×40: all four panes in a 2×2 grid.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::action::Command;
use super::app::App;
use super::i18n::fill;
use super::model::{Connection, Mode, Pane, StatusKind};
use super::overlays;
use super::panes;
use super::widgets::dialog::render_textbox;
use super::widgets::text::{put, width};

/// Terminals at least this big show all four panes at once.
pub const GRID_MIN: (u16, u16) = (120, 40);

pub fn is_grid(area: Rect) -> bool {
    area.width >= GRID_MIN.0 && area.height >= GRID_MIN.1
}

pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < 20 || area.height < 6 {
        let buf = frame.buffer_mut();
        put(
            buf,
            area.x,
            area.y,
            app.s().app_title,
            area.width,
            app.theme.text,
            app.ellipsis(),
        );
        return;
    }
    let grid = is_grid(area);
    let header = Rect::new(area.x, area.y, area.width, 1);
    let footer_h = 2;
    let tabs_h = if grid { 0 } else { 1 };
    let body = Rect::new(
        area.x,
        area.y + 1 + tabs_h,
        area.width,
        area.height - 1 - tabs_h - footer_h,
    );
    let status = Rect::new(area.x, area.y + area.height - 2, area.width, 1);
    let hints = Rect::new(area.x, area.y + area.height - 1, area.width, 1);
    {
        let buf = frame.buffer_mut();
        render_header(app, header, buf);
        if grid {
            let hw = body.width / 2;
            let hh = body.height / 2;
            let cells = [
                Rect::new(body.x, body.y, hw, hh),
                Rect::new(body.x + hw, body.y, body.width - hw, hh),
                Rect::new(body.x, body.y + hh, hw, body.height - hh),
                Rect::new(body.x + hw, body.y + hh, body.width - hw, body.height - hh),
            ];
            for (pane, rect) in Pane::ALL.iter().zip(cells) {
                panes::render(app, *pane, rect, buf, *pane == app.focus);
            }
        } else {
            render_tabs(app, Rect::new(area.x, area.y + 1, area.width, 1), buf);
            panes::render(app, app.focus, body, buf, true);
        }
        render_status(app, status, buf);
        render_hints(app, hints, buf);
    }
    match &app.mode {
        Mode::TextBox(tb) => render_textbox(frame, app, tb),
        Mode::Help { scroll } => overlays::render_help(frame, app, scroll),
        Mode::Details(d) => overlays::render_details(frame, app, d),
        Mode::Lookup(l) => super::lookup_view::render(frame, app, l),
        Mode::ConfirmIssue { month } => panes::month_end::render_confirm(frame, app, month),
        Mode::MonthDrill { department, scroll } => {
            panes::month_end::render_drill(frame, app, department, scroll)
        }
        Mode::Normal | Mode::Filter => {}
    }
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let s = app.s();
    let th = &app.theme;
    // Right side first (connection, clock, read-only), so the title yields space to it.
    let mut right: Vec<(String, Style)> = Vec::new();
    if app.readonly {
        right.push((format!(" {} ", s.readonly_tag), th.status_error));
    }
    match &app.connection {
        Connection::Connecting => right.push((s.conn_connecting.to_string(), th.muted)),
        Connection::Live => right.push((s.conn_live.to_string(), th.connected)),
        Connection::Reconnecting { after_secs, .. } => right.push((
            fill(s.conn_reconnecting, &[&after_secs.to_string()]),
            th.reconnecting,
        )),
    }
    right.push((app.now.format("%Y-%m-%d %H:%M:%S").to_string(), th.text));
    let right_w: usize = right.iter().map(|(t, _)| width(t) + 1).sum();
    let mut x = area.x + area.width.saturating_sub(right_w as u16);
    for (t, st) in &right {
        x += put(buf, x, area.y, t, area.width, *st, "") + 1;
    }
    let mut left = s.app_title.to_string();
    if let Some(me) = &app.me {
        let who = me
            .user
            .as_ref()
            .map(|u| u.display_name.clone())
            .or_else(|| me.api_key.clone())
            .unwrap_or_default();
        let dept = me
            .department
            .as_deref()
            .map(|d| app.department_name(d))
            .unwrap_or("");
        let role = s.role(me.role);
        let who = if dept.is_empty() {
            fill(s.who, &[&who, role])
        } else {
            fill(s.who_in_department, &[&who, dept, role])
        };
        left = format!("{left}  {who}");
    }
    let left_w = area.width.saturating_sub(right_w as u16 + 1);
    put(
        buf,
        area.x,
        area.y,
        &left,
        left_w,
        th.title_focused,
        app.ellipsis(),
    );
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let s = app.s();
    let mut x = area.x;
    for p in Pane::ALL {
        let label = format!(" {} {} ", p.title(s), app.pane_len(p));
        let st = if p == app.focus {
            app.theme.tab_active
        } else {
            app.theme.tab_inactive
        };
        let remaining = (area.x + area.width).saturating_sub(x);
        x += put(buf, x, area.y, &label, remaining, st, app.ellipsis());
        if x < area.x + area.width {
            x += put(buf, x, area.y, "|", 1, app.theme.border, "");
        }
    }
}

fn render_status(app: &App, area: Rect, buf: &mut Buffer) {
    let s = app.s();
    let th = &app.theme;
    if matches!(app.mode, Mode::Filter) {
        let f = &app.pane(app.focus).filter;
        let hint = fill(
            s.filter_hint,
            &[
                &app.keymap.first(Command::Confirm).unwrap_or_default(),
                &app.keymap.first(Command::Cancel).unwrap_or_default(),
            ],
        );
        let prompt = format!("{} /{f}", s.filter_prompt);
        let used = put(
            buf,
            area.x,
            area.y,
            &prompt,
            area.width,
            th.status_info,
            app.ellipsis(),
        );
        put(buf, area.x + used, area.y, "▏", 1, th.status_info, "");
        let hx = area.x + used + 3;
        if hx < area.x + area.width {
            put(
                buf,
                hx,
                area.y,
                &hint,
                area.x + area.width - hx,
                th.muted,
                app.ellipsis(),
            );
        }
        return;
    }
    if let Some(st) = &app.status {
        let style = match st.kind {
            StatusKind::Info => th.status_info,
            StatusKind::Ok => th.status_ok,
            StatusKind::Error => th.status_error,
        };
        put(
            buf,
            area.x,
            area.y,
            &st.text,
            area.width,
            style,
            app.ellipsis(),
        );
    } else if let Connection::Reconnecting { reason, .. } = &app.connection {
        put(
            buf,
            area.x,
            area.y,
            reason,
            area.width,
            th.muted,
            app.ellipsis(),
        );
    }
}

/// The command bar, generated from the active keymap (and the read-only switch and the role),
/// so it never disagrees with what the keys do.
pub fn hint_commands(app: &App) -> Vec<Command> {
    let mut cmds = match app.focus {
        Pane::Unclaimed => vec![
            Command::Claim,
            Command::Reply,
            Command::Escalate,
            Command::Details,
        ],
        Pane::Disputes => vec![Command::Reply, Command::Escalate, Command::Details],
        Pane::Inspections => vec![Command::Acknowledge, Command::Sign, Command::Dissent],
        Pane::Monthly => vec![
            Command::PrevMonth,
            Command::NextMonth,
            Command::ToggleLive,
            Command::Details,
            Command::IssueBulletin,
            Command::ExportBulletin,
        ],
    };
    cmds.extend([
        Command::Filter,
        Command::NextPane,
        Command::Help,
        Command::Quit,
    ]);
    cmds.retain(|&c| app.may(c));
    cmds
}

fn render_hints(app: &App, area: Rect, buf: &mut Buffer) {
    let th = &app.theme;
    let mut x = area.x;
    let end = area.x + area.width;
    for cmd in hint_commands(app) {
        let Some(key) = app.keymap.first(cmd) else {
            continue;
        };
        let label = cmd.short_label(app.s());
        let need = (width(&key) + 1 + width(label)) as u16;
        if x + need > end {
            break;
        }
        x += put(buf, x, area.y, &key, end - x, th.key, "");
        x += 1;
        x += put(buf, x, area.y, label, end - x, th.muted, "");
        x += 2;
    }
}
