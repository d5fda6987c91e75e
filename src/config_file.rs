//! `shenguan server --config FILE`: a TOML file whose keys are the server's long flag names
//! (`listen`, `database`, `close-of-business`, …; kebab-case exactly as on the command line).
//!
//! The keys are not listed anywhere: they are read off the clap definition of `shenguan
//! server`, so a flag added there is a config key at once. A file value is applied by handing
//! it to clap as if it were a flag (`--key=value`), so it goes through the very same value
//! parser and validation as the flag; it is applied only where the flag and its environment
//! variable were not given, which makes the order flag > environment > file > default.
//!
//! `--print-config` prints the effective settings, as a config file with the source of each
//! value, passwords masked, and exits.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::Path;

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::Cli;

/// The subcommand that reads a config file.
const SUBCOMMAND: &str = "server";
/// Flags about reading the configuration, not settings themselves.
const NOT_KEYS: &[&str] = &["config", "print-config", "help", "version"];

/// Parse the command line, with a server's `--config FILE` applied; exits like clap on a
/// usage error, and after printing for `--print-config`.
pub fn parse() -> Cli {
    let argv: Vec<OsString> = std::env::args_os().collect();
    match parse_from(argv) {
        Ok(Parsed::Run(cli)) => *cli,
        Ok(Parsed::Printed(text)) => {
            print!("{text}");
            std::process::exit(0)
        }
        Err(ConfigError::Clap(e)) => e.exit(),
        Err(ConfigError::File(msg)) => {
            eprintln!("错误 / error: {msg}");
            std::process::exit(2)
        }
    }
}

pub enum Parsed {
    Run(Box<Cli>),
    /// `--print-config`: the text to print instead of running.
    Printed(String),
}

#[derive(Debug)]
pub enum ConfigError {
    Clap(clap::Error),
    /// A problem in the config file, naming the file and line.
    File(String),
}

impl From<clap::Error> for ConfigError {
    fn from(e: clap::Error) -> Self {
        ConfigError::Clap(e)
    }
}

/// One key of the file: its value as clap arguments and the line it was on.
struct FileEntry {
    key: String,
    line: usize,
    value: toml::Value,
}

pub fn parse_from(mut argv: Vec<OsString>) -> Result<Parsed, ConfigError> {
    let mut command = Cli::command();
    command.build();
    let matches = command.clone().try_get_matches_from(&argv)?;
    let Some((SUBCOMMAND, sub)) = matches.subcommand() else {
        return Ok(Parsed::Run(Box::new(Cli::from_arg_matches(&matches)?)));
    };
    let server_cmd = command
        .find_subcommand(SUBCOMMAND)
        .expect("the server subcommand exists")
        .clone();
    let mut from_file = BTreeMap::new();
    let final_matches = match sub.get_one::<std::path::PathBuf>("config") {
        None => matches,
        Some(path) => {
            let entries = read_file(path, &server_cmd)?;
            let mut injected = Vec::new();
            for entry in &entries {
                let arg = find_arg(&server_cmd, &entry.key).expect("read_file checked the key");
                let source = sub.value_source(arg.get_id().as_str());
                if matches!(
                    source,
                    Some(ValueSource::CommandLine | ValueSource::EnvVariable)
                ) {
                    continue; // the flag or the environment wins
                }
                let args = as_flags(arg, entry).map_err(|m| at(path, entry, &m))?;
                from_file.insert(arg.get_id().to_string(), entry.line);
                injected.extend(args);
            }
            argv.extend(injected);
            command.try_get_matches_from(&argv).map_err(|e| {
                // Name the file's line when one of its values was refused.
                let culprit = entries.iter().find(|en| {
                    e.get(clap::error::ContextKind::InvalidArg)
                        .is_some_and(|a| a.to_string().starts_with(&format!("--{} ", en.key)))
                });
                match culprit {
                    Some(en) => at(path, en, first_line(&e.to_string())),
                    None => ConfigError::Clap(e),
                }
            })?
        }
    };
    let sub = final_matches
        .subcommand_matches(SUBCOMMAND)
        .expect("still the server subcommand");
    if sub.get_flag("print_config") {
        return Ok(Parsed::Printed(render(&server_cmd, sub, &from_file)));
    }
    Ok(Parsed::Run(Box::new(Cli::from_arg_matches(
        &final_matches,
    )?)))
}

fn first_line(s: &str) -> &str {
    let s = s.lines().next().unwrap_or(s);
    s.strip_prefix("error: ").unwrap_or(s)
}

fn at(path: &Path, entry: &FileEntry, msg: &str) -> ConfigError {
    ConfigError::File(format!(
        "{}:{}: `{}`: {msg}",
        path.display(),
        entry.line,
        entry.key
    ))
}

/// The settings a config file may hold: every long flag of the server command.
pub fn keys(server_cmd: &clap::Command) -> Vec<&clap::Arg> {
    server_cmd
        .get_arguments()
        .filter(|a| a.get_long().is_some_and(|l| !NOT_KEYS.contains(&l)))
        .collect()
}

fn find_arg<'a>(server_cmd: &'a clap::Command, key: &str) -> Option<&'a clap::Arg> {
    keys(server_cmd)
        .into_iter()
        .find(|a| a.get_long() == Some(key))
}

fn read_file(path: &Path, server_cmd: &clap::Command) -> Result<Vec<FileEntry>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::File(format!("{}: {e}", path.display())))?;
    parse_entries(&text, server_cmd)
        .map_err(|m| ConfigError::File(format!("{}:{m}", path.display())))
}

/// The file's keys in order, each checked against the known keys. Errors are `LINE: message`.
fn parse_entries(text: &str, server_cmd: &clap::Command) -> Result<Vec<FileEntry>, String> {
    type Spanned<T> = toml::Spanned<T>;
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let table: BTreeMap<Spanned<String>, Spanned<toml::Value>> =
        toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(s.start)).unwrap_or(1);
            format!("{line}: {}", e.message())
        })?;
    let mut entries: Vec<FileEntry> = table
        .into_iter()
        .map(|(k, v)| FileEntry {
            line: line_of(k.span().start),
            key: k.into_inner(),
            value: v.into_inner(),
        })
        .collect();
    entries.sort_by_key(|e| e.line);
    for e in &entries {
        if find_arg(server_cmd, &e.key).is_none() {
            let hint = match find_arg(server_cmd, &e.key.replace('_', "-")) {
                Some(_) => format!(
                    " (keys are spelt as the flags: `{}`)",
                    e.key.replace('_', "-")
                ),
                None => {
                    let known: Vec<_> = keys(server_cmd)
                        .iter()
                        .filter_map(|a| a.get_long())
                        .collect();
                    format!(" (known keys: {})", known.join(", "))
                }
            };
            return Err(format!("{}: unknown key `{}`{hint}", e.line, e.key));
        }
    }
    Ok(entries)
}

fn is_switch(arg: &clap::Arg) -> bool {
    matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::SetFalse)
}

/// A file value as the command-line arguments that say the same.
fn as_flags(arg: &clap::Arg, entry: &FileEntry) -> Result<Vec<OsString>, String> {
    let key = &entry.key;
    let scalar = |v: &toml::Value| -> Result<String, String> {
        match v {
            toml::Value::String(s) => Ok(s.clone()),
            toml::Value::Integer(i) => Ok(i.to_string()),
            toml::Value::Float(f) => Ok(f.to_string()),
            toml::Value::Boolean(b) => Ok(b.to_string()),
            _ => Err("expected a string, number or boolean".into()),
        }
    };
    if is_switch(arg) {
        return match entry.value {
            toml::Value::Boolean(true) => Ok(vec![format!("--{key}").into()]),
            toml::Value::Boolean(false) => Ok(vec![]),
            _ => Err("expected true or false".into()),
        };
    }
    let values = match &entry.value {
        toml::Value::Array(items) => items.iter().map(scalar).collect::<Result<Vec<_>, _>>()?,
        v => vec![scalar(v)?],
    };
    Ok(values
        .into_iter()
        .map(|v| format!("--{key}={v}").into())
        .collect())
}

/// The effective settings as a config file, each with where it came from.
fn render(
    server_cmd: &clap::Command,
    m: &ArgMatches,
    from_file: &BTreeMap<String, usize>,
) -> String {
    let mut out = String::from(
        "# shenguan server: effective settings (secrets masked)\n\
         # precedence: flag > environment > config file > default\n",
    );
    for arg in keys(server_cmd) {
        let id = arg.get_id().as_str();
        let key = arg.get_long().expect("keys have a long name");
        let source = match (m.value_source(id), from_file.get(id)) {
            (Some(ValueSource::CommandLine), Some(line)) => format!("config file, line {line}"),
            (Some(ValueSource::CommandLine), None) => "flag".into(),
            (Some(ValueSource::EnvVariable), _) => format!(
                "environment {}",
                arg.get_env()
                    .map(|e| e.to_string_lossy())
                    .unwrap_or_default()
            ),
            (Some(ValueSource::DefaultValue), _) => "default".into(),
            _ => "default".into(),
        };
        let raw: Vec<String> = m
            .get_raw(id)
            .map(|vs| vs.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let value = match (is_switch(arg), raw.as_slice()) {
            (true, _) => m.get_flag(id).to_string(),
            (false, []) => {
                out.push_str(&format!("# {key} = (not set)\n"));
                continue;
            }
            (false, [one]) => toml_scalar(&mask(key, one)),
            (false, many) => format!(
                "[{}]",
                many.iter()
                    .map(|v| toml_scalar(&mask(key, v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        out.push_str(&format!("{key} = {value}  # {source}\n"));
    }
    out
}

fn toml_scalar(v: &str) -> String {
    if v.parse::<i64>().is_ok() {
        v.to_string()
    } else {
        toml::Value::String(v.to_string()).to_string()
    }
}

/// Hide secrets in a value: the whole value for a key that names a secret, else the password
/// of a URL (`scheme://user:PASSWORD@host`, `?password=…`).
pub fn mask(key: &str, value: &str) -> String {
    const MASK: &str = "***";
    if ["password", "secret", "token"]
        .iter()
        .any(|w| key.contains(w))
    {
        return MASK.into();
    }
    let mut out = value.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest = scheme_end + 3;
        let authority_end = out[rest..]
            .find(['/', '?', '#'])
            .map(|i| rest + i)
            .unwrap_or(out.len());
        if let Some(at) = out[rest..authority_end].rfind('@').map(|i| rest + i)
            && let Some(colon) = out[rest..at].find(':').map(|i| rest + i)
        {
            out.replace_range(colon + 1..at, MASK);
        }
    }
    if let Some(q) = out.find('?') {
        let (head, query) = out.split_at(q + 1);
        let masked: Vec<String> = query
            .split('&')
            .map(|kv| match kv.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}={MASK}"),
                _ => kv.to_string(),
            })
            .collect();
        out = format!("{head}{}", masked.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_url_passwords_only() {
        assert_eq!(
            mask("database", "postgres://sg:s3cr@t@db:5432/x?sslmode=require"),
            "postgres://sg:***@db:5432/x?sslmode=require"
        );
        assert_eq!(
            mask(
                "database",
                "postgres://sg@db/x?password=abc&sslmode=require"
            ),
            "postgres://sg@db/x?password=***&sslmode=require"
        );
        assert_eq!(
            mask("database", "sqlite:///var/lib/shenguan/a.db"),
            "sqlite:///var/lib/shenguan/a.db"
        );
        assert_eq!(mask("listen", "0.0.0.0:8080"), "0.0.0.0:8080");
        assert_eq!(mask("smtp-password", "x"), "***");
    }

    #[test]
    fn every_server_flag_is_a_key() {
        let mut cmd = Cli::command();
        cmd.build();
        let server = cmd.find_subcommand(SUBCOMMAND).unwrap();
        let keys: Vec<_> = keys(server).iter().filter_map(|a| a.get_long()).collect();
        for k in [
            "listen",
            "database",
            "close-of-business",
            "session-ttl-hours",
            "log-format",
        ] {
            assert!(keys.contains(&k), "{k} missing from {keys:?}");
        }
        assert!(!keys.contains(&"config") && !keys.contains(&"print-config"));
    }
}
