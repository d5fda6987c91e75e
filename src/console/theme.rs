//! Themes: a style per *role* (urgent, overdue, selected, border …), read from TOML.
//!
//! ```toml
//! ascii_borders = false          # optional: `+-|` borders for terminals drawing box chars wide
//! [styles]
//! overdue  = { fg = "red", modifiers = ["bold"] }
//! selected = { fg = "black", bg = "cyan" }
//! ```
//! Colours are ANSI names (`red`, `light_red`, `dark_gray` …), `reset`, or an index `0`–`255`
//! (written as a number, or `"color123"`). `#rrggbb` is accepted for personal themes but none of
//! the shipped ones use it: they must survive SSH and `TERM=screen`.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

pub const BUILTIN: &[(&str, &str)] = &[
    ("default", include_str!("../../themes/default.toml")),
    ("256", include_str!("../../themes/256.toml")),
    ("light", include_str!("../../themes/light.toml")),
    ("mono", include_str!("../../themes/mono.toml")),
];

macro_rules! roles {
    ($( $field:ident ),* $(,)?) => {
        /// The resolved style of every role.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Theme {
            pub name: String,
            /// Draw borders with ASCII `+-|` instead of box-drawing characters.
            pub ascii: bool,
            $( pub $field: Style, )*
        }

        const ROLE_NAMES: &[&str] = &[ $( stringify!($field), )* ];

        impl Theme {
            /// The style of a role by name.
            pub fn role(&self, role: &str) -> Option<Style> {
                match role {
                    $( stringify!($field) => Some(self.$field), )*
                    _ => None,
                }
            }

            fn set_role(&mut self, role: &str, style: Style) -> bool {
                match role {
                    $( stringify!($field) => { self.$field = style; true } )*
                    _ => false,
                }
            }
        }
    };
}

roles! {
    text,
    muted,
    border,
    border_focused,
    title,
    title_focused,
    header,
    selected,
    plenty,
    urgent,
    critical,
    overdue,
    provisional,
    important,
    status_info,
    status_ok,
    status_error,
    connected,
    reconnecting,
    tab_active,
    tab_inactive,
    bar,
    dialog,
    key,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThemeError {
    pub source: String,
    pub message: String,
}

impl fmt::Display for ThemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "theme {}: {}", self.source, self.message)
    }
}

impl std::error::Error for ThemeError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    #[serde(default)]
    ascii_borders: bool,
    #[serde(default)]
    styles: BTreeMap<String, StyleSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StyleSpec {
    #[serde(default)]
    fg: Option<toml::Value>,
    #[serde(default)]
    bg: Option<toml::Value>,
    #[serde(default)]
    modifiers: Vec<String>,
}

/// Parses a colour name, `reset`, an index (`123` or `"color123"`), or `#rrggbb`.
pub fn parse_color(v: &toml::Value) -> Result<Color, String> {
    match v {
        toml::Value::Integer(n) => u8::try_from(*n)
            .map(Color::Indexed)
            .map_err(|_| format!("colour index {n} is not in 0–255")),
        toml::Value::String(s) => {
            let l = s.to_ascii_lowercase().replace(['-', ' '], "_");
            Ok(match l.as_str() {
                "reset" | "default" => Color::Reset,
                "black" => Color::Black,
                "red" => Color::Red,
                "green" => Color::Green,
                "yellow" => Color::Yellow,
                "blue" => Color::Blue,
                "magenta" => Color::Magenta,
                "cyan" => Color::Cyan,
                "gray" | "grey" | "light_gray" => Color::Gray,
                "dark_gray" | "dark_grey" | "bright_black" => Color::DarkGray,
                "light_red" | "bright_red" => Color::LightRed,
                "light_green" | "bright_green" => Color::LightGreen,
                "light_yellow" | "bright_yellow" => Color::LightYellow,
                "light_blue" | "bright_blue" => Color::LightBlue,
                "light_magenta" | "bright_magenta" => Color::LightMagenta,
                "light_cyan" | "bright_cyan" => Color::LightCyan,
                "white" | "bright_white" => Color::White,
                other => {
                    if let Some(n) = other.strip_prefix("color") {
                        let n: u8 = n.parse().map_err(|_| format!("bad colour `{s}`"))?;
                        Color::Indexed(n)
                    } else if let Some(hex) = other.strip_prefix('#')
                        && hex.len() == 6
                        && let Ok(rgb) = u32::from_str_radix(hex, 16)
                    {
                        Color::Rgb((rgb >> 16) as u8, (rgb >> 8) as u8, rgb as u8)
                    } else {
                        return Err(format!("unknown colour `{s}`"));
                    }
                }
            })
        }
        other => Err(format!("bad colour `{other}`")),
    }
}

fn parse_modifier(s: &str) -> Result<Modifier, String> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        "crossed_out" | "strikethrough" => Modifier::CROSSED_OUT,
        "slow_blink" | "blink" => Modifier::SLOW_BLINK,
        other => return Err(format!("unknown modifier `{other}`")),
    })
}

impl Theme {
    /// The shipped default (ANSI-16) theme.
    pub fn default_theme() -> Theme {
        Self::parse("default", BUILTIN[0].1).expect("the shipped default theme is valid")
    }

    /// Loads a shipped theme by name, or a file by path.
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        let (name, src) =
            super::config::shipped_or_file(BUILTIN, name_or_path, "themes").map_err(|message| {
                ThemeError {
                    source: name_or_path.into(),
                    message,
                }
            })?;
        Self::parse(name, &src)
    }

    pub fn parse(source: &str, src: &str) -> Result<Theme, ThemeError> {
        let err = |message: String| ThemeError {
            source: source.into(),
            message,
        };
        let file: ThemeFile = toml::from_str(src).map_err(|e| {
            let line = e
                .span()
                .map(|s| {
                    format!(
                        "line {}: ",
                        src[..s.start.min(src.len())].matches('\n').count() + 1
                    )
                })
                .unwrap_or_default();
            err(format!("{line}{}", e.message().trim()))
        })?;
        let mut theme = Theme {
            name: source.into(),
            ascii: file.ascii_borders,
            ..Theme::default()
        };
        for (role, spec) in file.styles {
            let mut style = Style::default();
            if let Some(fg) = &spec.fg {
                style = style.fg(parse_color(fg).map_err(|m| err(format!("role `{role}`: {m}")))?);
            }
            if let Some(bg) = &spec.bg {
                style = style.bg(parse_color(bg).map_err(|m| err(format!("role `{role}`: {m}")))?);
            }
            for m in &spec.modifiers {
                style = style.add_modifier(
                    parse_modifier(m).map_err(|m| err(format!("role `{role}`: {m}")))?,
                );
            }
            if !theme.set_role(&role, style) {
                return Err(err(format!(
                    "unknown role `{role}` (roles: {})",
                    ROLE_NAMES.join(", ")
                )));
            }
        }
        Ok(theme)
    }

    /// Every role name, for documentation and tests.
    pub fn roles() -> &'static [&'static str] {
        ROLE_NAMES
    }

    /// Every style of the theme with its role name.
    pub fn styles(&self) -> Vec<(&'static str, Style)> {
        ROLE_NAMES
            .iter()
            .map(|r| (*r, self.role(r).unwrap_or_default()))
            .collect()
    }
}
