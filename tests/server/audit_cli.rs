//! `shenguan audit verify --database URL`, run as an operator would, on both databases.

use std::process::Command;

use crate::audit_chain::{exec, some_history};
use crate::both_backends;
use crate::common::*;

both_backends!(audit_verify_exit_status_names_the_broken_record);

/// (exit code, stdout, stderr) of `shenguan audit verify --database url`.
async fn audit_verify(url: &str) -> (i32, String, String) {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(env!("CARGO_BIN_EXE_shenguan"))
            .args(["audit", "verify", "--database", &url])
            .env_remove("SHENGUAN_DATABASE")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into(),
            String::from_utf8_lossy(&out.stderr).into(),
        )
    })
    .await
    .unwrap()
}

async fn audit_verify_exit_status_names_the_broken_record(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    some_history(&app).await;
    let (n, hash) = shenguan::db::audit::head(&app.state().db).await.unwrap();
    // Against the live server's database.
    let (code, out, err) = audit_verify(&app.db.url).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("{n} records")), "{out}");
    assert!(out.contains(&hash), "{out}");

    exec(
        &app,
        "UPDATE audit_log SET detail = '{\"forged\":true}' WHERE seq = 6",
    )
    .await;
    let (code, out, err) = audit_verify(&app.db.url).await;
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("record 6 does not match its hash"), "{out}");

    // A database that cannot be opened is a failure to check (1), not a verdict; a SQLite
    // file is never created by the check.
    if let Some(dir) = app.db.sqlite_dir() {
        let missing = dir.join("nothing-here.db");
        let (code, out, err) = audit_verify(&format!("sqlite://{}", missing.display())).await;
        assert_eq!(code, 1, "{out}{err}");
        assert!(err.contains("cannot open the database"), "{err}");
        assert!(!missing.exists());
    }
    app.finish().await;
}
