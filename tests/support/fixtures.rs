//! Shared fixtures over the public API: the password every test account has, how accounts and
//! departments are made, an approval push, and raw HTTP for what the typed client cannot send.

use chrono::{DateTime, FixedOffset};
use shenguan::api::*;
use shenguan::client::Client;

/// Every account made by the tests and benchmarks has this password.
pub const PASSWORD: &str = "correct-horse-9";

/// Thursday 2026-11-26 10:00 China time: an ordinary working day.
pub fn t0() -> DateTime<FixedOffset> {
    at("2026-11-26T10:00:00+08:00")
}

pub fn at(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap()
}

pub async fn create_user(admin: &Client, username: &str, role: Role, dept: Option<&str>) -> User {
    let u = NewUser {
        username: username.into(),
        password: PASSWORD.into(),
        display_name: format!("{username} 同志"),
        role,
        department: dept.map(Into::into),
    };
    admin.post("/api/v1/users", &u).await.unwrap()
}

pub async fn create_department(
    admin: &Client,
    code: &str,
    name: &str,
    kind: DepartmentKind,
) -> Department {
    let d = NewDepartment {
        code: code.into(),
        name: name.into(),
        kind,
    };
    admin.post("/api/v1/departments", &d).await.unwrap()
}

pub async fn create_api_key(admin: &Client, name: &str, department: &str) -> ApiKeyCreated {
    let k = NewApiKey {
        name: name.into(),
        department: department.into(),
    };
    admin.post("/api/v1/api-keys", &k).await.unwrap()
}

/// The status of a request the server refused (panics if it succeeded or never answered).
#[track_caller]
pub fn refused_status<T: std::fmt::Debug>(r: shenguan::client::Result<T>) -> reqwest::StatusCode {
    r.unwrap_err().status().unwrap()
}

/// A client signed in as `username` (with [`PASSWORD`]).
pub async fn login(anon: &Client, username: &str) -> Client {
    login_token(anon, username).await.0
}

/// A client signed in as `username`, and its session token.
pub async fn login_token(anon: &Client, username: &str) -> (Client, String) {
    let s = anon.login(username, PASSWORD).await.unwrap();
    (anon.with_token(s.token.clone()), s.token)
}

/// A valid approval push (食品经营许可, an ordinary company) to `recipients`.
pub fn approval_push(recipients: &[&str]) -> NewApprovalPush {
    NewApprovalPush {
        item_name: "食品经营许可".into(),
        counterparty: Counterparty {
            name: "高青县示例餐饮有限公司".into(),
            credit_code: Some("91350100M000100Y43".into()),
            id_number: None,
            contact_name: "张三".into(),
            contact_phone: "13800138000".into(),
        },
        license_no: "JY13703220000001".into(),
        license_date: "2026-09-01".parse().unwrap(),
        valid_until: "2031-08-31".parse().unwrap(),
        mode: PushMode::Standard,
        comprehensive_license: None,
        commitment_letter: None,
        catalogue_item_id: None,
        recipients: recipients.iter().map(|s| s.to_string()).collect(),
        important: false,
        admission: None,
    }
}

/// Raw HTTP for bodies the typed client cannot produce (malformed JSON, odd headers).
pub async fn raw(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, serde_json::Value) {
    let mut rb = reqwest::Client::new().request(method, url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let resp = rb.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

/// A credit-approval catalogue item (art. 8) created by `bureau`, agreed with `departments`.
pub async fn catalogue_item(
    bureau: &Client,
    code: &str,
    mode: VerificationMode,
    departments: &[&str],
) -> CatalogueItem {
    bureau
        .post(
            "/api/v1/credit-catalogue",
            &CatalogueItemInput {
                code: Some(code.into()),
                name: format!("信用审批事项 {code}"),
                conditions: vec!["具备与经营项目相适应的场所和设施".into()],
                materials: vec!["申请书".into(), "告知承诺书".into()],
                verification_mode: mode,
                departments: departments.iter().map(|d| d.to_string()).collect(),
                base_version: None,
                note: None,
            },
        )
        .await
        .unwrap()
}
