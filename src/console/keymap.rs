//! Keymaps: every [`Command`] bound to keys in a TOML file (`command = ["key", …]`).
//!
//! The shipped keymaps live in `keymaps/` and are embedded in the binary; a path to any other
//! file works too. A file with an unknown command, an unparseable key or a key bound twice in the
//! same context is refused with the line and the command named: the console does not start with
//! a keymap it would have to guess about.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::{Command, Context};

/// Shipped keymaps, by name.
pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../keymaps/default.toml")),
    ("vim", include_str!("../../keymaps/vim.toml")),
    ("emacs", include_str!("../../keymaps/emacs.toml")),
];

/// One key: a code plus the modifiers that matter (Shift is folded into characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    /// Normalises a terminal key event so it compares equal to the parsed binding.
    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            // Terminals disagree about reporting Shift with symbols and capitals; the character
            // itself already says it.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                // Ctrl-letters arrive lower case on most terminals, upper on some.
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parses `q`, `?`, `ctrl-s`, `alt-x`, `shift-tab`, `enter`, `pagedown`, `f5`, `space`, `-` …
    pub fn parse(s: &str) -> Result<Key, String> {
        if s.is_empty() {
            return Err("empty key".into());
        }
        if s.chars().count() == 1 {
            let c = s.chars().next().unwrap_or(' ');
            return Ok(Key {
                code: KeyCode::Char(c),
                mods: KeyModifiers::NONE,
            });
        }
        let lower = s.to_ascii_lowercase();
        let mut parts: Vec<&str> = lower.split('-').collect();
        // `ctrl--` means Ctrl and the minus key.
        if lower.ends_with("--") {
            parts.truncate(parts.len() - 2);
            parts.push("-");
        }
        let last = parts.pop().unwrap_or_default();
        let mut mods = KeyModifiers::NONE;
        for m in parts {
            match m {
                "ctrl" | "c" => mods |= KeyModifiers::CONTROL,
                "alt" | "a" | "m" | "meta" => mods |= KeyModifiers::ALT,
                "shift" | "s" => mods |= KeyModifiers::SHIFT,
                other => return Err(format!("unknown modifier `{other}` in `{s}`")),
            }
        }
        let code = match last {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" | "ins" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "minus" => KeyCode::Char('-'),
            f if f.starts_with('f')
                && f.len() > 1
                && f[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                let n: u8 = f[1..]
                    .parse()
                    .map_err(|_| format!("bad function key `{s}`"))?;
                if !(1..=24).contains(&n) {
                    return Err(format!("bad function key `{s}`"));
                }
                KeyCode::F(n)
            }
            c if c.chars().count() == 1 => {
                let ch = c.chars().next().unwrap_or(' ');
                if mods.contains(KeyModifiers::SHIFT) && ch.is_ascii_alphabetic() {
                    mods.remove(KeyModifiers::SHIFT);
                    // The original spelling keeps case for plain letters; `shift-a` is `A`.
                    KeyCode::Char(ch.to_ascii_uppercase())
                } else {
                    KeyCode::Char(ch)
                }
            }
            _ => return Err(format!("unknown key `{s}`")),
        };
        if let KeyCode::Char(c) = code
            && mods == KeyModifiers::SHIFT
        {
            return Ok(Key {
                code: KeyCode::Char(c),
                mods: KeyModifiers::NONE,
            });
        }
        Ok(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// A keymap that failed validation; `Display` names the line and the command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    pub source: String,
    pub line: Option<usize>,
    pub action: Option<String>,
    pub message: String,
}

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "keymap {}", self.source)?;
        if let Some(l) = self.line {
            write!(f, " line {l}")?;
        }
        if let Some(a) = &self.action {
            write!(f, " (action `{a}`)")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for KeymapError {}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub name: String,
    bindings: HashMap<(Context, Key), Command>,
    keys: BTreeMap<Command, Vec<Key>>,
}

impl Keymap {
    /// The shipped default keymap.
    pub fn default_keymap() -> Keymap {
        Self::parse("default", BUILTIN[0].1).expect("the shipped default keymap is valid")
    }

    /// Loads a shipped keymap by name, or a file by path.
    pub fn load(name_or_path: &str) -> Result<Keymap, KeymapError> {
        let (name, src) = super::config::shipped_or_file(BUILTIN, name_or_path, "keymaps")
            .map_err(|message| KeymapError {
                source: name_or_path.to_string(),
                line: None,
                action: None,
                message,
            })?;
        Self::parse(name, &src)
    }

    pub fn parse(source: &str, src: &str) -> Result<Keymap, KeymapError> {
        let err = |line: Option<usize>, action: Option<&str>, message: String| KeymapError {
            source: source.to_string(),
            line,
            action: action.map(str::to_string),
            message,
        };
        let line_of = |offset: usize| src[..offset.min(src.len())].matches('\n').count() + 1;
        let table: BTreeMap<String, toml::Spanned<toml::Value>> =
            toml::from_str(src).map_err(|e| {
                let line = e.span().map(|s| line_of(s.start));
                err(line, None, e.message().trim().to_string())
            })?;
        // Report problems in file order, so the first line at fault is named.
        let mut entries: Vec<_> = table.into_iter().collect();
        entries.sort_by_key(|(_, v)| v.span().start);

        let mut bindings = HashMap::new();
        let mut keys: BTreeMap<Command, Vec<Key>> = BTreeMap::new();
        for (name, value) in entries {
            let line = Some(line_of(value.span().start));
            let Some(cmd) = Command::from_name(&name) else {
                return Err(err(line, Some(&name), format!("unknown action `{name}`")));
            };
            let list: Vec<String> = match value.get_ref() {
                toml::Value::String(s) => vec![s.clone()],
                toml::Value::Array(a) => a
                    .iter()
                    .map(|v| match v {
                        toml::Value::String(s) => Ok(s.clone()),
                        other => Err(err(
                            line,
                            Some(&name),
                            format!("keys must be strings, found `{other}`"),
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                other => {
                    return Err(err(
                        line,
                        Some(&name),
                        format!("expected a key or a list of keys, found `{other}`"),
                    ));
                }
            };
            for k in list {
                let key = Key::parse(&k).map_err(|m| err(line, Some(&name), m))?;
                if let Some(prev) = bindings.insert((cmd.context(), key), cmd) {
                    return Err(err(
                        line,
                        Some(&name),
                        format!("key `{k}` is already bound to `{}`", prev.name()),
                    ));
                }
                keys.entry(cmd).or_default().push(key);
            }
        }
        // Without these there is no way out, or no way to send what was typed.
        for required in [
            Command::Quit,
            Command::Cancel,
            Command::Send,
            Command::Confirm,
        ] {
            if keys.get(&required).is_none_or(|k| k.is_empty()) {
                return Err(err(
                    None,
                    Some(required.name()),
                    format!("no key is bound to `{}`", required.name()),
                ));
            }
        }
        Ok(Keymap {
            name: source.to_string(),
            bindings,
            keys,
        })
    }

    /// The command bound to this key in this context, if any.
    pub fn lookup(&self, ctx: Context, ev: &KeyEvent) -> Option<Command> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        self.bindings.get(&(ctx, Key::from_event(ev))).copied()
    }

    pub fn keys(&self, cmd: Command) -> &[Key] {
        self.keys.get(&cmd).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The keys of a command for display, e.g. `j/↓`; empty when unbound.
    pub fn describe(&self, cmd: Command) -> String {
        self.keys(cmd)
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The first key of a command, for the short hint bar.
    pub fn first(&self, cmd: Command) -> Option<String> {
        self.keys(cmd).first().map(Key::to_string)
    }
}
