//! The protocol edges of the API contract (issue 8): every refusal is the JSON error body,
//! idempotency compares the request's canonical fingerprint, and input the documented rules
//! exclude is refused naming the field.

use reqwest::Method;
use serde_json::{Value, json};
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    oversized_and_non_json_bodies_get_the_json_error_body,
    idempotency_compares_the_canonical_fingerprint,
    validation_gaps_are_closed,
    login_ignores_username_case
);

/// A request with full control of headers and body; the answer as JSON (or a JSON string).
pub async fn send(
    url: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, Value) {
    let mut rb = reqwest::Client::new().post(url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    if let Some(b) = body {
        rb = rb.body(b.to_string());
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

const JSON: (&str, &str) = ("content-type", "application/json");

fn code(v: &Value) -> Option<&str> {
    v["error"]["code"].as_str()
}

async fn oversized_and_non_json_bodies_get_the_json_error_body(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let huge = json!({ "item_name": "x".repeat(300 * 1024) }).to_string();
    for (path, who) in [
        ("/api/v1/approval-pushes", &app.approval),
        ("/api/v1/supervision-pushes", &app.market),
    ] {
        let url = format!("{}{path}", app.url);
        let (s, v) = send(&url, who.token(), &[JSON], Some(&huge)).await;
        assert_eq!(
            (s, code(&v)),
            (413, Some("payload_too_large")),
            "{path}: {v}"
        );
        assert!(v["error"]["message"].as_str().is_some(), "{path}: {v}");
    }
    // A JSON body sent as another type: 415 with the JSON error body, nothing written.
    let push = serde_json::to_string(&approval_push(&["market"])).unwrap();
    let url = format!("{}/api/v1/approval-pushes", app.url);
    for ct in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
    ] {
        let (s, v) = send(
            &url,
            app.approval.token(),
            &[("content-type", ct)],
            Some(&push),
        )
        .await;
        assert_eq!(
            (s, code(&v)),
            (415, Some("unsupported_media_type")),
            "{ct}: {v}"
        );
    }
    let (s, _) = send(&url, app.approval.token(), &[], Some(&push)).await;
    assert_eq!(
        s, 415,
        "a body without a Content-Type is not assumed to be JSON"
    );
    let dept = json!({"code": "water", "name": "水利局", "kind": "supervision"}).to_string();
    let url = format!("{}/api/v1/departments", app.url);
    let (s, v) = send(
        &url,
        app.admin.token(),
        &[("content-type", "text/plain")],
        Some(&dept),
    )
    .await;
    assert_eq!((s, code(&v)), (415, Some("unsupported_media_type")), "{v}");
    assert_eq!(app.count("pushes").await, 0);
    // JSON with a charset parameter, or a +json type, is JSON.
    let ct = ("content-type", "application/json; charset=utf-8");
    let (s, v) = send(&url, app.admin.token(), &[ct], Some(&dept)).await;
    assert_eq!(s, 201, "{v}");
    app.finish().await;
}

async fn idempotency_compares_the_canonical_fingerprint(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let url = format!("{}/api/v1/approval-pushes", app.url);
    let tok = app.approval.token();
    let value = serde_json::to_value(approval_push(&["market", "health"])).unwrap();
    let compact = value.to_string();
    let key = ("Idempotency-Key", "order-7");
    let (s1, first) = send(&url, tok, &[JSON, key], Some(&compact)).await;
    assert_eq!(s1, 201, "{first}");
    // The same JSON with its keys in reverse order and other whitespace is the same request.
    let mut reordered = String::from("{\n");
    let obj = value.as_object().unwrap();
    let fields: Vec<String> = obj
        .iter()
        .rev()
        .map(|(k, v)| {
            format!(
                "  {}\t:  {}",
                json!(k),
                serde_json::to_string_pretty(v).unwrap()
            )
        })
        .collect();
    reordered.push_str(&fields.join(" ,\n"));
    reordered.push_str("\n}\n");
    assert_ne!(reordered, compact);
    let (s2, again) = send(&url, tok, &[JSON, key], Some(&reordered)).await;
    assert_eq!((s2, &again), (201, &first), "the original answer");
    assert_eq!(app.count("pushes").await, 1);
    // Another body under the same key is still refused.
    let other = serde_json::to_string(&approval_push(&["market"])).unwrap();
    let (s3, v) = send(&url, tok, &[JSON, key], Some(&other)).await;
    assert_eq!((s3, code(&v)), (422, Some("idempotency_key_reused")));
    // A record stored before fingerprints (the hash of the raw bytes) still replays.
    let legacy = shenguan::server::auth::secret_hash(&reordered);
    let sql = format!("UPDATE idempotency SET request_hash = '{legacy}'");
    exec(&app, &sql).await;
    let (s4, replay) = send(&url, tok, &[JSON, key], Some(&reordered)).await;
    assert_eq!((s4, &replay), (201, &first));
    assert_eq!(app.count("pushes").await, 1);
    app.finish().await;
}

pub async fn exec(app: &TestApp, sql: &str) {
    let sql = sql.to_string();
    match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
        shenguan::db::Pool::Postgres(p) => {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(p)
                .await
                .unwrap();
        }
    }
}

async fn validation_gaps_are_closed(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let url = format!("{}/api/v1/approval-pushes", app.url);
    let tok = app.approval.token();
    let good = serde_json::to_value(approval_push(&["market"])).unwrap();
    let with = |path: &[&str], v: Value| {
        let mut body = good.clone();
        let mut at = &mut body;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        body.to_string()
    };
    let cases = [
        (
            with(
                &["counterparty", "credit_code"],
                json!("000000000000000000"),
            ),
            "counterparty.credit_code",
        ),
        (with(&["license_date"], json!("0000-01-01")), "license_date"),
        (with(&["license_date"], json!("2026-9-30")), "license_date"),
        (
            with(&["license_date"], json!("+2026-09-30")),
            "license_date",
        ),
        (
            with(&["item_name"], json!("食品\u{202E}可许营经")),
            "item_name",
        ),
        (
            with(&["counterparty", "name"], json!("\u{2067}示例公司")),
            "counterparty.name",
        ),
        (with(&["license_no"], json!("JY1\u{202A}23")), "license_no"),
    ];
    for (body, field) in &cases {
        let (s, v) = send(&url, tok, &[JSON], Some(body)).await;
        assert_eq!(s, 422, "{field}: {v}");
        assert_eq!(v["error"]["field"].as_str(), Some(*field), "{v}");
    }
    // An Idempotency-Key with a TAB breaks the documented rule (visible ASCII only).
    let body = good.to_string();
    let (s, v) = send(
        &url,
        tok,
        &[JSON, ("Idempotency-Key", "order\t1")],
        Some(&body),
    )
    .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (400, Some("Idempotency-Key")),
        "{v}"
    );
    assert_eq!(app.count("pushes").await, 0, "nothing written");
    // Dates the calendar cannot serve are refused naming the parameter.
    let (s, v) = app
        .request(
            Method::GET,
            "/api/v1/calendar/deadline?from=9999-12-31T23:59:59Z&working_days=1",
            app.admin.token(),
            None,
        )
        .await;
    assert_eq!(
        (s / 100, v["error"]["field"].as_str()),
        (4, Some("from")),
        "{v}"
    );
    // A notice whose days are outside its declared year is refused.
    let notice = json!({"year": 2031, "days": [
        {"date": "2030-12-31", "name": "元旦", "isOffDay": true}
    ]});
    let (s, v) = app
        .request(
            Method::POST,
            "/api/v1/calendar/years",
            app.admin.token(),
            Some(&notice.to_string()),
        )
        .await;
    assert_eq!(s, 422, "{v}");
    let info: CalendarInfo = app.admin.get("/api/v1/calendar").await.unwrap();
    assert!(!info.published_years.contains(&2031), "{info:?}");
    // Display names are free text too.
    let user = json!({"username": "spoof1", "password": PASSWORD, "display_name": "管理员\u{202E}",
                      "role": "supervisor"});
    let (s, v) = app
        .request(
            Method::POST,
            "/api/v1/users",
            app.admin.token(),
            Some(&user.to_string()),
        )
        .await;
    assert_eq!(
        (s, v["error"]["field"].as_str()),
        (422, Some("display_name")),
        "{v}"
    );
    app.finish().await;
}

async fn login_ignores_username_case(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let s = app.anon.login("MARKET1", PASSWORD).await.unwrap();
    assert_eq!(s.user.username, "market1");
    let s = app.anon.login("Admin", PASSWORD).await.unwrap();
    assert_eq!(s.user.role, Role::Admin);
    // Usernames are unique ignoring case.
    let user = json!({"username": "Market1", "password": PASSWORD, "display_name": "x",
                      "role": "supervisor"});
    let (s, v) = app
        .request(
            Method::POST,
            "/api/v1/users",
            app.admin.token(),
            Some(&user.to_string()),
        )
        .await;
    assert_eq!((s, code(&v)), (409, Some("username_taken")), "{v}");
    app.finish().await;
}
