//! The county the benchmark runs in: departments, people and their sessions.

use crate::prelude::*;

use crate::support::fixtures::PASSWORD;

pub const CREDIT_CODE: &str = "91350100M000100Y43";
pub const PHONE: &str = "13800138000";

pub fn approval_push(n: u64, recipients: &[&str], today: chrono::NaiveDate) -> NewApprovalPush {
    NewApprovalPush {
        item_name: format!("食品经营许可（新办）#{n}"),
        counterparty: Counterparty {
            name: format!("福州市示例餐饮管理有限公司{n}"),
            credit_code: Some(CREDIT_CODE.into()),
            id_number: None,
            contact_name: "张三".into(),
            contact_phone: PHONE.into(),
        },
        license_no: format!("JY1350100{n:08}"),
        license_date: today,
        valid_until: ValidUntil::Date(today.with_year(today.year() + 5).unwrap_or(today)),
        mode: PushMode::Standard,
        comprehensive_license: None,
        commitment_letter: None,
        catalogue_item_id: None,
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        important: false,
        admission: None,
    }
}

pub fn sqlite_pool(db: &Db) -> sqlx::SqlitePool {
    match db.pool() {
        Pool::Sqlite(p) => p.clone(),
        Pool::Postgres(_) => panic!("the benchmark runs on SQLite"),
    }
}

pub struct Setup {
    pub server: RunningServer,
    pub admin: Client,
    pub pusher: Client,
    /// Supervision staff, by department code.
    pub staff: HashMap<String, Client>,
    pub watcher: Client,
    pub sup_codes: Vec<String>,
    pub today: chrono::NaiveDate,
}

pub async fn setup(dir: &std::path::Path) -> anyhow::Result<Setup> {
    let url = format!("sqlite://{}", dir.join("server.db").display());
    shenguan::admin::bootstrap(&url, "admin", "管理员", PASSWORD).await?;
    let server = shenguan::server::start(
        ServerConfig {
            listen: "127.0.0.1:0".into(),
            database: url,
            test_clock: true,
            sweep_interval: Duration::from_secs(24 * 3600),
            ..ServerConfig::default()
        },
        None,
    )
    .await?;
    let anon = Client::new(&server.url(), None);
    let admin = anon.with_token(anon.login("admin", PASSWORD).await?.token);
    let mut depts = vec![("approval", "行政审批服务局", DepartmentKind::Approval)];
    let sup: [(&str, &str); 6] = [
        ("market", "市场监督管理局"),
        ("health", "卫生健康局"),
        ("culture", "文化和旅游局"),
        ("transport", "交通运输局"),
        ("housing", "住房和城乡建设局"),
        ("ecology", "生态环境局"),
    ];
    for (c, n) in sup {
        depts.push((c, n, DepartmentKind::Supervision));
    }
    for (code, name, kind) in &depts {
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
    let mut users = vec![(
        "pusher".to_string(),
        Role::ApprovalStaff,
        Some("approval".to_string()),
    )];
    users.push(("watcher".into(), Role::Supervisor, None));
    for (c, _) in sup {
        users.push((format!("staff-{c}"), Role::SupervisionStaff, Some(c.into())));
    }
    for (u, role, dept) in &users {
        let _: User = admin
            .post(
                "/api/v1/users",
                &NewUser {
                    username: u.clone(),
                    password: PASSWORD.into(),
                    display_name: u.clone(),
                    role: *role,
                    department: dept.clone(),
                },
            )
            .await?;
    }
    let login = |u: &str| {
        let anon = anon.clone();
        let u = u.to_string();
        async move {
            let t = anon.login(&u, PASSWORD).await?.token;
            anyhow::Ok(anon.with_token(t))
        }
    };
    let pusher = login("pusher").await?;
    let watcher = login("watcher").await?;
    let mut staff = HashMap::new();
    for (c, _) in sup {
        staff.insert(c.to_string(), login(&format!("staff-{c}")).await?);
    }
    let today = shenguan::domain::to_cst(server.state.clock.now()).date_naive();
    Ok(Setup {
        server,
        admin,
        pusher,
        staff,
        watcher,
        sup_codes: sup.iter().map(|(c, _)| c.to_string()).collect(),
        today,
    })
}
