//! The bulletin's tables, built once from the contents and drawn by each export (CSV, Markdown,
//! XLSX), so the three can never disagree on a header or a figure.

use crate::api::{Bulletin, DutyKind, PushKind};

/// One cell: the exports format numbers their own way (text, or a number with a format).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A fraction 0–1, shown as a percentage; `None`: nothing to rate (shown as "—").
    Rate(Option<f64>),
    /// Hours with one decimal; `None` shown as "—".
    Hours(Option<f64>),
}

impl Cell {
    /// As text (CSV and Markdown).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Rate(Some(r)) => format!("{:.1}%", r * 100.0),
            Cell::Hours(Some(h)) => format!("{h:.1}"),
            Cell::Rate(None) | Cell::Hours(None) => "—".into(),
        }
    }
}

fn t(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

pub struct Table {
    /// The sheet name (≤ 31 characters, no `[]:*?/\`), also the section's title.
    pub title: &'static str,
    pub headers: Vec<&'static str>,
    /// Column widths for the workbook, in characters (a CJK character counts 2).
    pub widths: Vec<f64>,
    pub rows: Vec<Vec<Cell>>,
}

pub const TITLE: &str = "审管信息上传认领情况通报";
pub const DRAFT: &str = "草稿 / draft";

/// "2026年11月".
pub fn month_zh(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
        None => month.to_string(),
    }
}

/// The status line every page and sheet carries: the version and issue date, or the draft mark.
pub fn status(b: &Bulletin) -> String {
    match &b.issued {
        Some(i) => {
            let mut s = format!(
                "第 {} 版，发布于 {} / version {}, issued {}",
                i.version,
                i.issued_at.format("%Y-%m-%d %H:%M"),
                i.version,
                i.issued_at.format("%Y-%m-%d %H:%M")
            );
            if let Some(r) = &i.reason {
                s.push_str(&format!("；更正理由 / correction: {r}"));
            }
            s
        }
        None => format!(
            "{DRAFT}：未发布，数字截至 {} 仍会变化 / not issued, figures as of {} may change",
            b.contents.generated_at.format("%Y-%m-%d %H:%M"),
            b.contents.generated_at.format("%Y-%m-%d %H:%M")
        ),
    }
}

pub fn chain_head(b: &Bulletin) -> String {
    match &b.contents.chain_head {
        Some(h) => format!("#{} {}", h.record, h.hash),
        None => "—".into(),
    }
}

fn direction(k: PushKind) -> &'static str {
    match k {
        PushKind::Approval => "审批信息",
        PushKind::Supervision => "监管信息",
    }
}

/// The overview as key/value rows.
pub fn summary(b: &Bulletin) -> Table {
    let c = &b.contents;
    let u = &c.uploads;
    let received: i64 = c.departments.iter().map(|d| d.stats.received).sum();
    let on_time: i64 = c.departments.iter().map(|d| d.stats.claimed_on_time).sum();
    let auto: i64 = c.departments.iter().map(|d| d.stats.auto_claimed).sum();
    let rate = (on_time + auto > 0).then(|| on_time as f64 / (on_time + auto) as f64);
    let rows = vec![
        vec![t("月份"), t(b.month.clone())],
        vec![t("状态"), t(status(b))],
        vec![t("审批信息推送"), Cell::Int(u.approval_pushes)],
        vec![t("审批信息送达部门次"), Cell::Int(u.approval_deliveries)],
        vec![t("监管信息推送"), Cell::Int(u.supervision_pushes)],
        vec![t("监管信息送达"), Cell::Int(u.supervision_deliveries)],
        vec![
            t(format!(
                "迟报审批信息（许可日期后第 {} 个工作日结束后推送）",
                u.late_rule_working_days
            )),
            Cell::Int(u.late_approval_pushes),
        ],
        vec![t("各部门接收"), Cell::Int(received)],
        vec![t("按时认领"), Cell::Int(on_time)],
        vec![t("超时自动认领"), Cell::Int(auto)],
        vec![t("按时认领率"), Cell::Rate(rate)],
        vec![t("问责记录"), Cell::Int(c.ledger.len() as i64)],
        vec![t("审计链头"), t(chain_head(b))],
    ];
    Table {
        title: "概况",
        headers: vec!["项目", "数值"],
        widths: vec![44.0, 60.0],
        rows,
    }
}

pub fn uploads(b: &Bulletin) -> Table {
    let rows = b
        .contents
        .uploads
        .by_sender
        .iter()
        .map(|s| {
            vec![
                t(s.department.clone()),
                t(s.name.clone()),
                t(direction(s.direction)),
                Cell::Int(s.pushes),
                Cell::Int(s.deliveries),
                Cell::Int(s.late),
            ]
        })
        .collect();
    Table {
        title: "上传情况",
        headers: vec!["部门代码", "部门", "方向", "推送", "送达", "迟报"],
        widths: vec![12.0, 22.0, 10.0, 8.0, 8.0, 8.0],
        rows,
    }
}

pub fn departments(b: &Bulletin) -> Table {
    let rows = b
        .contents
        .departments
        .iter()
        .map(|d| {
            let s = &d.stats;
            vec![
                d.rank.map_or_else(|| t("—"), |r| Cell::Int(r as i64)),
                t(s.department.clone()),
                t(s.name.clone()),
                Cell::Int(s.received),
                Cell::Int(s.claimed_on_time),
                Cell::Int(s.auto_claimed),
                Cell::Int(s.pending),
                Cell::Rate(s.on_time_rate),
                Cell::Hours(d.avg_claim_working_hours),
                Cell::Int(s.disputes_opened),
                Cell::Int(d.answers_due),
                Cell::Int(d.answered_on_time),
                Cell::Int(d.answered_late),
                Cell::Int(d.answers_open),
            ]
        })
        .collect();
    Table {
        title: "部门统计",
        headers: vec![
            "排名",
            "部门代码",
            "部门",
            "接收",
            "按时认领",
            "自动认领",
            "待认领",
            "按时认领率",
            "平均认领用时（工作小时）",
            "发起疑问/争议",
            "应答复",
            "按时答复",
            "逾期答复",
            "待答复",
        ],
        widths: vec![
            6.0, 12.0, 22.0, 8.0, 10.0, 10.0, 8.0, 12.0, 14.0, 10.0, 8.0, 10.0, 10.0, 8.0,
        ],
        rows,
    }
}

/// The Chinese name of a kind of deadline, as the bulletin prints it.
pub fn duty_kind_zh(k: DutyKind) -> &'static str {
    match k {
        DutyKind::LicenseActionDecision => "函告决定",
        DutyKind::Verification => "告知承诺核查",
        DutyKind::Reverification => "整改后复查",
        DutyKind::NoticeAck => "联合工作通知确认",
        DutyKind::ReportSignature => "联合报告签署",
        DutyKind::InquiryReply => "函询答复",
        DutyKind::LegacyOpinion => "遗留问题审查意见",
        DutyKind::LegacyVerification => "遗留问题整改核验",
        DutyKind::LegacyDecision => "遗留问题处理决定",
    }
}

/// Every other kind of deadline (the duty core's per-kind figures), a row per department and
/// kind that had any in the month.
pub fn other_deadlines(b: &Bulletin) -> Table {
    let rows = b
        .contents
        .departments
        .iter()
        .flat_map(|d| {
            let s = &d.stats;
            s.deadlines.iter().map(move |f| {
                vec![
                    t(s.department.clone()),
                    t(s.name.clone()),
                    t(duty_kind_zh(f.kind)),
                    Cell::Int(f.due),
                    Cell::Int(f.on_time),
                    Cell::Int(f.late),
                    Cell::Int(f.open),
                ]
            })
        })
        .collect();
    Table {
        title: "其他期限",
        headers: vec![
            "部门代码",
            "部门",
            "期限类型",
            "应办",
            "按时",
            "逾期",
            "未到期",
        ],
        widths: vec![12.0, 22.0, 18.0, 8.0, 8.0, 8.0, 8.0],
        rows,
    }
}

/// Licences and credit (arts. 7(2) and 8), a row per department and figure that had any:
/// licence-action letters by kind (filed by a supervision department, received by the
/// bureau; accepted and rejected in the month), approvals revoked for a false commitment,
/// and approval pushes made for a holder under restricted or strict admission with their
/// acknowledgement. Only letters are decided, so only their rows have the last two columns.
pub fn licences_and_credit(b: &Bulletin) -> Table {
    let mut rows = Vec::new();
    for d in &b.contents.departments {
        let s = &d.stats;
        let head = || vec![t(s.department.clone()), t(s.name.clone())];
        for f in &s.license_actions {
            let mut r = head();
            r.extend([
                t(format!("函告·{}", f.action.zh())),
                Cell::Int(f.requested),
                Cell::Int(f.accepted),
                Cell::Int(f.rejected),
            ]);
            rows.push(r);
        }
        for (what, n) in [
            ("告知承诺撤销许可", s.revocations),
            ("限制/严格准入确认", s.admission_acknowledgements),
        ] {
            if n > 0 {
                let mut r = head();
                r.extend([t(what), Cell::Int(n), t("—"), t("—")]);
                rows.push(r);
            }
        }
    }
    Table {
        title: "许可与信用",
        headers: vec!["部门代码", "部门", "事项", "件数", "同意", "不同意"],
        widths: vec![12.0, 22.0, 20.0, 8.0, 8.0, 8.0],
        rows,
    }
}

pub fn ranking(b: &Bulletin) -> Table {
    let rows = b
        .contents
        .ranking
        .iter()
        .map(|r| {
            vec![
                Cell::Int(r.rank as i64),
                t(r.department.clone()),
                t(r.name.clone()),
                Cell::Int(r.decided),
                Cell::Int(r.on_time),
                Cell::Int(r.late),
                Cell::Rate(Some(r.on_time_rate)),
                t(if r.attention {
                    "需重点关注整改"
                } else {
                    ""
                }),
            ]
        })
        .collect();
    Table {
        title: "排名",
        headers: vec![
            "排名",
            "部门代码",
            "部门",
            "已到期",
            "按时",
            "逾期",
            "按时率",
            "备注",
        ],
        widths: vec![6.0, 12.0, 22.0, 8.0, 8.0, 8.0, 10.0, 16.0],
        rows,
    }
}

pub fn late_uploads(b: &Bulletin) -> Table {
    let rows = b
        .contents
        .late_uploads
        .iter()
        .map(|l| {
            vec![
                Cell::Int(l.push_id),
                t(l.department.clone()),
                t(l.item.clone()),
                t(l.license_date.to_string()),
                t(l.due.format("%Y-%m-%d %H:%M").to_string()),
                t(l.pushed_at.format("%Y-%m-%d %H:%M").to_string()),
            ]
        })
        .collect();
    Table {
        title: "迟报清单",
        headers: vec![
            "推送编号",
            "部门代码",
            "事项",
            "许可日期",
            "应推送截止",
            "推送时间",
        ],
        widths: vec![10.0, 12.0, 30.0, 12.0, 18.0, 18.0],
        rows,
    }
}

pub fn ledger(b: &Bulletin) -> Table {
    let rows = b
        .contents
        .ledger
        .iter()
        .map(|r| {
            vec![
                Cell::Int(r.id),
                t(r.department.clone()),
                t(r.rule.clone()),
                t(r.article.clone()),
                t(r.item.clone()),
                t(r.received_at.format("%Y-%m-%d %H:%M").to_string()),
                t(r.occurred_at.format("%Y-%m-%d %H:%M").to_string()),
            ]
        })
        .collect();
    Table {
        title: "问责记录",
        headers: vec![
            "编号",
            "部门代码",
            "规则",
            "条款",
            "事项",
            "接收时间",
            "发生时间",
        ],
        widths: vec![8.0, 12.0, 18.0, 8.0, 30.0, 18.0, 18.0],
        rows,
    }
}

/// Every table after the summary, in bulletin order.
pub fn tables(b: &Bulletin) -> Vec<Table> {
    vec![
        ranking(b),
        departments(b),
        other_deadlines(b),
        licences_and_credit(b),
        uploads(b),
        late_uploads(b),
        ledger(b),
    ]
}

/// The lead paragraph: the key figures in one sentence each (Markdown and the summary sheet).
pub fn lead(b: &Bulletin) -> String {
    let c = &b.contents;
    let u = &c.uploads;
    let received: i64 = c.departments.iter().map(|d| d.stats.received).sum();
    let on_time: i64 = c.departments.iter().map(|d| d.stats.claimed_on_time).sum();
    let auto: i64 = c.departments.iter().map(|d| d.stats.auto_claimed).sum();
    let rate =
        Cell::Rate((on_time + auto > 0).then(|| on_time as f64 / (on_time + auto) as f64)).text();
    let mut s = format!(
        "{}，行政审批部门推送审批信息 {} 条（送达监管部门 {} 次），其中迟报 {} 条；各监管部门推送监管信息 {} 条。\
         各部门共接收 {} 条，按时认领 {} 条，超时自动认领 {} 条，按时认领率 {}；记入问责台账 {} 条。",
        month_zh(&b.month),
        u.approval_pushes,
        u.approval_deliveries,
        u.late_approval_pushes,
        u.supervision_pushes,
        received,
        on_time,
        auto,
        rate,
        c.ledger.len()
    );
    if let (Some(best), Some(worst)) = (c.ranking.first(), c.ranking.last())
        && c.ranking.len() > 1
    {
        s.push_str(&format!(
            "按时率最高的是{}（{}），最低的是{}（{}）。",
            best.name,
            Cell::Rate(Some(best.on_time_rate)).text(),
            worst.name,
            Cell::Rate(Some(worst.on_time_rate)).text()
        ));
    }
    let attention: Vec<&str> = c
        .ranking
        .iter()
        .filter(|r| r.attention)
        .map(|r| r.name.as_str())
        .collect();
    if !attention.is_empty() {
        s.push_str(&format!(
            "按时率低于 50% 的{}需重点关注整改。",
            attention.join("、")
        ));
    }
    s
}
