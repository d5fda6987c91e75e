//! The console's files in the user's config directory (`$SHENGUAN_CONFIG_DIR`, or
//! `dirs::config_dir()/shenguan`): the login token (`credentials.toml`, mode 0600) and optional
//! console settings (`console.toml`, the urgency thresholds).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// A shipped file by name (`--keymap vim`, `--theme mono`) or a file on disk by path: the name
/// to report in errors and the text. A file that cannot be read is an error message that also
/// lists the shipped names (`what`: "keymaps", "themes").
pub fn shipped_or_file<'a>(
    shipped: &'a [(&'a str, &'a str)],
    name_or_path: &'a str,
    what: &str,
) -> Result<(&'a str, std::borrow::Cow<'a, str>), String> {
    if let Some((name, src)) = shipped.iter().find(|(n, _)| *n == name_or_path) {
        return Ok((name, (*src).into()));
    }
    match std::fs::read_to_string(name_or_path) {
        Ok(src) => Ok((name_or_path, src.into())),
        Err(e) => {
            let names: Vec<&str> = shipped.iter().map(|(n, _)| *n).collect();
            Err(format!(
                "cannot read: {e} (shipped {what}: {})",
                names.join(", ")
            ))
        }
    }
}

/// The directory holding the console's files.
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(d) = std::env::var_os("SHENGUAN_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    let base = dirs::config_dir()
        .context("no config directory on this system; set SHENGUAN_CONFIG_DIR")?;
    Ok(base.join("shenguan"))
}

fn credentials_path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("credentials.toml"))
}

/// What `shenguan login` saves for the console: the server, the token, and the CA file to
/// trust for an `https://` server with a county's own CA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedLogin {
    pub server: String,
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
}

/// Stores the server URL and token, readable only by the user (mode 0600). Returns the path.
pub fn save_token(server: &str, token: &str) -> anyhow::Result<PathBuf> {
    save_login(&SavedLogin {
        server: server.to_string(),
        token: token.to_string(),
        ca_file: None,
    })
}

/// Stores a login, readable only by the user (mode 0600). Returns the path.
pub fn save_login(login: &SavedLogin) -> anyhow::Result<PathBuf> {
    let path = credentials_path()?;
    let dir = path.parent().context("credentials path has a parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let body = toml::to_string(login)?;
    // Write a fresh 0600 file and rename it over the old one, so the token is never briefly
    // readable by others and a crash never leaves half a file.
    let tmp = dir.join(format!(".credentials.{}.tmp", std::process::id()));
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        f.write_all(body.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// The stored `(server, token)`, if `shenguan login` has been run.
pub fn load_token() -> anyhow::Result<Option<(String, String)>> {
    Ok(load_login()?.map(|l| (l.server, l.token)))
}

/// The stored login, if `shenguan login` has been run.
pub fn load_login() -> anyhow::Result<Option<SavedLogin>> {
    let path = credentials_path()?;
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let login: SavedLogin = toml::from_str(&text)
        .with_context(|| format!("{} is not a credentials file", path.display()))?;
    Ok(Some(login))
}

/// When a countdown turns from "plenty" to "urgent" and "critical".
///
/// The regulation's deadlines are in working days, and "4 working hours" strictly means
/// office hours. The console uses a documented approximation: wall-clock time remaining until
/// the (exactly computed, server-supplied) deadline. Near a deadline — the only time the
/// colours matter — the two agree, because the deadline is the end of a working day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub urgent: Duration,
    pub critical: Duration,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            urgent: Duration::from_secs(4 * 3600),
            critical: Duration::from_secs(3600),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsFile {
    #[serde(default)]
    urgency: Option<UrgencyFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UrgencyFile {
    urgent_minutes: Option<u64>,
    critical_minutes: Option<u64>,
}

impl Thresholds {
    /// Parses `console.toml`: `[urgency] urgent_minutes = 240, critical_minutes = 60`.
    pub fn parse(src: &str) -> anyhow::Result<Thresholds> {
        let f: SettingsFile = toml::from_str(src)?;
        let mut t = Thresholds::default();
        if let Some(u) = f.urgency {
            if let Some(m) = u.urgent_minutes {
                t.urgent = Duration::from_secs(m * 60);
            }
            if let Some(m) = u.critical_minutes {
                t.critical = Duration::from_secs(m * 60);
            }
        }
        anyhow::ensure!(
            t.critical <= t.urgent,
            "critical_minutes must not exceed urgent_minutes"
        );
        Ok(t)
    }

    /// Reads `console.toml` from the config directory; defaults when there is none.
    pub fn load() -> anyhow::Result<Thresholds> {
        let path = config_dir()?.join("console.toml");
        match std::fs::read_to_string(&path) {
            Ok(src) => Self::parse(&src).with_context(|| format!("in {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Thresholds::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}
