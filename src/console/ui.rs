//! Drawing the whole screen from the app state (no state is changed except scroll cells).
//!
//! 80×24: a tab bar and one pane at a time. From 120×40: all four panes in a 2×2 grid.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::Command;
use super::app::{App, Connection, Mode, Pane, StatusKind};
use super::i18n::{Lang, fill};
use super::panes;
use super::widgets::countdown::short_time;
use super::widgets::dialog::{overlay, render_textbox};
use super::widgets::text::{pad_right, put, width};
use crate::api::{PushContent, PushMode, Role, ValidUntil};

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
        Mode::Help { scroll } => render_help(frame, app, scroll),
        Mode::Details(d) => render_details(frame, app, d),
        Mode::Normal | Mode::Filter => {}
    }
}

fn role_label(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::ApprovalStaff, Lang::Zh) => "审批局工作人员",
        (Role::SupervisionStaff, Lang::Zh) => "监管部门工作人员",
        (Role::Supervisor, Lang::Zh) => "督查",
        (Role::DutyOfficer, Lang::Zh) => "值班员",
        (Role::Admin, Lang::Zh) => "系统管理员",
        (Role::ApprovalStaff, Lang::En) => "approval staff",
        (Role::SupervisionStaff, Lang::En) => "supervision staff",
        (Role::Supervisor, Lang::En) => "supervisor",
        (Role::DutyOfficer, Lang::En) => "duty officer",
        (Role::Admin, Lang::En) => "admin",
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
        let role = role_label(me.role, app.lang);
        left = if dept.is_empty() {
            format!("{left}  {who}（{role}）")
        } else {
            format!("{left}  {who}（{dept} · {role}）")
        };
        if app.lang == Lang::En {
            left = left.replace('（', " (").replace('）', ")");
        }
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
        let f = &app.filters[app.focus.index()];
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

fn short_label(cmd: Command, lang: Lang) -> &'static str {
    match (cmd, lang) {
        (Command::Claim, Lang::Zh) => "认领",
        (Command::Reply, Lang::Zh) => "回复",
        (Command::Escalate, Lang::Zh) => "督办",
        (Command::Details, Lang::Zh) => "详情",
        (Command::Filter, Lang::Zh) => "筛选",
        (Command::NextPane, Lang::Zh) => "切换",
        (Command::PrevMonth, Lang::Zh) => "上月",
        (Command::NextMonth, Lang::Zh) => "下月",
        (Command::Help, Lang::Zh) => "帮助",
        (Command::Quit, Lang::Zh) => "退出",
        (Command::Claim, Lang::En) => "claim",
        (Command::Reply, Lang::En) => "reply",
        (Command::Escalate, Lang::En) => "escalate",
        (Command::Details, Lang::En) => "details",
        (Command::Filter, Lang::En) => "filter",
        (Command::NextPane, Lang::En) => "pane",
        (Command::PrevMonth, Lang::En) => "prev month",
        (Command::NextMonth, Lang::En) => "next month",
        (Command::Help, Lang::En) => "help",
        (Command::Quit, Lang::En) => "quit",
        _ => "",
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
        Pane::Inspections => vec![],
        Pane::Monthly => vec![Command::PrevMonth, Command::NextMonth],
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
        let label = short_label(cmd, app.lang);
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

fn render_help(frame: &mut Frame, app: &App, scroll: &std::cell::Cell<u16>) {
    let s = app.s();
    let hint = fill(
        s.overlay_hint,
        &[&app.keymap.first(Command::Cancel).unwrap_or_default()],
    );
    let inner = overlay(frame, app, s.help_title, &hint);
    let rows = app.help_lines();
    let key_w = rows
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(4)
        .min(24);
    let mut lines: Vec<Line> = rows
        .into_iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(pad_right(&k, key_w, app.ellipsis()), app.theme.key),
                Span::raw("  "),
                Span::styled(d, app.theme.text),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        fill(s.help_keymap, &[&app.keymap.name]),
        app.theme.muted,
    ));
    let max = (lines.len() as u16).saturating_sub(inner.height);
    scroll.set(scroll.get().min(max));
    frame.render_widget(Paragraph::new(lines).scroll((scroll.get(), 0)), inner);
}

fn field<'a>(app: &App, label: &str, value: impl Into<String>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label}："), app.theme.header),
        Span::styled(value.into(), app.theme.text),
    ])
}

/// The lines of the details view: every push field, the delivery, threads, escalations, history.
pub fn detail_lines<'a>(app: &App, d: &crate::api::DeliveryDetail) -> Vec<Line<'a>> {
    let s = app.s();
    let th = &app.theme;
    let dl = &d.delivery;
    let mut out = Vec::new();
    let section = |t: &str| Line::styled(format!("── {t} ──"), th.title_focused);
    out.push(section(s.d_delivery));
    out.push(field(app, s.d_item_name, dl.title.clone()));
    out.push(field(app, s.d_status, s.status(dl.status)));
    out.push(field(
        app,
        s.d_recipients,
        format!(
            "{} ← {}",
            app.department_name(&dl.department),
            app.department_name(&dl.source_department)
        ),
    ));
    out.push(field(
        app,
        s.d_received_at,
        dl.received_at.format("%Y-%m-%d %H:%M:%S").to_string(),
    ));
    let prov = if dl.deadline_provisional {
        s.provisional
    } else {
        ""
    };
    out.push(field(
        app,
        s.d_claim_deadline,
        format!("{}{prov}", dl.claim_deadline.format("%Y-%m-%d %H:%M:%S")),
    ));
    out.push(field(
        app,
        s.d_feedback_deadline,
        format!("{}{prov}", dl.feedback_deadline.format("%Y-%m-%d %H:%M:%S")),
    ));
    if let Some(at) = dl.claimed_at {
        out.push(field(
            app,
            s.d_claimed,
            format!(
                "{} {}",
                at.format("%Y-%m-%d %H:%M:%S"),
                // Another department's people are not shown: its name stands for them.
                dl.claimed_by.clone().unwrap_or_else(|| {
                    let dept = app.department_name(&dl.department);
                    format!("{dept} {}", s.status(dl.status))
                })
            ),
        ));
    }
    out.push(Line::raw(""));
    out.push(section(s.d_push));
    let p = &d.push;
    out.push(field(
        app,
        s.d_created,
        format!(
            "#{} {} {}",
            p.id,
            p.created_at.format("%Y-%m-%d %H:%M:%S"),
            p.created_by
        ),
    ));
    match &p.content {
        PushContent::Approval(a) => {
            out.push(field(app, s.d_item_name, a.item_name.clone()));
            out.push(field(app, s.d_counterparty, a.counterparty.name.clone()));
            if let Some(c) = &a.counterparty.credit_code {
                out.push(field(app, s.d_credit_code, c.clone()));
            }
            if let Some(c) = &a.counterparty.id_number {
                out.push(field(app, s.d_id_number, c.clone()));
            }
            out.push(field(
                app,
                s.d_contact,
                format!(
                    "{} {}",
                    a.counterparty.contact_name, a.counterparty.contact_phone
                ),
            ));
            out.push(field(app, s.d_license_no, a.license_no.clone()));
            out.push(field(app, s.d_license_date, a.license_date.to_string()));
            let valid_until = match a.valid_until {
                ValidUntil::Date(d) => d.to_string(),
                ValidUntil::Indefinite => s.d_no_expiry.to_string(),
            };
            out.push(field(app, s.d_valid_until, valid_until));
            let mode = match (a.mode, app.lang) {
                (PushMode::Standard, Lang::Zh) => "一般审批",
                (PushMode::OneIndustryOneLicense, Lang::Zh) => "一业一证",
                (PushMode::NotifyCommit, Lang::Zh) => "告知承诺",
                (PushMode::Standard, Lang::En) => "standard",
                (PushMode::OneIndustryOneLicense, Lang::En) => "one industry, one licence",
                (PushMode::NotifyCommit, Lang::En) => "notify and commit",
            };
            out.push(field(app, s.d_mode, mode));
            if let Some(c) = &a.comprehensive_license {
                out.push(field(
                    app,
                    s.d_comprehensive,
                    format!("{} {}", c.license_no, c.face_info),
                ));
            }
            if let Some(c) = &a.commitment_letter {
                out.push(field(
                    app,
                    s.d_commitment,
                    format!("{} ({})", c.content, c.signed_on),
                ));
            }
            // Each recipient with its status ("市场监督管理局 已认领"), never who acted.
            let rec: Vec<String> = a
                .recipients
                .iter()
                .map(|r| match p.deliveries.iter().find(|x| &x.department == r) {
                    Some(x) => format!("{} {}", app.department_name(r), s.status(x.status)),
                    None => app.department_name(r).to_string(),
                })
                .collect();
            out.push(field(app, s.d_recipients, rec.join("、")));
        }
        PushContent::Supervision(sp) => {
            out.push(field(
                app,
                s.d_category,
                s.supervision_category(sp.category),
            ));
            out.push(field(app, s.d_title, sp.title.clone()));
            out.push(field(app, s.d_body, sp.body.clone()));
            if let Some(c) = &sp.counterparty {
                out.push(field(app, s.d_counterparty, c.name.clone()));
                if let Some(cc) = &c.credit_code {
                    out.push(field(app, s.d_credit_code, cc.clone()));
                }
                out.push(field(
                    app,
                    s.d_contact,
                    format!("{} {}", c.contact_name, c.contact_phone),
                ));
            }
            if let Some(l) = &sp.related_license_no {
                out.push(field(app, s.d_related_license, l.clone()));
            }
            if let Some(pn) = &sp.penalty {
                out.push(field(
                    app,
                    s.d_penalty,
                    serde_json::to_string(pn).unwrap_or_default(),
                ));
            }
        }
    }
    out.push(Line::raw(""));
    out.push(section(s.d_threads));
    if d.disputes.is_empty() {
        out.push(Line::styled(s.none, th.muted));
    }
    for t in &d.disputes {
        let state = match t.status {
            crate::api::DisputeStatus::Open => {
                format!("{} {}", s.d_answer_due, short_time(t.answer_due))
            }
            crate::api::DisputeStatus::Resolved => s.d_resolved.to_string(),
        };
        out.push(Line::from(vec![
            Span::styled(format!("#{} {} ", t.id, t.subject), th.header),
            Span::styled(
                format!(
                    "{} → {} · {state}",
                    app.department_name(&t.raised_by_department),
                    app.department_name(&t.answering_department)
                ),
                th.muted,
            ),
        ]));
        for m in &t.messages {
            out.push(Line::from(vec![
                Span::styled(
                    format!("  {} {}: ", m.at.format("%m-%d %H:%M"), m.author),
                    th.muted,
                ),
                Span::styled(m.body.clone(), th.text),
            ]));
        }
        if let Some(r) = &t.resolution {
            out.push(Line::styled(format!("  ✓ {r}"), th.status_ok));
        }
    }
    out.push(Line::raw(""));
    out.push(section(s.d_escalations));
    if d.escalations.is_empty() {
        out.push(Line::styled(s.none, th.muted));
    }
    for e in &d.escalations {
        out.push(Line::from(vec![
            Span::styled(
                format!("{} {}: ", e.at.format("%m-%d %H:%M"), e.by),
                th.muted,
            ),
            Span::styled(e.reason.clone(), th.text),
        ]));
    }
    out.push(Line::raw(""));
    out.push(section(s.d_history));
    for h in &d.history {
        out.push(Line::from(vec![
            Span::styled(format!("{} ", h.at.format("%Y-%m-%d %H:%M:%S")), th.muted),
            Span::styled(format!("{} ", h.actor), th.text),
            Span::styled(h.action.clone(), th.text),
        ]));
    }
    out
}

fn render_details(frame: &mut Frame, app: &App, d: &super::app::Details) {
    let s = app.s();
    let hint = fill(
        s.overlay_hint,
        &[&app.keymap.first(Command::Cancel).unwrap_or_default()],
    );
    let inner = overlay(
        frame,
        app,
        &format!("{} #{}", s.details_title, d.delivery_id),
        &hint,
    );
    let lines = match (&d.detail, &d.error) {
        (Some(detail), _) => detail_lines(app, detail),
        (None, Some(e)) => vec![Line::styled(
            fill(s.st_load_failed, &[e]),
            app.theme.status_error,
        )],
        (None, None) => vec![Line::styled(s.details_loading, app.theme.muted)],
    };
    let max = (lines.len() as u16).saturating_sub(inner.height);
    d.scroll.set(d.scroll.get().min(max));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((d.scroll.get(), 0)),
        inner,
    );
}
