//! The overlays: the help (every command with its keys) and the details of one delivery.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::Command;
use super::app::App;
use super::i18n::fill;
use super::model::Details;
use super::widgets::countdown::short_time;
use super::widgets::dialog::overlay;
use super::widgets::text::{pad_right, width};
use crate::api::{PushContent, ValidUntil};

pub fn render_help(frame: &mut Frame, app: &App, scroll: &std::cell::Cell<u16>) {
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
    out.push(field(app, s.d_status, s.delivery_status(dl.status)));
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
    if let Some(m) = dl.admission {
        out.push(Line::from(vec![
            Span::styled(format!("{}：", s.licenses.d_admission), app.theme.header),
            Span::styled(s.licenses.admission(m.admission()), app.theme.overdue),
        ]));
    }
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
                    format!("{dept} {}", s.delivery_status(dl.status))
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
            out.push(field(app, s.d_mode, s.push_mode(a.mode)));
            if let Some(c) = &a.comprehensive_license {
                out.push(field(
                    app,
                    s.d_comprehensive,
                    format!("{} {}", c.license_no, c.face_info),
                ));
            }
            if let Some(ack) = &a.admission {
                let t = s.licenses;
                out.push(Line::from(vec![
                    Span::styled(format!("{}：", t.d_admission), app.theme.header),
                    Span::styled(t.admission(ack.mode.admission()), app.theme.overdue),
                    Span::styled(format!(" {}", ack.reason), app.theme.text),
                ]));
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
                    Some(x) => {
                        format!("{} {}", app.department_name(r), s.delivery_status(x.status))
                    }
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
        PushContent::Revocation(r) => {
            let c = s.credit;
            out.push(field(app, c.d_revocation, r.revoked_license_no.clone()));
            out.push(field(app, s.d_item_name, r.item_name.clone()));
            out.push(field(app, s.d_counterparty, r.counterparty_name.clone()));
            out.push(field(
                app,
                c.d_reason,
                c.reason(r.revocation_reason).to_string(),
            ));
            if let Some(f) = &r.findings {
                out.push(field(app, c.d_findings, f.clone()));
            }
        }
        PushContent::LicenseAction(n) => {
            let l = s.letters;
            out.push(field(app, l.d_decision, n.action_license_no.clone()));
            out.push(field(app, s.d_item_name, n.item_name.clone()));
            out.push(field(app, s.d_counterparty, n.holder_name.clone()));
            out.push(field(app, l.d_action, l.action(n.action).to_string()));
            out.push(field(app, l.d_outcome, l.outcome(n.outcome).to_string()));
            if let Some(no) = &n.decision_no {
                let date = n
                    .decision_date
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                out.push(field(app, l.d_decision_no, format!("{no}{date}")));
            }
            if let Some(d) = n.effective_date {
                out.push(field(app, l.d_effective, d.to_string()));
            }
            if let Some(r) = &n.reasons {
                out.push(field(app, l.d_reasons, r.clone()));
            }
        }
        PushContent::LicenseActionRequest(n) => {
            let l = s.letters;
            out.push(field(app, l.d_request, n.request_license_no.clone()));
            out.push(field(app, s.d_item_name, n.item_name.clone()));
            out.push(field(app, s.d_counterparty, n.holder_name.clone()));
            out.push(field(app, l.d_action, l.action(n.action).to_string()));
            if let Some(no) = &n.basis.decision_no {
                let date = n
                    .basis
                    .decision_date
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default();
                out.push(field(app, l.d_basis, format!("{no}{date}")));
            }
            if let Some(f) = &n.basis.facts {
                out.push(field(app, l.d_basis, f.clone()));
            }
            if let Some(r) = &n.reason {
                out.push(field(app, l.d_reasons, r.clone()));
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

pub fn render_details(frame: &mut Frame, app: &App, d: &Details) {
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
