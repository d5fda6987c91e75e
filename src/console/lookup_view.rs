//! The lookup overlay (issue 10): the prompt, then the holder's standing, its credit records,
//! the licences found and the first licence's history.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::Command;
use super::app::App;
use super::i18n::fill;
use super::model::{Lookup, LookupResult};
use super::widgets::dialog::overlay;
use crate::api::{Admission, License, ValidUntil};

pub fn render(frame: &mut Frame, app: &App, l: &Lookup) {
    let s = app.s();
    let t = s.licenses;
    let key = |c| app.keymap.first(c).unwrap_or_default();
    let hint = fill(
        t.lookup_hint,
        &[&key(Command::Confirm), &key(Command::Cancel)],
    );
    let inner = overlay(frame, app, t.lookup_title, &hint);
    let th = &app.theme;
    let mut lines = vec![Line::from(vec![
        Span::styled(t.lookup_prompt, th.header),
        Span::styled(l.query.clone(), th.text),
        Span::styled("▏", th.key),
    ])];
    lines.push(Line::raw(""));
    if l.searching {
        lines.push(Line::styled(t.lookup_searching, th.muted));
    } else if let Some(e) = &l.error {
        lines.push(Line::styled(fill(s.st_load_failed, &[e]), th.status_error));
    } else if let Some(r) = &l.result {
        lines.extend(result_lines(app, r));
    }
    let max = (lines.len() as u16).saturating_sub(inner.height);
    l.scroll.set(l.scroll.get().min(max));
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((l.scroll.get(), 0)),
        inner,
    );
}

/// The mark of a regime in the queue and here: `限` / `严` (nothing for normal).
pub fn admission_mark(app: &App, a: Admission) -> &'static str {
    match a {
        Admission::Normal => "",
        Admission::Restricted => app.s().licenses.restricted_mark,
        Admission::Strict => app.s().licenses.strict_mark,
    }
}

fn valid_until(app: &App, v: ValidUntil) -> String {
    match v {
        ValidUntil::Date(d) => d.to_string(),
        ValidUntil::Indefinite => app.s().licenses.long_term.to_string(),
    }
}

fn licence_line<'a>(app: &App, l: &License) -> Line<'a> {
    let t = app.s().licenses;
    let th = &app.theme;
    Line::from(vec![
        Span::styled(format!("{} ", l.license_no), th.header),
        Span::styled(format!("{} · {} ", l.item_name, l.holder_name), th.text),
        Span::styled(
            format!(
                "[{}] {} → {}",
                t.state(l.state),
                l.issue_date,
                valid_until(app, l.valid_until)
            ),
            th.muted,
        ),
    ])
}

fn result_lines<'a>(app: &App, r: &LookupResult) -> Vec<Line<'a>> {
    let s = app.s();
    let t = s.licenses;
    let th = &app.theme;
    let section = |x: &str| Line::styled(format!("── {x} ──"), th.title_focused);
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label}："), th.header),
            Span::styled(value, th.text),
        ])
    };
    let mut out = Vec::new();
    if r.licenses.is_empty() && r.holder.is_none() {
        out.push(Line::styled(fill(t.lookup_none, &[&r.query]), th.muted));
        return out;
    }
    if let Some(h) = &r.holder {
        out.push(section(t.sec_holder));
        out.push(field(t.f_holder, format!("{} {}", h.name, h.code)));
        let style = match h.admission {
            Admission::Normal => th.status_ok,
            _ => th.overdue,
        };
        out.push(Line::from(vec![
            Span::styled(format!("{}：", t.f_standing), th.header),
            Span::styled(t.admission(h.admission), style),
        ]));
        for reason in &h.reasons {
            out.push(field(
                t.f_reason,
                format!(
                    "{} {} {}（{}）",
                    t.credit(reason.status),
                    reason.decision_no,
                    reason.authority,
                    reason.start_date
                ),
            ));
        }
        out.push(Line::raw(""));
        out.push(section(t.sec_credit));
        if h.credit.is_empty() {
            out.push(Line::styled(s.none, th.muted));
        }
        for c in &h.credit {
            let end = c.end_date.map(|d| format!("–{d}")).unwrap_or_default();
            let state = if c.in_force {
                t.in_force
            } else {
                t.not_in_force
            };
            out.push(Line::from(vec![
                Span::styled(format!("{}{end} ", c.start_date), th.muted),
                Span::styled(
                    format!("{} {} {} ", t.credit(c.status), c.decision_no, c.authority),
                    th.text,
                ),
                Span::styled(
                    format!("[{state}] {}", app.department_name(&c.department)),
                    th.muted,
                ),
            ]));
        }
        out.push(Line::raw(""));
    }
    out.push(section(t.sec_licenses));
    let licences = match &r.holder {
        Some(h) if r.licenses.is_empty() => &h.licenses,
        _ => &r.licenses,
    };
    for l in licences {
        out.push(licence_line(app, l));
    }
    if let Some(l) = &r.license {
        out.push(Line::raw(""));
        out.push(section(&fill(t.sec_history, &[&l.license_no])));
        for h in l.history.iter().flatten() {
            out.push(Line::from(vec![
                Span::styled(format!("{} ", h.at.format("%Y-%m-%d %H:%M")), th.muted),
                Span::styled(format!("{} ", t.event(&h.event)), th.text),
                Span::styled(format!("[{}] {}", t.state(h.state), h.actor), th.muted),
            ]));
        }
    }
    out
}
