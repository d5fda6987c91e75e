//! The end-to-end harness: a real server over a fresh SQLite file with two departments, and
//! the real `shenguan console` binary in a tmux pane of its own, read back as text.

use std::process::Command;
use std::time::{Duration, Instant};

use shenguan::api::*;
use shenguan::client::Client;
use shenguan::server::ServerConfig;

use crate::support::fixtures::{
    self, PASSWORD, create_department, create_user, login, login_token,
};
use crate::support::server::init_test_log;

pub struct Tmux {
    pub socket: String,
}

impl Tmux {
    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"]);
        c
    }
    pub fn capture(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "e2e"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    pub fn keys(&self, keys: &str) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "e2e", keys])
            .status()
            .expect("tmux send-keys")
            .success();
        assert!(ok, "send-keys {keys}");
    }
    /// Types text literally (UTF-8, so Chinese works as from an input method).
    pub fn literal(&self, text: &str) {
        let ok = self
            .cmd()
            .args(["send-keys", "-t", "e2e", "-l", text])
            .status()
            .expect("tmux send-keys -l")
            .success();
        assert!(ok, "send-keys -l {text}");
    }
    pub async fn wait_for(
        &self,
        what: &str,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let screen = self.capture();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our own tmux server (its own socket), nothing else.
        let _ = self.cmd().arg("kill-server").status();
    }
}

/// An approval push with the end-to-end company and the item name `item`.
pub fn approval_push(item: &str, recipients: &[&str]) -> NewApprovalPush {
    let mut p = fixtures::approval_push(recipients);
    p.item_name = item.into();
    p.counterparty.name = "高青县端到端餐饮有限公司".into();
    p.license_date = "2026-11-20".parse().unwrap();
    p.valid_until = "2031-11-19".parse().unwrap();
    p
}

/// The console command: the real `shenguan console` binary.
fn console_command(url: &str, token: &str, config_dir: &std::path::Path) -> Vec<String> {
    vec![
        "-e".to_string(),
        format!("SHENGUAN_TOKEN={token}"),
        "-e".to_string(),
        format!("SHENGUAN_CONFIG_DIR={}", config_dir.display()),
        env!("CARGO_BIN_EXE_shenguan").to_string(),
        "console".into(),
        "--server".into(),
        url.to_string(),
    ]
}

/// A real server on port 0 over a fresh SQLite file, with the approval bureau, the market
/// regulator and one person in each.
pub struct County {
    pub server: shenguan::server::RunningServer,
    pub database: String,
    pub url: String,
    pub approval: Client,
    pub market: Client,
    /// market1's token.
    pub token: String,
}

pub fn server_config(database: &str, listen: &str) -> ServerConfig {
    ServerConfig {
        listen: listen.into(),
        database: database.into(),
        sweep_interval: Duration::from_secs(3600),
        ..Default::default()
    }
}

impl County {
    pub async fn start(dir: &std::path::Path) -> County {
        init_test_log();
        let database = format!("sqlite://{}", dir.join("e2e.db").display());
        shenguan::admin::bootstrap(&database, "admin", "管理员", PASSWORD)
            .await
            .unwrap();
        let server = shenguan::server::start(server_config(&database, "127.0.0.1:0"), None)
            .await
            .unwrap();
        let url = server.url();
        let anon = Client::new(&url, None);
        let admin = login(&anon, "admin").await;
        for (code, name, kind) in [
            ("approval", "行政审批服务局", DepartmentKind::Approval),
            ("market", "市场监督管理局", DepartmentKind::Supervision),
        ] {
            create_department(&admin, code, name, kind).await;
        }
        for (username, role, dept) in [
            ("shenpi1", Role::ApprovalStaff, "approval"),
            ("market1", Role::SupervisionStaff, "market"),
        ] {
            create_user(&admin, username, role, Some(dept)).await;
        }
        let approval = login(&anon, "shenpi1").await;
        let (market, token) = login_token(&anon, "market1").await;
        County {
            server,
            database,
            url,
            approval,
            market,
            token,
        }
    }
}

/// The console in a 120×40 tmux pane, started and live.
pub async fn start_console(name: &str, url: &str, token: &str, dir: &std::path::Path) -> Tmux {
    start_console_sized(name, url, token, dir, (120, 40)).await
}

pub async fn start_console_sized(
    name: &str,
    url: &str,
    token: &str,
    dir: &std::path::Path,
    (w, h): (u16, u16),
) -> Tmux {
    let tmux = Tmux {
        socket: format!("shenguan-e2e-{name}-{}", std::process::id()),
    };
    let mut args: Vec<String> = ["new-session", "-d", "-s", "e2e", "-x"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend([w.to_string(), "-y".into(), h.to_string()]);
    args.extend(console_command(url, token, dir));
    let started = Instant::now();
    let ok = tmux
        .cmd()
        .args(&args)
        .status()
        .expect("tmux new-session")
        .success();
    assert!(ok, "tmux session starts");
    tmux.wait_for("the console to start", Duration::from_secs(20), |s| {
        s.contains("待认领") && s.contains("没有待认领的推送")
    })
    .await;
    tmux.wait_for("the event stream", Duration::from_secs(10), |s| {
        s.contains("● 实时")
    })
    .await;
    eprintln!("console up and live after {:?}", started.elapsed());
    tmux
}

/// Without tmux the end-to-end tests cannot run: a failure in CI (`.ci/run` installs tmux),
/// a note elsewhere.
pub fn tmux_missing() -> bool {
    let missing = Command::new("tmux").arg("-V").output().is_err();
    if missing {
        assert!(
            std::env::var("CI").is_err(),
            "CI is set but tmux is missing: the console end-to-end tests must run"
        );
        eprintln!("tmux is not installed: end-to-end console test not run");
    }
    missing
}

pub fn opts(server: &str, token: &str) -> shenguan::console::ConsoleOptions {
    shenguan::console::ConsoleOptions {
        server: server.into(),
        token: token.into(),
        ca_file: None,
        keymap: None,
        theme: None,
        lang: shenguan::console::Lang::Zh,
        readonly: false,
        ascii: false,
    }
}
