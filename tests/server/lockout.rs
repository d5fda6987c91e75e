//! Login failure handling without denial of service (issue 8, point 6): failures count per
//! username and client address, in the database (shared by instances), slow answers down,
//! leave sessions and other addresses alone, and `shenguan admin unlock` lifts a lock.

use std::net::IpAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(lockout_is_per_address_shared_by_instances_and_unlockable);

/// A login attempt from the local address `from`; the status and how long the answer took.
async fn attempt(
    base: &str,
    from: &str,
    headers: &[(&str, &str)],
    user: &str,
    password: &str,
) -> (u16, Duration) {
    let from: IpAddr = from.parse().unwrap();
    let client = reqwest::Client::builder()
        .local_address(from)
        .build()
        .unwrap();
    let mut rb = client
        .post(format!("{base}/api/v1/sessions"))
        .header("content-type", "application/json");
    for (k, v) in headers {
        rb = rb.header(*k, *v);
    }
    let body = serde_json::json!({"username": user, "password": password}).to_string();
    let started = Instant::now();
    let r = rb.body(body).send().await.unwrap();
    (r.status().as_u16(), started.elapsed())
}

async fn lockout_is_per_address_shared_by_instances_and_unlockable(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // A second instance on the same database; its proxy is trusted to name clients.
    let second = shenguan::server::start(
        shenguan::server::ServerConfig {
            trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
            ..test_config(&app.db.url)
        },
        None,
    )
    .await
    .unwrap();
    let (one, two) = (app.url.clone(), second.url());
    let admin2 = login(&shenguan::client::Client::new(&two, None), "admin").await;
    admin2.set_test_clock(t0()).await.unwrap();
    let delay = app.state().cfg.login_delay;

    // Five wrong passwords for admin from 127.0.0.3, spread over both instances.
    let mut took = Vec::new();
    for i in 0..5 {
        let base = if i % 2 == 0 { &one } else { &two };
        let (status, t) = attempt(base, "127.0.0.3", &[], "admin", "wrong-pass-1").await;
        assert_eq!(status, if i < 4 { 401 } else { 429 }, "try {i}");
        took.push(t);
    }
    // Each failure made the next answer later: 0, 1, 2, 4, 8 × the first delay (on top of
    // the password check's own time).
    assert!(took[4] >= took[0] + delay * 6, "{took:?}");
    let slow = took[4];
    for base in [&one, &two] {
        let (status, _) = attempt(base, "127.0.0.3", &[], "ADMIN", PASSWORD).await;
        assert_eq!(
            status, 429,
            "locked from that address, whatever the case or instance"
        );
    }
    // The administrator is not locked out: another address logs in at once, and the
    // sessions already open keep working.
    let (status, t) = attempt(&one, "127.0.0.4", &[], "admin", PASSWORD).await;
    assert_eq!(status, 201);
    assert!(
        t + delay * 4 < slow,
        "no slowdown for another address: {t:?}"
    );
    let me: Me = app.admin.get("/api/v1/me").await.unwrap();
    assert_eq!(me.role, Role::Admin);
    // Behind a trusted proxy, the client is the one it names.
    let forwarded = [("x-forwarded-for", "198.51.100.7")];
    let (status, _) = attempt(&two, "127.0.0.1", &forwarded, "admin", PASSWORD).await;
    assert_eq!(status, 201);
    let spoofed = [("x-forwarded-for", "198.51.100.7")];
    let (status, _) = attempt(&two, "127.0.0.3", &spoofed, "admin", PASSWORD).await;
    assert_eq!(status, 429, "an untrusted peer cannot name another client");

    // `shenguan admin unlock` lifts the lock on every instance.
    let out = Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args([
            "admin",
            "unlock",
            "--database",
            &app.db.url,
            "--username",
            "Admin",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for base in [&one, &two] {
        let (status, t) = attempt(base, "127.0.0.3", &[], "admin", PASSWORD).await;
        assert_eq!(status, 201);
        assert!(t + delay * 4 < slow, "failures forgotten: {t:?}");
    }
    second.shutdown().await;
    app.finish().await;
}
