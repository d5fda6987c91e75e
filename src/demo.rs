//! `shenguan demo`: a seeded county on an in-process server over a temporary SQLite file —
//! the approval bureau and ten supervision departments, accounts for every role, a month of
//! history (claims, auto-claims, disputes, escalations, joint work, inquiry letters, legacy
//! cases) and new pushes arriving every few
//! seconds — then the console, logged in.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, NaiveTime, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::api::*;
use crate::client::{Client, DeliveryQuery};
use crate::domain::{Clock, OffsetClock, cst, ids};
use crate::server::{RunningServer, ServerConfig};

mod cases;
mod credit;
mod experts;
mod holders;
mod joint;
mod letters;

pub const DEMO_PASSWORD: &str = "demo1234";

pub const DEPARTMENTS: &[(&str, &str, DepartmentKind)] = &[
    ("approval", "行政审批服务局", DepartmentKind::Approval),
    ("market", "市场监督管理局", DepartmentKind::Supervision),
    ("health", "卫生健康局", DepartmentKind::Supervision),
    ("emergency", "应急管理局", DepartmentKind::Supervision),
    ("ecology", "生态环境分局", DepartmentKind::Supervision),
    ("housing", "住房和城乡建设局", DepartmentKind::Supervision),
    ("transport", "交通运输局", DepartmentKind::Supervision),
    ("culture", "文化和旅游局", DepartmentKind::Supervision),
    ("enforcement", "综合行政执法局", DepartmentKind::Supervision),
    ("agriculture", "农业农村局", DepartmentKind::Supervision),
    ("water", "水利局", DepartmentKind::Supervision),
];

/// (username, display name, role, department)
pub fn accounts() -> Vec<(String, String, Role, Option<&'static str>)> {
    let mut v = vec![
        (
            "shenpi1".to_string(),
            "王审批".to_string(),
            Role::ApprovalStaff,
            Some("approval"),
        ),
        (
            "shenpi2".into(),
            "李审批".into(),
            Role::ApprovalStaff,
            Some("approval"),
        ),
        ("duban".into(), "赵督查".into(), Role::Supervisor, None),
        ("zhiban".into(), "孙值班".into(), Role::DutyOfficer, None),
    ];
    for (code, name, kind) in DEPARTMENTS {
        if *kind == DepartmentKind::Supervision {
            let short: String = name.chars().take(2).collect();
            v.push((
                format!("{code}1"),
                format!("{short}科员甲"),
                Role::SupervisionStaff,
                Some(*code),
            ));
            v.push((
                format!("{code}2"),
                format!("{short}科员乙"),
                Role::SupervisionStaff,
                Some(*code),
            ));
        }
    }
    v
}

/// (item, licence prefix, departments that supervise it)
const ITEMS: &[(&str, &str, &[&str])] = &[
    ("食品经营许可", "JY137032", &["market", "health"]),
    ("公共场所卫生许可", "GW137032", &["health"]),
    (
        "危险化学品经营许可",
        "WH137032",
        &["emergency", "enforcement"],
    ),
    ("排污许可", "PW137032", &["ecology"]),
    ("建筑工程施工许可", "SG137032", &["housing", "enforcement"]),
    ("道路运输经营许可", "DY137032", &["transport"]),
    ("娱乐场所经营许可", "YL137032", &["culture", "enforcement"]),
    ("农药经营许可", "NY137032", &["agriculture", "market"]),
    ("取水许可", "QS137032", &["water", "ecology"]),
    ("药品零售许可", "YP137032", &["market", "health"]),
    ("旅行社业务经营许可", "LX137032", &["culture"]),
    ("燃气经营许可", "RQ137032", &["housing", "emergency"]),
];

const COMPANIES: &[&str] = &[
    "高青县鲁味餐饮有限公司",
    "高青县黄河农资经营部",
    "淄博青城化工有限公司",
    "高青县清源水务有限公司",
    "山东高青建工集团有限公司",
    "高青县顺达运输有限公司",
    "高青县星光娱乐有限公司",
    "高青县惠民大药房",
    "高青县千乘湖旅行社有限公司",
    "高青县安泰燃气有限公司",
    "高青县田园生态农业合作社",
    "高青县新城酒店管理有限公司",
];

const QUESTIONS: &[&str] = &[
    "许可证有效期与申请材料不一致，请核实。",
    "经营地址与我局备案地址不符，请确认。",
    "该企业存在未结案件，请说明审批依据。",
    "告知承诺书缺少法定代表人签字，请补推。",
];

const ANSWERS: &[&str] = &[
    "已核实，以许可证记载为准。",
    "已补推相关材料，请查收。",
    "经复核，审批依据充分，详见附件说明。",
];

/// A valid 统一社会信用代码 derived from a seed (for realistic seeded data).
pub fn credit_code(seed: u64) -> String {
    let body = format!("913703220{:08}", seed % 100_000_000);
    let check = ids::credit_code_check_char(&body).expect("digits are valid");
    format!("{body}{check}")
}

pub struct Demo {
    pub server: RunningServer,
    pub url: String,
    _dir: tempfile::TempDir,
}

struct Seeder {
    clients: std::collections::HashMap<String, Client>,
    rng: StdRng,
    clock: Arc<OffsetClock>,
    /// When the demo started: the history is seeded up to here and never past it.
    present: DateTime<Utc>,
    sweeper: crate::jobs::Sweeper,
    n: u64,
    /// The catalogue's exempt item (免于核查), for the history's notify-and-commit pushes.
    exempt_item: i64,
    /// The catalogue's post-verification item (事后核查).
    verified_item: i64,
}

impl Seeder {
    fn c(&self, user: &str) -> &Client {
        &self.clients[user]
    }

    /// Move the clock to `t`, but never past the present: the history is the past (the
    /// seeders plan in working days, and "10:00 on the working day before tomorrow's
    /// hearing" is still ahead at 00:33). The demo's sessions were opened at the present, so
    /// a step beyond it by more than the idle limit would also end them.
    async fn at(&mut self, t: DateTime<Utc>) {
        self.clock.set(t.min(self.present));
        let _ = self.sweeper.sweep().await;
    }

    fn new_push(&mut self) -> NewApprovalPush {
        self.n += 1;
        let (item, prefix, depts) = *ITEMS.choose(&mut self.rng).expect("items");
        let company = *COMPANIES.choose(&mut self.rng).expect("companies");
        let today = self.clock.now().with_timezone(&cst()).date_naive();
        let mode = match self.rng.random_range(0..10) {
            0 => PushMode::NotifyCommit,
            1 => PushMode::OneIndustryOneLicense,
            _ => PushMode::Standard,
        };
        let license_no = format!("{prefix}{:08}", 1000 + self.n);
        NewApprovalPush {
            item_name: item.into(),
            counterparty: Counterparty {
                name: company.into(),
                credit_code: Some(credit_code(self.n * 7919 + 13)),
                id_number: None,
                contact_name: ["张伟", "王芳", "李娜", "刘洋", "陈静"]
                    .choose(&mut self.rng)
                    .expect("names")
                    .to_string(),
                contact_phone: format!(
                    "13{}{:08}",
                    self.rng.random_range(3..=9),
                    self.rng.random_range(0..100_000_000u32)
                ),
            },
            license_no: license_no.clone(),
            license_date: today,
            valid_until: ValidUntil::Date(today + Span::days(365 * 5)),
            mode,
            comprehensive_license: (mode == PushMode::OneIndustryOneLicense).then(|| {
                ComprehensiveLicense {
                    license_no: format!("ZH{license_no}"),
                    face_info: format!("{company} 行业综合许可证：{item}"),
                }
            }),
            commitment_letter: (mode == PushMode::NotifyCommit).then(|| CommitmentLetter {
                content: "申请人承诺已符合法定条件、标准，并愿意承担不实承诺的法律责任。".into(),
                signed_on: today,
                compliance_date: None,
            }),
            catalogue_item_id: (mode == PushMode::NotifyCommit).then_some(self.exempt_item),
            recipients: depts.iter().map(|d| d.to_string()).collect(),
            important: self.rng.random_range(0..8) == 0,
            admission: None,
        }
    }
}

fn local(d: chrono::NaiveDate, h: u32, m: u32) -> DateTime<Utc> {
    cst()
        .from_local_datetime(&d.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("valid time")))
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}

/// Start the demo server on `listen` and seed it. Returns once the history is in place.
pub async fn start(listen: &str) -> anyhow::Result<Demo> {
    start_with_clock(listen, Arc::new(OffsetClock::default())).await
}

/// [`start`] with the present given by `clock` (tests seed the county at chosen instants:
/// midnight, a weekend, the day after a holiday).
pub async fn start_with_clock(listen: &str, clock: Arc<OffsetClock>) -> anyhow::Result<Demo> {
    let dir = tempfile::tempdir()?;
    let db_url = format!("sqlite://{}", dir.path().join("demo.db").display());
    crate::admin::bootstrap(&db_url, "admin", "系统管理员", DEMO_PASSWORD).await?;
    let real_now = clock.now();
    let cfg = ServerConfig {
        listen: listen.into(),
        database: db_url,
        sweep_interval: Duration::from_secs(1),
        ..Default::default()
    };
    let server = crate::server::start(cfg, Some(clock.clone())).await?;
    let url = server.url();
    let anon = Client::new(&url, None);
    let admin = anon.with_token(anon.login("admin", DEMO_PASSWORD).await?.token);
    for (code, name, kind) in DEPARTMENTS {
        let _: Department = admin
            .post(
                "/api/v1/departments",
                &NewDepartment {
                    code: (*code).into(),
                    name: (*name).into(),
                    kind: *kind,
                },
            )
            .await?;
    }
    let mut clients = std::collections::HashMap::new();
    for (username, display_name, role, dept) in accounts() {
        let body = NewUser {
            username: username.clone(),
            password: DEMO_PASSWORD.into(),
            display_name,
            role,
            department: dept.map(Into::into),
        };
        let _: User = admin.post("/api/v1/users", &body).await?;
        let token = anon.login(&username, DEMO_PASSWORD).await?.token;
        clients.insert(username, anon.with_token(token));
    }
    let (exempt_item, verified_item) = credit::catalogue(&clients["shenpi1"]).await?;
    clients.insert("admin".into(), admin);
    let mut s = Seeder {
        clients,
        rng: StdRng::seed_from_u64(20211027),
        clock,
        present: real_now,
        sweeper: server.state.sweeper.clone(),
        n: 0,
        exempt_item,
        verified_item,
    };
    // Ends back at the present (real_now, swept): time flows again from there.
    seed_history(&mut s, real_now).await?;
    experts::seed(&s.clients).await?;
    // Holders on both credit lists, and an approval made under restricted admission.
    holders::seed(&s.clients, real_now).await?;
    letters::seed(&s.clients, real_now).await?;
    // Needs the joint-work endpoints (issue 11 part 1); without them the demo runs on.
    if let Err(e) = experts::verified_draw(&s.clients, real_now).await {
        tracing::warn!(error = %e, "demo: no verified draw seeded");
    }
    tokio::spawn(live_traffic(s));
    Ok(Demo {
        server,
        url,
        _dir: dir,
    })
}

/// A month of working days: pushes through the day; most claimed within hours by one of the
/// department's two people, some left to be auto-claimed, some questioned and answered.
async fn seed_history(s: &mut Seeder, now: DateTime<Utc>) -> anyhow::Result<()> {
    let calendar = crate::domain::Calendar::shipped();
    let today = now.with_timezone(&cst()).date_naive();
    let mut day = today - Span::days(30);
    while day < today {
        if calendar.is_working_day(day) {
            let pushes = s.rng.random_range(3..=7);
            for _ in 0..pushes {
                let t = local(day, s.rng.random_range(8..17), s.rng.random_range(0..60));
                s.at(t).await;
                let p = s.new_push();
                let push = s.c("shenpi1").create_approval_push(&p, None).await?;
                for d in &push.deliveries {
                    let fate = s.rng.random_range(0..100);
                    let who = format!("{}{}", d.department, s.rng.random_range(1..=2));
                    if fate < 82 {
                        let later = t + Span::minutes(s.rng.random_range(10..300));
                        s.at(later).await;
                        let _ = s.c(&who).claim(d.id).await;
                    }
                    if (82..90).contains(&fate) || fate < 6 {
                        let q = QUESTIONS.choose(&mut s.rng).expect("questions").to_string();
                        // Older threads were mostly answered and closed; recent ones are live.
                        let old = day + Span::days(4) < today;
                        if let Ok(dispute) = s.c(&who).feedback(d.id, &q).await
                            && (old || s.rng.random_range(0..3) > 0)
                        {
                            let a = ANSWERS.choose(&mut s.rng).expect("answers").to_string();
                            let _ = s.c("shenpi2").reply(dispute.id, &a).await;
                            if old && s.rng.random_range(0..10) > 0 {
                                let _ = s.c(&who).resolve(dispute.id, Some("已澄清")).await;
                            }
                        }
                    }
                    if fate >= 97 {
                        let _ = s
                            .c("duban")
                            .escalate(d.id, "临近时限仍未认领，请立即处理")
                            .await;
                    }
                }
            }
        }
        day += Span::days(1);
    }
    // A week of joint work around today (arts. 9–11).
    joint::seed(s, now).await?;
    // Inquiry letters and legacy cases (arts. 12–13).
    cases::seed(s, now).await?;
    // Verification tasks of credit approvals (art. 8): open, passed, in rectification.
    credit::seed(s, today).await?;
    // Today so far: pushes through the day, many still waiting in the queues.
    let start = local(today, 8, 0);
    if now > start {
        let minutes = (now - start).num_minutes().max(1);
        for _ in 0..12 {
            let t = start + Span::minutes(s.rng.random_range(0..minutes));
            s.at(t).await;
            let p = s.new_push();
            let push = s.c("shenpi1").create_approval_push(&p, None).await?;
            for d in &push.deliveries {
                if s.rng.random_range(0..10) < 3 {
                    let who = format!("{}2", d.department);
                    let _ = s.c(&who).claim(d.id).await;
                }
            }
        }
    }
    s.at(now).await;
    for _ in 0..3 {
        let p = s.new_push();
        let p = NewApprovalPush {
            recipients: vec!["market".into()],
            ..p
        };
        s.c("shenpi1").create_approval_push(&p, None).await?;
    }
    Ok(())
}

/// New pushes every few seconds, and colleagues at work (claims, answers).
async fn live_traffic(mut s: Seeder) {
    loop {
        tokio::time::sleep(Duration::from_millis(s.rng.random_range(4000..8000))).await;
        let p = s.new_push();
        let _ = s.c("shenpi2").create_approval_push(&p, None).await;
        if s.rng.random_range(0..3) == 0 {
            // A colleague claims the oldest pending item of a random department.
            let (code, _, kind) = *DEPARTMENTS.choose(&mut s.rng).expect("departments");
            if kind == DepartmentKind::Supervision {
                let who = format!("{code}2");
                let q = DeliveryQuery {
                    status: Some(DeliveryStatus::Pending),
                    limit: Some(1),
                    ..Default::default()
                };
                if let Ok(page) = s.c(&who).deliveries(&q).await
                    && let Some(d) = page.items.first()
                {
                    let _ = s.c(&who).claim(d.id).await;
                }
            }
        }
        if s.rng.random_range(0..4) == 0
            && let Ok(page) = s.c("shenpi2").disputes(Some("open")).await
            && let Some(d) = page.items.iter().find(|d| d.messages.len() == 1)
        {
            let a = ANSWERS.choose(&mut s.rng).expect("answers").to_string();
            let _ = s.c("shenpi2").reply(d.id, &a).await;
        }
    }
}

pub fn print_accounts(url: &str) {
    println!("shenguan demo server: {url}");
    println!("accounts (password {DEMO_PASSWORD}):");
    println!("  admin        系统管理员 (admin)");
    for (u, name, role, dept) in accounts() {
        println!(
            "  {u:<13}{name} ({}{})",
            role.as_str(),
            dept.map(|d| format!(", {d}")).unwrap_or_default()
        );
    }
}
