//! HTTPS end to end: the server serving its own certificate (`--tls-cert/--tls-key`), the
//! client trusting a county CA (`--ca-file`), refusals that say which host and why, and
//! certificate renewal by SIGHUP without dropping open streams.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use futures::StreamExt;
use shenguan::api::*;
use shenguan::client::{Client, ClientError, StreamItem, Trust};
use shenguan::server::ServerConfig;
use shenguan::server::tls::TlsFiles;

use crate::both_backends;
use crate::common::*;
use crate::events::{next_event, subscribe};
use crate::tls_support::{TestCa, write_pair};

both_backends!(console_session_and_event_stream_over_https);

const WAIT: Duration = Duration::from_secs(5);

/// A seeded county served over HTTPS with `files`; every client trusts `ca_file`.
async fn spawn_https(db: TestDb, files: TlsFiles, ca_file: &std::path::Path) -> TestApp {
    shenguan::admin::bootstrap(&db.url, "admin", "管理员", PASSWORD)
        .await
        .unwrap();
    let cfg = ServerConfig {
        tls: Some(files),
        ..test_config(&db.url)
    };
    let server = shenguan::server::start(cfg, None).await.unwrap();
    let trust = Trust::with_ca_file(ca_file).unwrap();
    let anon = Client::with_trust(&server.url(), None, &trust).unwrap();
    TestApp::seed_with(server, db, anon).await
}

/// What the console does, over HTTPS: log in, read its lists, follow the live stream, act.
async fn console_session_and_event_stream_over_https(b: Backend) {
    let Some(db) = TestDb::new(b).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("高青县测试 CA");
    let files = ca.write_server(dir.path(), &["localhost", "127.0.0.1"]);
    let app = spawn_https(db, files, &ca.write(dir.path(), "ca.crt")).await;
    assert!(app.url.starts_with("https://127.0.0.1:"), "{}", app.url);

    let me = app.market.me().await.unwrap();
    assert_eq!(me.user.unwrap().username, "market1");
    assert!(app.market.departments().await.unwrap().len() >= 4);
    let mut stream = subscribe(&app.market, None).await;
    let push = app.push(&["market"]).await;
    let d = &push.deliveries[0];
    let e = next_event(&mut stream, WAIT).await.expect("event over TLS");
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    let page = app.market.deliveries(&Default::default()).await.unwrap();
    assert!(page.items.iter().any(|x| x.id == d.id));
    let claimed = app.market.claim(d.id).await.unwrap();
    assert_eq!(claimed.status, DeliveryStatus::Claimed);
    let e = next_event(&mut stream, WAIT).await.expect("claim event");
    assert_eq!(e.kind, event_types::DELIVERY_CLAIMED);

    // The console itself starts over HTTPS with the CA file (its token refused here, so it
    // stops with the session message before touching the terminal — after TLS succeeded).
    let run = |ca_file: Option<std::path::PathBuf>| {
        shenguan::console::run(shenguan::console::ConsoleOptions {
            server: app.url.clone(),
            token: "sgt_not-a-session".into(),
            ca_file,
            keymap: None,
            theme: None,
            lang: shenguan::console::Lang::En,
            readonly: true,
            ascii: false,
        })
    };
    let err = run(Some(dir.path().join("ca.crt"))).await.unwrap_err();
    assert!(
        err.to_string().contains("run `shenguan login` again"),
        "{err:#}"
    );
    let err = run(None).await.unwrap_err().to_string();
    assert!(
        err.contains("certificate") && err.contains("127.0.0.1"),
        "without the CA file the console names the certificate problem: {err}"
    );
    app.finish().await;
}

#[track_caller]
fn tls_refusal<T: std::fmt::Debug>(r: shenguan::client::Result<T>) -> (String, String) {
    match r {
        Err(ClientError::Tls { host, reason }) => (host, reason),
        other => panic!("expected a TLS refusal, got {other:?}"),
    }
}

/// An untrusted, misnamed or expired certificate is refused, and the error names the host
/// and the reason — not "error sending request".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_certificates_are_refused_naming_host_and_reason() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("高青县测试 CA");
    // For the IP address only: "localhost" is the wrong name.
    let files = ca.write_server(dir.path(), &["127.0.0.1"]);
    let ca_file = ca.write(dir.path(), "ca.crt");
    let app = spawn_https(db, files, &ca_file).await;
    let host = app.url.trim_start_matches("https://").to_string();

    // The system's roots do not know the county CA.
    let (h, reason) = tls_refusal(Client::new(&app.url, None).health().await);
    assert_eq!(h, host);
    assert!(
        reason.contains("unknown certificate authority") && reason.contains("--ca-file"),
        "{reason}"
    );
    let shown = Client::new(&app.url, None)
        .login("admin", PASSWORD)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        shown.contains(&host) && shown.contains("certificate"),
        "{shown}"
    );

    // Trusted CA, wrong name.
    let trust = Trust::with_ca_file(&ca_file).unwrap();
    let port = app.url.rsplit(':').next().unwrap();
    let by_name = Client::with_trust(&format!("https://localhost:{port}"), None, &trust).unwrap();
    let (h, reason) = tls_refusal(by_name.health().await);
    assert_eq!(h, format!("localhost:{port}"));
    assert!(reason.contains("not valid for this host name"), "{reason}");

    // The event stream reports the same reason while it retries.
    let mut s = Client::new(&app.url, None).events(None);
    match tokio::time::timeout(WAIT, s.next()).await {
        Ok(Some(StreamItem::Reconnecting { reason, .. })) => {
            assert!(
                reason.contains("certificate") && reason.contains(&host),
                "{reason}"
            )
        }
        other => panic!("expected a reconnect with a reason, got {other:?}"),
    }

    // An expired certificate, put in place by a reload.
    let (cert, key) = ca.server_cert_with(&["127.0.0.1"], |p| {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    });
    write_pair(dir.path(), &cert, &key);
    assert!(app.server.as_ref().unwrap().reload_tls().unwrap());
    let fresh = Client::with_trust(&app.url, None, &trust).unwrap();
    let (_, reason) = tls_refusal(fresh.health().await);
    assert!(reason.contains("expired"), "{reason}");
    app.finish().await;
}

/// `shenguan login --ca-file` over HTTPS saves the CA with the login; without it the refusal
/// names the host and the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_command_over_https_saves_the_ca_file() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("高青县测试 CA");
    let files = ca.write_server(dir.path(), &["127.0.0.1"]);
    let ca_file = ca.write(dir.path(), "ca.crt");
    let app = spawn_https(db, files, &ca_file).await;
    let config = dir.path().join("config");
    let login = |extra: &[&str]| {
        let url = app.url.clone();
        let mut args = vec![
            "login".to_string(),
            "--server".into(),
            url,
            "--user".into(),
            "market1".into(),
            "--password-stdin".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let config = config.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                let mut child = Command::new(env!("CARGO_BIN_EXE_shenguan"))
                    .args(&args)
                    .env("SHENGUAN_CONFIG_DIR", &config)
                    .env_remove("SHENGUAN_CA_FILE")
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                use std::io::Write;
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(PASSWORD.as_bytes())
                    .unwrap();
                let out = child.wait_with_output().unwrap();
                (
                    out.status.success(),
                    String::from_utf8_lossy(&out.stderr).to_string(),
                )
            })
            .await
            .unwrap()
        }
    };
    let (ok, err) = login(&[]).await;
    assert!(!ok);
    let host = app.url.trim_start_matches("https://");
    assert!(
        err.contains(host) && err.contains("unknown certificate authority"),
        "{err}"
    );
    let (ok, err) = login(&["--ca-file", ca_file.to_str().unwrap()]).await;
    assert!(ok, "{err}");
    let saved = std::fs::read_to_string(config.join("credentials.toml")).unwrap();
    assert!(
        saved.contains(&format!("ca_file = \"{}\"", ca_file.display())),
        "{saved}"
    );
    app.finish().await;
}

/// The real binary: SIGHUP re-reads the certificate files; new connections get the new
/// certificate, an open event stream carries on, and a broken file keeps the old one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_certificate_without_dropping_streams() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("tls.db").display());
    shenguan::admin::bootstrap(&database, "admin", "管理员", PASSWORD)
        .await
        .unwrap();
    let old_ca = TestCa::new("旧 CA");
    let new_ca = TestCa::new("新 CA");
    let files = old_ca.write_server(dir.path(), &["127.0.0.1"]);
    let old_trust = Trust::with_ca_file(&old_ca.write(dir.path(), "old.crt")).unwrap();
    let new_trust = Trust::with_ca_file(&new_ca.write(dir.path(), "new.crt")).unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args(["server", "--listen", "127.0.0.1:0", "--database", &database])
        .arg("--tls-cert")
        .arg(&files.cert)
        .arg("--tls-key")
        .arg(&files.key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    stdout.read_line(&mut url).unwrap();
    let url = url.trim().to_string();
    assert!(url.starts_with("https://"), "{url}");

    let anon = Client::with_trust(&url, None, &old_trust).unwrap();
    let admin = anon.with_token(anon.login("admin", PASSWORD).await.unwrap().token);
    let mut stream = subscribe(&admin, None).await;
    // A client that trusts only the new CA is refused before the renewal.
    let fresh = |trust: &Trust| Client::with_trust(&url, None, trust).unwrap();
    tls_refusal(fresh(&new_trust).health().await);

    new_ca.write_server(dir.path(), &["127.0.0.1"]);
    let hup = |pid: &str| {
        let status = Command::new("kill").args(["-HUP", pid]).status().unwrap();
        assert!(status.success());
    };
    hup(&pid);
    let deadline = tokio::time::Instant::now() + WAIT;
    while fresh(&new_trust).health().await.is_err() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "new certificate not served after SIGHUP"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tls_refusal(fresh(&old_trust).health().await);

    // The stream opened under the old certificate still delivers.
    let new_admin = fresh(&new_trust).with_token(admin.token().unwrap());
    create_department(&new_admin, "water", "水利局", DepartmentKind::Supervision).await;
    let e = next_event(&mut stream, WAIT)
        .await
        .expect("the open stream survived the reload");
    assert_eq!(e.kind, event_types::DEPARTMENT_CREATED);

    // A half-written renewal is refused and the current certificate stays.
    std::fs::write(&files.cert, "-----BEGIN CERTIFICATE-----\ngarbage\n").unwrap();
    hup(&pid);
    tokio::time::sleep(Duration::from_millis(300)).await;
    fresh(&new_trust)
        .health()
        .await
        .expect("still serving the last good certificate");

    let _ = Command::new("kill").arg(&pid).status();
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "graceful exit on SIGTERM: {status}");
}

/// The flags are checked before anything starts: a certificate without its key, a file that
/// cannot be read, an idle time of zero.
#[test]
fn tls_and_idle_flags_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("flags.db").display());
    let server = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_shenguan"))
            .args(["server", "--listen", "127.0.0.1:0", "--database", &database])
            .args(extra)
            .env_remove("SHENGUAN_TLS_CERT")
            .env_remove("SHENGUAN_TLS_KEY")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{extra:?} was accepted");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let err = server(&["--tls-cert", "/nonexistent/server.crt"]);
    assert!(err.contains("--tls-key"), "{err}");
    let err = server(&[
        "--tls-cert",
        "/nonexistent/server.crt",
        "--tls-key",
        "/nonexistent/server.key",
    ]);
    assert!(err.contains("cannot read /nonexistent/server.crt"), "{err}");
    let err = server(&["--session-idle-minutes", "0"]);
    assert!(err.contains("--session-idle-minutes"), "{err}");
    assert!(
        !dir.path().join("flags.db").exists(),
        "nothing was created before the flags were checked"
    );
}
