//! The binary's own commands, run as a user would.

use std::io::Write;
use std::process::{Command, Stdio};

fn shenguan(args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// `shenguan calendar deadline --from FROM --working-days N` followed by `extra`.
fn deadline(from: &str, working_days: &str, extra: &[&str]) -> (bool, String, String) {
    let mut args = vec![
        "calendar",
        "deadline",
        "--from",
        from,
        "--working-days",
        working_days,
    ];
    args.extend_from_slice(extra);
    shenguan(&args, None)
}

#[test]
fn calendar_deadline_prints_json_on_stdout_only() {
    let (ok, out, _) = deadline("2026-09-30T15:00:00+08:00", "1", &["--json"]);
    assert!(ok);
    assert_eq!(
        out,
        "{\"deadline\":\"2026-10-09T00:00:00+08:00\",\"provisional\":false}\n"
    );
    let (ok, out, _) = deadline("2026-12-31T10:00:00+08:00", "10", &["--json"]);
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["provisional"], true);
    let (ok, _, err) = deadline("tomorrow", "1", &[]);
    assert!(!ok);
    assert!(err.contains("--from"), "{err}");
    let (ok, _, err) = deadline("2026-09-30T15:00:00+08:00", "0", &[]);
    assert!(!ok);
    assert!(err.contains("working_days"), "{err}");
}

#[test]
fn bootstrap_once_and_import_a_year() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let bootstrap = |user: &str, pw: &str| {
        shenguan(
            &[
                "admin",
                "bootstrap",
                "--database",
                &db,
                "--username",
                user,
                "--password-stdin",
            ],
            Some(pw),
        )
    };
    let (ok, out, err) = bootstrap("admin", "a-long-password\n");
    assert!(ok, "{err}");
    assert!(out.is_empty(), "nothing but command output on stdout");
    let (ok, _, err) = bootstrap("admin2", "another-password\n");
    assert!(!ok, "a second bootstrap is refused");
    assert!(err.contains("admin already exists"), "{err}");
    // A forgotten admin password is reset on the database; a short one or an unknown user is
    // refused.
    let reset = |user: &str, pw: &str| {
        shenguan(
            &[
                "admin",
                "reset-password",
                "--database",
                &db,
                "--username",
                user,
                "--password-stdin",
            ],
            Some(pw),
        )
    };
    let (ok, _, err) = reset("admin", "short\n");
    assert!(!ok && err.contains("8"), "{err}");
    let (ok, _, err) = reset("nobody", "a-new-long-password\n");
    assert!(!ok && err.contains("no user nobody"), "{err}");
    let (ok, out, err) = reset("admin", "a-new-long-password\n");
    assert!(ok && out.is_empty(), "{err}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let hash: String = rt.block_on(async {
        let db = shenguan::db::Db::connect(&db).await.unwrap();
        let u = shenguan::db::people::user_by_username(&db, "admin")
            .await
            .unwrap()
            .unwrap();
        db.close().await;
        u.password_hash
    });
    assert!(shenguan::server::auth::verify_password(
        "a-new-long-password",
        &hash
    ));
    assert!(!shenguan::server::auth::verify_password(
        "a-long-password",
        &hash
    ));
    let (ok, _, err) = bootstrap("x", "pw\n");
    assert!(!ok, "{err}");

    let file = dir.path().join("2027.json");
    let import = || {
        shenguan(
            &[
                "calendar",
                "import",
                file.to_str().unwrap(),
                "--database",
                &db,
            ],
            None,
        )
    };
    // Half a notice is refused (naming what is missing), a whole one accepted.
    std::fs::write(&file, r#"{"year": 2027, "papers": [], "days": [{"date": "2027-01-01", "name": "元旦", "isOffDay": true}, {"date": "2027-01-04", "name": "元旦", "isOffDay": true}]}"#).unwrap();
    let (ok, _, err) = import();
    assert!(!ok);
    assert!(err.contains("春节") && err.contains("--force"), "{err}");
    std::fs::write(&file, crate::calendar_lifecycle::NOTICE_2027).unwrap();
    let (ok, _, err) = import();
    assert!(ok, "{err}");
    let (ok, out, err) = deadline(
        "2026-12-31T10:00:00+08:00",
        "1",
        &["--json", "--database", &db],
    );
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "{\"deadline\":\"2027-01-06T00:00:00+08:00\",\"provisional\":false}\n"
    );
    std::fs::write(
        &file,
        r#"{"year": 2027, "days": [{"date": "2031-01-01", "name": "x", "isOffDay": true}]}"#,
    )
    .unwrap();
    let (ok, _, err) = import();
    assert!(!ok);
    assert!(err.contains("2031-01-01"), "{err}");
}

/// `shenguan server` with `extra` flags on a fresh SQLite file: refused at start-up?
fn server_refuses(extra: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("flags.db").display());
    let mut args = vec!["server", "--listen", "127.0.0.1:0", "--database", &db];
    args.extend_from_slice(extra);
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A server that starts prints its URL; one that refuses exits with a message.
    let mut line = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    std::io::BufRead::read_line(&mut out, &mut line).unwrap();
    if line.starts_with("http://") {
        child.kill().unwrap();
        child.wait().unwrap();
        return (false, line);
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    (true, String::from_utf8_lossy(&out.stderr).into())
}

#[test]
fn server_settings_are_validated_at_start_up() {
    for (flag, value) in [
        ("--close-of-business", "00:00"),
        ("--close-of-business", "11:59"),
        ("--close-of-business", "24:00"),
        ("--close-of-business", "5pm"),
        ("--sweep-interval-ms", "0"),
        ("--sweep-interval-ms", "86400001"),
        ("--session-ttl-hours", "0"),
        ("--session-ttl-hours", "100000"),
        ("--login-max-failures", "0"),
        ("--login-max-failures", "1000000"),
        ("--login-lockout-minutes", "0"),
        ("--login-lockout-minutes", "100000"),
        ("--idempotency-retention-days", "0"),
        ("--idempotency-retention-days", "100000"),
        ("--remind-at", "03:00"),
        ("--remind-at", "09:00,25:00"),
        ("--remind-at", "09:00,09:00"),
        ("--remind-at", ""),
    ] {
        let (refused, text) = server_refuses(&[flag, value]);
        assert!(refused, "{flag} {value:?} was accepted");
        assert!(text.contains(flag), "{flag} {value:?}: {text}");
    }
    // A reminder at or after the close of business would come after the deadline.
    let (refused, text) =
        server_refuses(&["--close-of-business", "17:30", "--remind-at", "09:00,17:30"]);
    assert!(refused && text.contains("--remind-at"), "{text}");
    // Sensible values start the server.
    for extra in [
        &["--close-of-business", "12:00"][..],
        &[
            "--close-of-business",
            "23:59",
            "--remind-at",
            "08:30,14:00,16:30",
        ],
        &["--remind-at", "off", "--sweep-interval-ms", "250"],
    ] {
        let (refused, text) = server_refuses(extra);
        assert!(!refused, "{extra:?}: {text}");
    }
}
