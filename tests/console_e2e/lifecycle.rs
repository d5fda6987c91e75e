//! The console's life: a server restart, refusing to start, and a panic.

use std::time::Duration;

use shenguan::api::*;
use shenguan::client::Client;
use shenguan::server::ServerConfig;

use crate::harness::{
    County, Tmux, approval_push, opts, server_config, start_console, tmux_missing,
};
use crate::support::fixtures::{PASSWORD, login_token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_restart_shows_reconnecting_and_resumes_without_gaps_or_repeats() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = County::start(dir.path()).await;
    let tmux = start_console("restart", &c.url, &c.token, dir.path()).await;
    c.approval
        .create_approval_push(&approval_push("重启前的推送", &["market"]), None)
        .await
        .unwrap();
    tmux.wait_for("the first push", Duration::from_secs(5), |s| {
        s.contains("重启前的推送")
    })
    .await;

    // The server goes away: the console says so, and keeps retrying with back-off.
    let addr = c.server.addr;
    c.server.shutdown().await;
    tmux.wait_for("the reconnecting state", Duration::from_secs(10), |s| {
        s.contains("重新连接中")
    })
    .await;

    // It comes back on the same address and database; a push is made at once, most likely
    // before the console's next retry: it must arrive from the durable log (Last-Event-ID).
    let server = shenguan::server::start(server_config(&c.database, &addr.to_string()), None)
        .await
        .unwrap();
    c.approval
        .create_approval_push(&approval_push("重启后的推送", &["market"]), None)
        .await
        .unwrap();
    let screen = tmux
        .wait_for("the resumed stream", Duration::from_secs(20), |s| {
            s.contains("重启后的推送") && s.contains("● 实时")
        })
        .await;
    assert_eq!(
        screen.matches("│     重启前的推送").count(),
        1,
        "nothing twice:\n{screen}"
    );
    assert_eq!(
        screen.matches("│     重启后的推送").count(),
        1,
        "nothing twice:\n{screen}"
    );
    assert!(screen.contains("待认领 2"), "{screen}");
    let pending = c
        .market
        .deliveries(&shenguan::client::DeliveryQuery {
            status: Some(DeliveryStatus::Pending),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(pending.items.len(), 2);
    tmux.keys("q");
    server.shutdown().await;
}

/// A refused token, an unreachable server or a bad keymap stop the console with a clear
/// message before it touches the terminal (these run without one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_to_start_with_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("e2e.db").display());
    shenguan::admin::bootstrap(&db, "admin", "管理员", PASSWORD)
        .await
        .unwrap();
    let cfg = ServerConfig {
        listen: "127.0.0.1:0".into(),
        database: db,
        sweep_interval: Duration::from_secs(3600),
        ..Default::default()
    };
    let server = shenguan::server::start(cfg, None).await.unwrap();
    let url = server.url();

    // The server's clock is this machine's here: the measured skew is tiny.
    let skew = shenguan::console::event_loop::measure_skew(&Client::new(&url, None))
        .await
        .unwrap();
    assert!(skew.num_milliseconds().abs() < 2000, "{skew:?}");

    let e = shenguan::console::run(opts(&url, "not-a-real-token"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("shenguan login"), "{e}");

    // A revoked token: log in, log out, try again.
    let anon = Client::new(&url, None);
    let (admin, token) = login_token(&anon, "admin").await;
    let resp = reqwest::Client::new()
        .delete(format!("{url}/api/v1/sessions/current"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "logout: {}", resp.status());
    assert!(admin.me().await.is_err());
    let mut o = opts(&url, &token);
    o.lang = shenguan::console::Lang::En;
    let e = shenguan::console::run(o).await.unwrap_err().to_string();
    assert!(e.contains("expired or was revoked"), "{e}");

    let bad = dir.path().join("bad-keymap.toml");
    std::fs::write(
        &bad,
        "quit = \"q\"\ncancel = \"esc\"\nclaim = \"c\"\nescalate = \"c\"\n",
    )
    .unwrap();
    let mut o = opts(&url, "whatever");
    o.keymap = Some(bad.display().to_string());
    let e = shenguan::console::run(o).await.unwrap_err().to_string();
    assert!(e.contains("line 4") && e.contains("escalate"), "{e}");

    let mut o = opts(&url, "whatever");
    o.theme = Some("no-such-theme".into());
    let e = shenguan::console::run(o).await.unwrap_err().to_string();
    assert!(e.contains("default, 256, light, mono"), "{e}");

    server.shutdown().await;
    let e = shenguan::console::run(opts(&url, "whatever"))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot reach the server"), "{e}");
}

/// A panic in the console leaves the terminal usable: main screen back, cooked mode (echo and
/// line editing on), and the panic message readable. Debug builds panic on request after the
/// first frame (`SHENGUAN_CONSOLE_TEST_PANIC`); the shell that started the console then checks
/// the terminal with `stty`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_leaves_the_terminal_usable() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = County::start(dir.path()).await;
    let tmux = Tmux {
        socket: format!("shenguan-e2e-panic-{}", std::process::id()),
    };
    let script = format!(
        "RUST_BACKTRACE=0 SHENGUAN_TOKEN={} SHENGUAN_CONFIG_DIR={} SHENGUAN_CONSOLE_TEST_PANIC=1 {} console --server {}; \
         echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e '-*icanon' -e '-*echo' | tr '\\n' ' '; echo; sleep 60",
        c.token,
        dir.path().display(),
        env!("CARGO_BIN_EXE_shenguan"),
        c.url
    );
    let ok = tmux
        .cmd()
        .args([
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "120",
            "-y",
            "40",
            "sh",
            "-c",
            &script,
        ])
        .status()
        .expect("tmux new-session")
        .success();
    assert!(ok, "tmux session starts");
    let screen = tmux
        .wait_for("the console to exit", Duration::from_secs(20), |s| {
            s.contains("EXIT=") && s.contains("icanon")
        })
        .await;
    assert!(
        screen.contains("EXIT=101"),
        "exited by the panic:\n{screen}"
    );
    assert!(
        screen.contains("test panic (SHENGUAN_CONSOLE_TEST_PANIC)"),
        "the panic message is readable:\n{screen}"
    );
    assert!(
        !screen.contains("待认领"),
        "the console's screen is gone (alternate screen left):\n{screen}"
    );
    let modes: Vec<&str> = screen
        .lines()
        .find(|l| l.contains("icanon"))
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(
        modes.contains(&"icanon") && modes.contains(&"echo"),
        "cooked mode restored (not -icanon/-echo): {modes:?}"
    );
    drop(tmux);
    c.server.shutdown().await;
}
