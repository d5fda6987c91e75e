use reqwest::Method;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    login_and_tokens,
    roles_and_admin_endpoints,
    people_validation,
    api_keys,
    password_change_reset_and_deactivation
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
    let (s, body) = app.request(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(s, 401);
    assert_eq!(body["error"]["code"], "unauthorized");
    let (s, _) = app
        .request(Method::GET, "/api/v1/me", Some("sgt_nonsense"), None)
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
    let (s, _) = app
        .request(
            Method::DELETE,
            "/api/v1/sessions/current",
            Some(&session.token),
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(refused_status(c.me().await), 401);
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
        let r = c.post::<Department, _>("/api/v1/departments", &d).await;
        assert_eq!(refused_status(r), 403);
    }
    let before = app.count("departments").await;
    assert_eq!(before, 4);
    let r = app.market.get::<Vec<User>>("/api/v1/users").await;
    assert_eq!(refused_status(r), 403);
    // Everyone may list departments.
    assert_eq!(app.market.departments().await.unwrap().len(), 4);
    // Test clock: admin only.
    assert_eq!(refused_status(app.market.set_test_clock(t0()).await), 403);
    app.finish().await;
}

async fn people_validation(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let url = "/api/v1/departments";
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
        let (s, v) = app.request(Method::POST, url, Some(&tok), Some(body)).await;
        assert_eq!(s, status, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (s, v) = app
        .request(
            Method::POST,
            url,
            Some(&tok),
            Some(r#"{"code":"market","name":"重复","kind":"supervision"}"#),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("department_exists"))
    );
    let (s, _) = app
        .request(Method::POST, url, Some(&tok), Some("{\"code\":"))
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        app.count("departments").await,
        4,
        "refused requests wrote nothing"
    );

    let users = "/api/v1/users";
    let cases = [
        (
            r#"{"username":"new1","password":"short","display_name":"x","role":"supervision_staff","department":"market"}"#,
            "password",
        ),
        (
            r#"{"username":"new1","password":"12345678","display_name":"x","role":"supervision_staff","department":"market"}"#,
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
        let (s, v) = app
            .request(Method::POST, users, Some(&tok), Some(body))
            .await;
        assert_eq!(s, 422, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (s, v) = app.request(Method::POST, users, Some(&tok), Some(r#"{"username":"market1","password":"long-enough-1","display_name":"x","role":"supervisor"}"#)).await;
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
    let created = create_api_key(&app.admin, "审批业务系统", "approval").await;
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
    let r = system.get::<Vec<User>>("/api/v1/users").await;
    assert_eq!(refused_status(r), 403);
    // Revoked keys stop working.
    let (s, _) = app
        .request(
            Method::DELETE,
            &format!("/api/v1/api-keys/{}", created.id),
            app.admin.token(),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let r = system
        .create_approval_push(&approval_push(&["market"]), None)
        .await;
    assert_eq!(refused_status(r), 401);
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
    // Failures and locks are security events: audited (by the name typed) and counted.
    let failed = "audit_log WHERE action = 'session.login_failed'";
    assert_eq!(app.count(failed).await, 10);
    let locked = "audit_log WHERE action = 'session.locked'";
    assert_eq!(app.count(locked).await, 2);
    assert_eq!(
        app.count("audit_log WHERE action = 'session.locked' AND actor = 'nobody'")
            .await,
        1
    );
    let (_, metrics) = app.request(Method::GET, "/metrics", None, None).await;
    let metrics = metrics.as_str().unwrap().to_string();
    assert!(
        metrics.contains("shenguan_login_failures_total 10"),
        "{metrics}"
    );
    assert!(
        metrics.contains("shenguan_login_lockouts_total 2"),
        "{metrics}"
    );
    app.finish().await;
}

async fn put_json(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    app.request(Method::PUT, path, token, Some(&body.to_string()))
        .await
}

async fn post_empty(app: &TestApp, path: &str, token: Option<&str>) -> (u16, serde_json::Value) {
    app.request(Method::POST, path, token, None).await
}

/// Changing one's password ends the account's other sessions; an admin's reset ends all of
/// them; a deactivated account cannot sign in, its sessions and streams end, and its history
/// stays; bad input names the field and changes nothing.
async fn password_change_reset_and_deactivation(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let this = login(&app.anon, "market1").await;
    let other = login(&app.anon, "market1").await;
    let me = "/api/v1/me/password";
    let body =
        |cur: &str, new: &str| serde_json::json!({"current_password": cur, "new_password": new});

    let (st, e) = put_json(
        &app,
        me,
        this.token(),
        body("wrong-password", "new-horse-12"),
    )
    .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("current_password"))
    );
    let (st, e) = put_json(&app, me, this.token(), body(PASSWORD, "short")).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("new_password"))
    );
    let (st, e) = put_json(&app, me, this.token(), body(PASSWORD, PASSWORD)).await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("new_password"))
    );
    let (st, e) = put_json(
        &app,
        me,
        this.token(),
        serde_json::json!({"new_password": "x"}),
    )
    .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("current_password")),
        "a missing field is named: {e}"
    );
    assert!(other.me().await.is_ok(), "refused changes sign nobody out");
    let (st, _) = put_json(&app, me, this.token(), body(PASSWORD, "new-horse-12")).await;
    assert_eq!(st, 204);
    assert!(this.me().await.is_ok(), "the session that changed it stays");
    assert_eq!(refused_status(other.me().await), 401);
    assert_eq!(
        refused_status(app.anon.login("market1", PASSWORD).await),
        401
    );
    assert!(app.anon.login("market1", "new-horse-12").await.is_ok());
    // An API key is not a person.
    let created = create_api_key(&app.admin, "系统", "market").await;
    let (st, _) = put_json(&app, me, Some(&created.key), body("a", "new-horse-13")).await;
    assert_eq!(st, 403);

    // Admin reset: only admins; every session of the account ends.
    let users: Vec<User> = app.admin.get("/api/v1/users").await.unwrap();
    let id_of = |name: &str| users.iter().find(|u| u.username == name).unwrap().id;
    let (m2, m1) = (id_of("market2"), id_of("market1"));
    let reset = |id: i64| format!("/api/v1/users/{id}/password");
    let (st, _) = put_json(
        &app,
        &reset(m2),
        this.token(),
        serde_json::json!({"new_password": "reset-horse-1"}),
    )
    .await;
    assert_eq!(st, 403);
    let (st, e) = put_json(
        &app,
        &reset(m2),
        app.admin.token(),
        serde_json::json!({"new_password": "x"}),
    )
    .await;
    assert_eq!(
        (st, e["error"]["field"].as_str()),
        (422, Some("new_password"))
    );
    let (st, _) = put_json(
        &app,
        &reset(999_999),
        app.admin.token(),
        serde_json::json!({"new_password": "reset-horse-1"}),
    )
    .await;
    assert_eq!(st, 404);
    let (st, _) = put_json(
        &app,
        &reset(m2),
        app.admin.token(),
        serde_json::json!({"new_password": "reset-horse-1"}),
    )
    .await;
    assert_eq!(st, 204);
    assert_eq!(refused_status(app.market2.me().await), 401);
    assert!(app.anon.login("market2", "reset-horse-1").await.is_ok());

    // Deactivation: sessions and streams end, sign-in is refused like a wrong password, the
    // history stays; reactivation restores sign-in.
    let mut stream = crate::events::subscribe(&this, None).await;
    let claim = app.push(&["market"]).await.deliveries[0].id;
    this.claim(claim).await.unwrap();
    let (st, _) = post_empty(
        &app,
        &format!("/api/v1/users/{m1}/deactivate"),
        this.token(),
    )
    .await;
    assert_eq!(st, 403);
    let (st, u) = post_empty(
        &app,
        &format!("/api/v1/users/{m1}/deactivate"),
        app.admin.token(),
    )
    .await;
    assert_eq!((st, u["active"].as_bool()), (200, Some(false)));
    assert_eq!(refused_status(this.me().await), 401);
    // The stream first delivers what happened before (the push, the claim), then ends.
    for kind in [event_types::DELIVERY_CREATED, event_types::DELIVERY_CLAIMED] {
        let e = crate::events::next_event(&mut stream, std::time::Duration::from_secs(5)).await;
        assert_eq!(e.map(|e| e.kind).as_deref(), Some(kind));
    }
    crate::events::expect_cut_off(&mut stream, "deactivation").await;
    let refused = app.anon.login("market1", "new-horse-12").await.unwrap_err();
    let wrong = app
        .anon
        .login("market2", "wrong-password")
        .await
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        wrong.to_string(),
        "no hint that the account exists"
    );
    let d = app.supervisor.delivery(claim).await.unwrap();
    assert_eq!(
        d.delivery.claimed_by.as_deref(),
        Some("market1"),
        "history stays"
    );
    let users: Vec<User> = app.admin.get("/api/v1/users").await.unwrap();
    assert!(!users.iter().find(|u| u.id == m1).unwrap().active);
    let admin_id = users.iter().find(|u| u.username == "admin").unwrap().id;
    let (st, e) = post_empty(
        &app,
        &format!("/api/v1/users/{admin_id}/deactivate"),
        app.admin.token(),
    )
    .await;
    assert_eq!(
        (st, e["error"]["code"].as_str()),
        (409, Some("cannot_deactivate_self"))
    );
    let (st, _) = post_empty(&app, "/api/v1/users/999999/deactivate", app.admin.token()).await;
    assert_eq!(st, 404);
    let (st, u) = post_empty(
        &app,
        &format!("/api/v1/users/{m1}/activate"),
        app.admin.token(),
    )
    .await;
    assert_eq!((st, u["active"].as_bool()), (200, Some(true)));
    assert!(app.anon.login("market1", "new-horse-12").await.is_ok());
    for action in ["user.password", "user.deactivate", "user.activate"] {
        assert!(
            app.count(&format!("audit_log WHERE action = '{action}'"))
                .await
                >= 1,
            "{action} audited"
        );
    }
    app.finish().await;
}
