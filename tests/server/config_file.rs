//! `shenguan server --config FILE`, through the real binary: file values applied, a flag or
//! the environment overrides the file, an unknown key names its line, secrets are masked.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// Run the binary with `args` and extra environment variables; (success, stdout, stderr).
fn shenguan(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shenguan"));
    cmd.args(args)
        .env_remove("SHENGUAN_LISTEN")
        .env_remove("SHENGUAN_DATABASE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn config(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("server.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// The line of `--print-config` output for `key`.
fn setting<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in\n{out}"))
}

#[test]
fn file_values_are_applied_and_the_server_runs_on_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("from-config.db");
    let file = config(
        &dir,
        &format!(
            "# a county's settings\nlisten = \"127.0.0.1:0\"\ndatabase = \"sqlite://{}\"\n\
             close-of-business = \"17:30\"\nsession-ttl-hours = 12\ntest-clock = false\n",
            db.display()
        ),
    );
    let (ok, out, err) = shenguan(&["server", "--config", &file, "--print-config"], &[]);
    assert!(ok, "{err}");
    assert!(
        setting(&out, "listen").contains("\"127.0.0.1:0\"  # config file, line 2"),
        "{out}"
    );
    assert!(setting(&out, "close-of-business").contains("\"17:30\"  # config file, line 4"));
    assert!(setting(&out, "session-ttl-hours").starts_with("session-ttl-hours = 12  #"));
    assert!(
        setting(&out, "login-max-failures").ends_with("# default"),
        "{out}"
    );
    // The printed settings are a config file themselves.
    let printed = config(&dir, &out);
    let (ok, again, err) = shenguan(&["server", "--config", &printed, "--print-config"], &[]);
    assert!(ok, "{err}");
    assert!(setting(&again, "close-of-business").contains("\"17:30\""));

    // The server itself starts on the file's listen address and database.
    let mut child = Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args(["server", "--config", &file])
        .env_remove("SHENGUAN_LISTEN")
        .env_remove("SHENGUAN_DATABASE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(line.starts_with("http://127.0.0.1:"), "{line}");
    assert!(
        !line.trim_end().ends_with(":8080"),
        "port 0 from the file, not the default"
    );
    assert!(db.exists(), "the database named in the file was created");
}

#[test]
fn a_flag_and_the_environment_override_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = config(
        &dir,
        "listen = \"127.0.0.1:7000\"\ndatabase = \"sqlite://file.db\"\nsession-ttl-hours = 12\n",
    );
    let (ok, out, err) = shenguan(
        &[
            "server",
            "--config",
            &file,
            "--session-ttl-hours",
            "3",
            "--print-config",
        ],
        &[("SHENGUAN_LISTEN", "127.0.0.1:7001")],
    );
    assert!(ok, "{err}");
    assert_eq!(
        setting(&out, "session-ttl-hours"),
        "session-ttl-hours = 3  # flag"
    );
    assert_eq!(
        setting(&out, "listen"),
        "listen = \"127.0.0.1:7001\"  # environment SHENGUAN_LISTEN"
    );
    assert!(setting(&out, "database").contains("sqlite://file.db"));
}

#[test]
fn unknown_keys_and_bad_values_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = config(&dir, "listen = \"127.0.0.1:0\"\n\nlisten_address = \"x\"\n");
    let (ok, _, err) = shenguan(&["server", "--config", &file, "--print-config"], &[]);
    assert!(!ok);
    assert!(
        err.contains("server.toml:3: unknown key `listen_address`"),
        "{err}"
    );
    assert!(err.contains("known keys: listen, database"), "{err}");
    let file = config(&dir, "session_ttl_hours = 3\n");
    let (ok, _, err) = shenguan(&["server", "--config", &file], &[]);
    assert!(!ok);
    assert!(err.contains(":1: unknown key `session_ttl_hours`"), "{err}");
    assert!(
        err.contains("`session-ttl-hours`"),
        "the spelling is suggested: {err}"
    );
    // A value is checked as the flag's value would be, and the error names its line.
    let file = config(
        &dir,
        "listen = \"127.0.0.1:0\"\nclose-of-business = \"25:00\"\n",
    );
    let (ok, _, err) = shenguan(&["server", "--config", &file], &[]);
    assert!(!ok);
    assert!(err.contains("server.toml:2: `close-of-business`"), "{err}");
    assert!(err.contains("HH:MM"), "{err}");
    let file = config(&dir, "test-clock = \"yes\"\n");
    let (ok, _, err) = shenguan(&["server", "--config", &file], &[]);
    assert!(
        !ok && err.contains(":1: `test-clock`: expected true or false"),
        "{err}"
    );
    let file = config(&dir, "listen = [\n");
    let (ok, _, err) = shenguan(&["server", "--config", &file], &[]);
    assert!(
        !ok && err.contains("server.toml:"),
        "a TOML syntax error names the file: {err}"
    );
    let (ok, _, err) = shenguan(&["server", "--config", "/nonexistent/server.toml"], &[]);
    assert!(!ok && err.contains("/nonexistent/server.toml"), "{err}");
}

#[test]
fn print_config_masks_the_database_password() {
    let dir = tempfile::tempdir().unwrap();
    let file = config(
        &dir,
        "database = \"postgres://shenguan:s3cret-Pw@db.county.local:5432/shenguan?sslmode=require\"\n",
    );
    let (ok, out, err) = shenguan(&["server", "--config", &file, "--print-config"], &[]);
    assert!(ok, "{err}");
    assert!(!out.contains("s3cret-Pw"), "{out}");
    assert!(
        setting(&out, "database")
            .contains("\"postgres://shenguan:***@db.county.local:5432/shenguan?sslmode=require\""),
        "{out}"
    );
    // From the environment too.
    let (ok, out, _) = shenguan(
        &["server", "--print-config"],
        &[("SHENGUAN_DATABASE", "postgres://u:hunter22@h/db")],
    );
    assert!(
        ok && !out.contains("hunter22") && out.contains("postgres://u:***@h/db"),
        "{out}"
    );
}

#[test]
fn completions_and_man_pages_are_generated_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("assets");
    let (ok, listed, err) = shenguan(&["generate", "--out", out.to_str().unwrap()], &[]);
    assert!(ok, "{err}");
    for file in [
        "shenguan.bash",
        "_shenguan",
        "shenguan.fish",
        "shenguan.1",
        "shenguan-server.1",
        "shenguan-admin-backup.1",
        "shenguan-admin-verify-backup.1",
    ] {
        assert!(listed.contains(file), "{file} not in {listed}");
        assert!(out.join(file).is_file(), "{file} not written");
    }
    // Written from the flags themselves: a flag is in the completions and the man page.
    let bash = std::fs::read_to_string(out.join("shenguan.bash")).unwrap();
    assert!(bash.contains("--print-config") && bash.contains("verify-backup"));
    let man = std::fs::read_to_string(out.join("shenguan-server.1")).unwrap();
    assert!(man.contains("print\\-config"), "{man}");
    assert!(
        !listed.contains("shenguan-generate"),
        "the packaging command stays hidden"
    );
}
