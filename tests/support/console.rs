//! The console's fixtures: a fixed, realistic county for the console tests, snapshots and the
//! render benchmark — deterministic data and a fixed "now", never the wall clock.

use chrono::{DateTime, Duration, FixedOffset, TimeZone};

use shenguan::api::{
    Delivery, DeliveryStatus, Department, DepartmentKind, DepartmentMonth, Dispute, DisputeStatus,
    Duty, DutyKind, DutyState, Me, Message, MonthlyStats, Page, PushKind, Role, User,
};
use shenguan::console::action::Action;
use shenguan::console::app::App;
use shenguan::console::i18n::Lang;
use shenguan::console::keymap::Keymap;
use shenguan::console::theme::Theme;

/// Thursday 26 November 2026, 14:30:00 China Standard Time.
pub fn now() -> DateTime<FixedOffset> {
    cst(2026, 11, 26, 14, 30, 0)
}

pub fn cst(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<FixedOffset> {
    FixedOffset::east_opt(8 * 3600)
        .and_then(|o| o.with_ymd_and_hms(y, mo, d, h, mi, s).single())
        .expect("a valid fixture time")
}

pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("approval", "行政审批服务局"),
    ("market", "市场监督管理局"),
    ("health", "卫生健康局"),
    ("emergency", "应急管理局"),
    ("ecology", "生态环境分局"),
    ("housing", "住房和城乡建设局"),
    ("transport", "交通运输局"),
    ("culture", "文化和旅游局"),
    ("enforcement", "综合行政执法局"),
];

pub fn departments() -> Vec<Department> {
    DEPARTMENTS
        .iter()
        .map(|(code, name)| Department {
            code: code.to_string(),
            name: name.to_string(),
            kind: if *code == "approval" {
                DepartmentKind::Approval
            } else {
                DepartmentKind::Supervision
            },
        })
        .collect()
}

pub fn supervisor() -> Me {
    Me {
        user: Some(User {
            id: 7,
            username: "wang.duban".into(),
            display_name: "王督办".into(),
            role: Role::Supervisor,
            department: None,
            active: true,
        }),
        api_key: None,
        role: Role::Supervisor,
        department: None,
    }
}

pub fn market_staff() -> Me {
    Me {
        user: Some(User {
            id: 3,
            username: "li.market".into(),
            display_name: "李监管".into(),
            role: Role::SupervisionStaff,
            department: Some("market".into()),
            active: true,
        }),
        api_key: None,
        role: Role::SupervisionStaff,
        department: Some("market".into()),
    }
}

/// A pending delivery of an approval push.
pub fn delivery(
    id: i64,
    department: &str,
    title: &str,
    counterparty: &str,
    deadline: DateTime<FixedOffset>,
) -> Delivery {
    Delivery {
        id,
        push_id: 1000 + id,
        push_kind: PushKind::Approval,
        department: department.into(),
        source_department: "approval".into(),
        title: title.into(),
        counterparty_name: Some(counterparty.into()),
        license_no: Some(format!("JY3{:013}", 7_100_000 + id)),
        important: false,
        status: DeliveryStatus::Pending,
        received_at: deadline - Duration::hours(34),
        claim_deadline: deadline,
        feedback_deadline: deadline,
        deadline_provisional: false,
        claimed_at: None,
        claimed_by: None,
        escalated: false,
        admission: None,
    }
}

/// An open duty of `department`, set by the bureau.
pub fn duty(
    id: i64,
    kind: DutyKind,
    department: &str,
    title: &str,
    due: DateTime<FixedOffset>,
) -> Duty {
    Duty {
        id,
        kind,
        department: department.into(),
        counterpart: Some("approval".into()),
        person: None,
        subject_id: 500 + id,
        title: title.into(),
        origin_at: due - Duration::hours(30),
        due,
        provisional: false,
        state: DutyState::Open,
        done_at: None,
        done_by: None,
    }
}

/// The pending deliveries of the fixture county, covering every urgency.
pub fn deliveries() -> Vec<Delivery> {
    let n = now();
    let mut v = vec![
        delivery(
            101,
            "market",
            "食品经营许可（新办）",
            "高青县鲁味餐饮有限公司",
            n - Duration::minutes(20),
        ),
        delivery(
            102,
            "housing",
            "建筑工程施工许可",
            "山东黄河建工集团有限公司",
            n + Duration::minutes(40),
        ),
        delivery(
            103,
            "health",
            "公共场所卫生许可",
            "高青县清泉洗浴中心",
            n + Duration::hours(3),
        ),
        delivery(
            104,
            "emergency",
            "危险化学品经营许可证（变更）",
            "淄博齐鲁化工贸易有限公司",
            cst(2026, 11, 28, 0, 0, 0),
        ),
        delivery(
            105,
            "culture",
            "娱乐场所经营许可（变更法定代表人、经营场所面积及增设包厢）",
            "高青县星光娱乐有限公司",
            cst(2026, 11, 28, 0, 0, 0),
        ),
        delivery(
            106,
            "transport",
            "道路运输经营许可",
            "高青县顺达物流有限公司",
            cst(2027, 1, 5, 0, 0, 0),
        ),
        delivery(
            107,
            "ecology",
            "排污许可（重新申请）",
            "高青县纸业有限公司",
            cst(2026, 11, 28, 0, 0, 0),
        ),
        delivery(
            108,
            "market",
            "药品零售企业许可",
            "高青县仁和大药房",
            cst(2026, 11, 28, 0, 0, 0),
        ),
        delivery(
            109,
            "enforcement",
            "城市建筑垃圾处置核准",
            "高青县城投环境有限公司",
            cst(2026, 11, 28, 0, 0, 0),
        ),
    ];
    v[2].important = true;
    v[1].escalated = true;
    v[5].deadline_provisional = true;
    v[4].push_kind = PushKind::Approval;
    v.sort_by_key(|d| (d.claim_deadline, d.id));
    v
}

pub fn dispute(
    id: i64,
    delivery_id: i64,
    subject: &str,
    raised_by: &str,
    due: DateTime<FixedOffset>,
) -> Dispute {
    Dispute {
        id,
        delivery_id,
        subject: subject.into(),
        raised_by_department: raised_by.into(),
        answering_department: "approval".into(),
        status: DisputeStatus::Open,
        opened_at: due - Duration::hours(30),
        answer_due: due,
        answer_due_provisional: false,
        resolved_at: None,
        resolution: None,
        messages: vec![Message {
            id: id * 10,
            author: "zhao.health".into(),
            department: Some(raised_by.into()),
            body: "许可范围与现场核查情况不一致，请核实经营面积。".into(),
            at: due - Duration::hours(30),
        }],
    }
}

pub fn disputes() -> Vec<Dispute> {
    let n = now();
    vec![
        dispute(
            11,
            90,
            "餐饮服务许可（变更经营面积）",
            "health",
            n + Duration::minutes(50),
        ),
        dispute(
            12,
            91,
            "建设项目环评审批意见",
            "ecology",
            cst(2026, 11, 28, 0, 0, 0),
        ),
        dispute(
            13,
            92,
            "旅馆业特种行业许可",
            "enforcement",
            n - Duration::hours(2),
        ),
    ]
}

pub fn monthly(month: &str) -> MonthlyStats {
    let rows = [
        ("market", 64, 58, 2, 4, 11),
        ("health", 31, 29, 1, 1, 3),
        ("emergency", 12, 9, 3, 0, 1),
        ("ecology", 18, 17, 0, 1, 2),
        ("housing", 27, 22, 4, 1, 0),
        ("transport", 15, 15, 0, 0, 0),
        ("culture", 9, 8, 1, 0, 1),
        ("enforcement", 22, 16, 5, 1, 4),
    ];
    MonthlyStats {
        month: month.to_string(),
        departments: rows
            .iter()
            .map(|&(code, recv, ok, auto, pending, disputes)| {
                let name = DEPARTMENTS
                    .iter()
                    .find(|(c, _)| *c == code)
                    .map(|(_, n)| *n)
                    .unwrap_or(code);
                let rate = if ok + auto == 0 {
                    None
                } else {
                    Some(ok as f64 / (ok + auto) as f64)
                };
                DepartmentMonth {
                    department: code.into(),
                    name: name.into(),
                    received: recv,
                    claimed_on_time: ok,
                    auto_claimed: auto,
                    pending,
                    on_time_rate: rate,
                    avg_claim_seconds: Some(1800.0 + 1500.0 * recv as f64),
                    disputes_opened: disputes,
                    deadlines: Vec::new(),
                    revocations: 0,
                    admission_acknowledgements: 0,
                    license_actions: Vec::new(),
                }
            })
            .collect(),
    }
}

/// An app with the whole fixture county loaded through `update`, as the event loop would.
pub fn app(lang: Lang, theme: Theme, me: Me) -> App {
    let mut app = App::new(
        lang,
        Keymap::default_keymap(),
        theme,
        false,
        now(),
        Some(me),
    );
    let _ = app.startup();
    app.update(Action::Departments(departments()));
    let mine: Vec<Delivery> = deliveries()
        .into_iter()
        .filter(|d| {
            app.sees_all()
                || app.me.as_ref().and_then(|m| m.department.as_deref()) == Some(&d.department)
        })
        .collect();
    app.update(Action::Deliveries {
        page: Ok(Page {
            items: mine,
            next_cursor: None,
        }),
        first: true,
    });
    // No duties in the fixture county (tests of duties add their own).
    app.update(Action::Duties {
        page: Ok(Page {
            items: Vec::new(),
            next_cursor: None,
        }),
        first: true,
    });
    app.update(Action::Disputes(Ok(Page {
        items: disputes(),
        next_cursor: None,
    })));
    app.update(Action::Monthly {
        month: "2026-11".into(),
        stats: Ok(monthly("2026-11")),
    });
    // The county has no joint work scheduled (tests of the joint-work pane feed their own).
    app.update(Action::JointEvents(Ok(shenguan::api::JointEventList {
        items: vec![],
    })));
    app.update(Action::Stream(shenguan::client::StreamItem::Connected));
    app
}

/// `n` pending deliveries spread over the next weeks (for benchmarks).
pub fn many_deliveries(n: usize) -> Vec<Delivery> {
    let base = now();
    let deps = &DEPARTMENTS[1..];
    (0..n)
        .map(|i| {
            let (code, _) = deps[i % deps.len()];
            let mut d = delivery(
                i as i64 + 1,
                code,
                &format!("食品经营许可（第{i}号）"),
                &format!("高青县第{i}号餐饮有限公司"),
                base + Duration::seconds(i as i64 * 17 - 3600),
            );
            d.important = i % 13 == 0;
            d
        })
        .collect()
}

/// Draws the app into a `w`×`h` test terminal and returns the buffer.
pub fn draw(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
    let mut t =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| shenguan::console::ui::render(f, app))
        .expect("draw");
    t.backend().buffer().clone()
}

/// The buffer as plain text, one line per row (wide characters once, trailing spaces kept).
pub fn text(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        out.push_str(&row_text(buf, y).0);
        out.push('\n');
    }
    out
}

/// One row as text, with the x position of each byte offset's character.
fn row_text(buf: &ratatui::buffer::Buffer, y: u16) -> (String, Vec<(usize, u16)>) {
    let mut s = String::new();
    let mut xs = Vec::new();
    let mut skip = 0usize;
    for x in 0..buf.area.width {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let sym = buf[(x, y)].symbol();
        xs.push((s.len(), x));
        s.push_str(sym);
        skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
    }
    (s, xs)
}

/// The (x, y) of the first cell showing `needle`.
pub fn find(buf: &ratatui::buffer::Buffer, needle: &str) -> Option<(u16, u16)> {
    (0..buf.area.height).find_map(|y| {
        let (s, xs) = row_text(buf, y);
        let at = s.find(needle)?;
        xs.iter()
            .rev()
            .find(|(b, _)| *b <= at)
            .map(|(_, x)| (*x, y))
    })
}
