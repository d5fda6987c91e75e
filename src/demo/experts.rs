//! The demo county's expert registry (art. 10) and a verified draw for its first inspection.

use chrono::{NaiveDate, TimeZone};

use crate::api::*;
use crate::client::Client;

/// Surnames and given names for the demo's members (invented).
const SURNAMES: &[&str] = &[
    "张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: &[&str] = &[
    "建国", "海燕", "志强", "丽华", "文斌", "晓东", "秀兰", "国庆", "立新", "春梅", "卫东", "红霞",
];

/// What each department's members are qualified as.
fn qualification(dept: &str) -> &'static str {
    match dept {
        "market" => "食品安全高级工程师",
        "health" => "主任医师（公共卫生）",
        "emergency" => "注册安全工程师",
        "ecology" => "环境影响评价工程师",
        "housing" => "一级注册结构工程师",
        "transport" => "公路工程高级工程师",
        "culture" => "文物保护工程师",
        "enforcement" => "执法督察（法律职业资格）",
        "agriculture" => "农艺师",
        "water" => "水利水电高级工程师",
        _ => "高级工程师",
    }
}

/// Each supervision department nominates to both pools through its own staff: 2–3 to the
/// think-tank and 1–2 to the site-inspection pool — except 水利局, one short of the
/// think-tank's minimum (the roster shows it as such).
pub async fn seed(clients: &std::collections::HashMap<String, Client>) -> anyhow::Result<()> {
    let mut n = 0usize;
    for (i, (code, _, kind)) in super::DEPARTMENTS.iter().enumerate() {
        if *kind != DepartmentKind::Supervision {
            continue;
        }
        let staff = &clients[&format!("{code}1")];
        let think_tank = if *code == "water" { 1 } else { 2 + i % 2 };
        let site = 1 + (i + 1) % 2;
        let pools = std::iter::repeat_n(ExpertPool::ThinkTank, think_tank)
            .chain(std::iter::repeat_n(ExpertPool::SiteInspection, site));
        for pool in pools {
            let name = format!(
                "{}{}",
                SURNAMES[n % SURNAMES.len()],
                GIVEN[(n * 5 + i) % GIVEN.len()]
            );
            n += 1;
            let until = NaiveDate::from_ymd_opt(2027 + (n % 3) as i32, 6, 30).expect("a date");
            staff
                .nominate_expert(&NewExpert {
                    name,
                    department: (*code).into(),
                    pool,
                    qualification: qualification(code).into(),
                    qualified_until: until,
                    replaces: None,
                    reason: None,
                })
                .await?;
        }
    }
    Ok(())
}

/// Draw two experts for the first upcoming inspection (scheduling one a week ahead if the
/// county has none), and check the draw recomputes.
pub async fn verified_draw(
    clients: &std::collections::HashMap<String, Client>,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Draw> {
    let bureau = &clients["shenpi1"];
    let list: JointEventList = bureau.get("/api/v1/joint-events").await?;
    let upcoming = list.items.iter().find(|e| {
        e.kind == JointEventKind::Inspection
            && e.status == JointEventStatus::Scheduled
            && e.starts_at > now
    });
    let event_id = match upcoming {
        Some(e) => e.id,
        None => {
            let day = (now + chrono::Duration::days(7))
                .with_timezone(&crate::domain::cst())
                .date_naive();
            let starts_at = crate::domain::cst()
                .from_local_datetime(&day.and_hms_opt(9, 30, 0).expect("a time"))
                .single()
                .expect("a fixed offset");
            let e: JointEvent = bureau
                .post(
                    "/api/v1/joint-events",
                    &NewJointEvent {
                        kind: JointEventKind::Inspection,
                        title: "鲁中化工新材料项目现场联合踏勘".into(),
                        starts_at,
                        place: "高青县化工产业园".into(),
                        departments: vec!["emergency".into(), "ecology".into(), "housing".into()],
                        subject: None,
                        agenda: None,
                        emergency: None,
                    },
                )
                .await?;
            e.id
        }
    };
    let draw = bureau
        .make_draw(
            event_id,
            &NewDraw {
                count: 2,
                pool: None,
                exclude_departments: vec![],
                reason: None,
            },
        )
        .await?;
    let v = bureau.draw_verification(draw.id).await?;
    anyhow::ensure!(v.matches, "the demo's draw does not recompute: {v:?}");
    Ok(draw)
}
