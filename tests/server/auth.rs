use reqwest::Method;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    login_and_tokens,
    roles_and_admin_endpoints,
    people_validation,
    api_keys
);

async fn login_and_tokens(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Wrong password and unknown user get the same answer.
    let e1 = app
        .anon
        .login("market1", "wrong-password")
        .await
        .unwrap_err();
    let e2 = app
        .anon
        .login("nobody", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(e1.status().unwrap(), 401);
    assert_eq!(e1.to_string(), e2.to_string());
    // No token, a garbage token.
    let (s, body) = raw(Method::GET, &format!("{}/api/v1/me", app.url), None, None).await;
    assert_eq!(s, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (s, _) = raw(
        Method::GET,
        &format!("{}/api/v1/me", app.url),
        Some("sgt_nonsense"),
        None,
    )
    .await;
    assert_eq!(s, 401);
    // Login answers the user; /me agrees.
    let session = app.anon.login("market1", PASSWORD).await.unwrap();
    assert_eq!(session.user.department.as_deref(), Some("market"));
    assert_eq!(session.user.role, Role::SupervisionStaff);
    let c = app.anon.with_token(session.token.clone());
    let me = c.me().await.unwrap();
    assert_eq!(me.user.unwrap().username, "market1");
    // Logout revokes exactly that token.
    let (s, _) = raw(
        Method::DELETE,
        &format!("{}/api/v1/sessions/current", app.url),
        Some(&session.token),
        None,
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(c.me().await.unwrap_err().status().unwrap(), 401);
    assert!(
        app.market.me().await.is_ok(),
        "other sessions of the same user stay valid"
    );
    // Tokens are stored hashed: the plain token is nowhere in the database.
    let n = app
        .count(&format!("sessions WHERE token_hash = '{}'", session.token))
        .await;
    assert_eq!(n, 0);
    app.finish().await;
}

async fn roles_and_admin_endpoints(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let d = NewDepartment {
        code: "transport".into(),
        name: "交通运输局".into(),
        kind: DepartmentKind::Supervision,
    };
    for c in [&app.market, &app.approval, &app.supervisor, &app.duty] {
        let e = c
            .post::<Department, _>("/api/v1/departments", &d)
            .await
            .unwrap_err();
        assert_eq!(e.status().unwrap(), 403);
    }
    let before = app.count("departments").await;
    assert_eq!(before, 4);
    let e = app
        .market
        .get::<Vec<User>>("/api/v1/users")
        .await
        .unwrap_err();
    assert_eq!(e.status().unwrap(), 403);
    // Everyone may list departments.
    assert_eq!(app.market.departments().await.unwrap().len(), 4);
    // Test clock: admin only.
    assert_eq!(
        app.market
            .set_test_clock(t0())
            .await
            .unwrap_err()
            .status()
            .unwrap(),
        403
    );
    app.finish().await;
}

async fn people_validation(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let url = format!("{}/api/v1/departments", app.url);
    let tok = app.admin.token().unwrap().to_string();
    let cases = [
        (
            r#"{"code":"A B","name":"x","kind":"supervision"}"#,
            422,
            "code",
        ),
        (
            r#"{"code":"ok","name":"  ","kind":"supervision"}"#,
            422,
            "name",
        ),
        (r#"{"code":"ok","name":"x","kind":"police"}"#, 422, "kind"),
        (r#"{"code":"ok","name":"x"}"#, 422, "kind"),
        (
            r#"{"code":"ok","name":"x","kind":"supervision","extra":1}"#,
            422,
            "extra",
        ),
    ];
    for (body, status, field) in cases {
        let (s, v) = raw(Method::POST, &url, Some(&tok), Some(body)).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (s, v) = raw(
        Method::POST,
        &url,
        Some(&tok),
        Some(r#"{"code":"market","name":"重复","kind":"supervision"}"#),
    )
    .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("department_exists"))
    );
    let (s, _) = raw(Method::POST, &url, Some(&tok), Some("{\"code\":")).await;
    assert_eq!(s, 400);
    assert_eq!(
        app.count("departments").await,
        4,
        "refused requests wrote nothing"
    );

    let users = format!("{}/api/v1/users", app.url);
    let cases = [
        (
            r#"{"username":"new1","password":"short","display_name":"x","role":"supervision_staff","department":"market"}"#,
            "password",
        ),
        (
            r#"{"username":"new1","password":"long-enough-1","display_name":"x","role":"supervision_staff"}"#,
            "department",
        ),
        (
            r#"{"username":"new1","password":"long-enough-1","display_name":"x","role":"supervision_staff","department":"approval"}"#,
            "department",
        ),
        (
            r#"{"username":"new1","password":"long-enough-1","display_name":"x","role":"approval_staff","department":"nowhere"}"#,
            "department",
        ),
        (
            r#"{"username":"n","password":"long-enough-1","display_name":"x","role":"supervisor"}"#,
            "username",
        ),
        (
            r#"{"username":"new1","password":"long-enough-1","display_name":"x","role":"king"}"#,
            "role",
        ),
    ];
    let before = app.count("users").await;
    for (body, field) in cases {
        let (s, v) = raw(Method::POST, &users, Some(&tok), Some(body)).await;
        assert_eq!(s, 422, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (s, v) = raw(Method::POST, &users, Some(&tok), Some(r#"{"username":"market1","password":"long-enough-1","display_name":"x","role":"supervisor"}"#)).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("username_taken"))
    );
    assert_eq!(app.count("users").await, before);
    // Passwords are argon2 hashes.
    let n = app
        .count("users WHERE password_hash LIKE '$argon2id$%'")
        .await;
    assert_eq!(n, before);
    app.finish().await;
}

async fn api_keys(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let created: ApiKeyCreated = app
        .admin
        .post(
            "/api/v1/api-keys",
            &NewApiKey {
                name: "审批业务系统".into(),
                department: "approval".into(),
            },
        )
        .await
        .unwrap();
    assert!(created.key.starts_with("sgk_"));
    assert_eq!(
        app.count(&format!("api_keys WHERE key_hash = '{}'", created.key))
            .await,
        0,
        "stored hashed"
    );
    let system = app.anon.with_token(created.key.clone());
    let push = system
        .create_approval_push(&approval_push(&["market"]), Some("sys-1"))
        .await
        .unwrap();
    assert_eq!(push.created_by, "api-key:审批业务系统");
    // A key may not administer.
    let e = system.get::<Vec<User>>("/api/v1/users").await.unwrap_err();
    assert_eq!(e.status().unwrap(), 403);
    // Revoked keys stop working.
    let (s, _) = raw(
        Method::DELETE,
        &format!("{}/api/v1/api-keys/{}", app.url, created.id),
        app.admin.token(),
        None,
    )
    .await;
    assert_eq!(s, 204);
    let e = system
        .create_approval_push(&approval_push(&["market"]), None)
        .await
        .unwrap_err();
    assert_eq!(e.status().unwrap(), 401);
    app.finish().await;
}

/// Sessions end after their lifetime; the console then gets a clear 401.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let app = TestApp::spawn_on(db, |url| shenguan::server::ServerConfig {
        session_ttl: std::time::Duration::from_secs(8 * 3600),
        ..test_config(url)
    })
    .await;
    let fresh = login(&app.anon, "market1").await;
    assert!(fresh.me().await.is_ok());
    // The admin's own session also ages: log in again after moving the clock.
    app.set_clock("2026-11-26T17:59:59+08:00").await;
    assert!(fresh.me().await.is_ok(), "7 h 59 min 59 s after login");
    let admin = login(&app.anon, "admin").await;
    admin
        .set_test_clock(at("2026-11-26T18:00:00+08:00"))
        .await
        .unwrap();
    let e = fresh.me().await.unwrap_err();
    assert_eq!(e.status().unwrap(), 401);
    assert!(e.to_string().contains("expired"), "{e}");
    app.finish().await;
}

/// 登录失败处理: five wrong passwords lock the username for 15 minutes (429 with Retry-After),
/// even for the right password; unknown usernames answer the same; other users are unaffected.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failed_logins_lock_the_username() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let app = TestApp::spawn_on(db, test_config).await;
    let url = format!("{}/api/v1/sessions", app.url);
    let attempt = |user: &str, password: &str| {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let url = url.clone();
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            let retry = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let status = resp.status().as_u16();
            let body: serde_json::Value = resp.json().await.unwrap();
            (status, body["error"]["code"].clone(), retry)
        }
    };
    for user in ["market1", "nobody"] {
        for i in 1..=4 {
            let (status, code, _) = attempt(user, "wrong-password").await;
            assert_eq!(
                (status, code.as_str()),
                (401, Some("unauthorized")),
                "{user} try {i}"
            );
        }
        let (status, code, retry) = attempt(user, "wrong-password").await;
        assert_eq!(status, 429, "{user}: the fifth failure locks");
        assert_eq!(code, "too_many_attempts");
        assert_eq!(retry.as_deref(), Some("900"));
    }
    let (status, _, _) = attempt("market1", PASSWORD).await;
    assert_eq!(status, 429, "locked even with the right password");
    let (status, _, _) = attempt("market2", PASSWORD).await;
    assert_eq!(status, 201, "another user is not affected");
    app.set_clock("2026-11-26T10:15:01+08:00").await;
    let (status, _, _) = attempt("market1", PASSWORD).await;
    assert_eq!(status, 201, "the lock ends after 15 minutes");
    app.finish().await;
}
