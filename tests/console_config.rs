//! Keymap and theme files (including bad ones) and the token file.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use shenguan::console::action::{Command, Context};
use shenguan::console::keymap::{self, Key, Keymap};
use shenguan::console::theme::{self, Theme};

#[test]
fn shipped_keymaps_parse_and_bind_every_command() {
    for (name, _) in keymap::BUILTIN {
        let km = Keymap::load(name).unwrap_or_else(|e| panic!("{e}"));
        for &cmd in Command::ALL {
            assert!(!km.keys(cmd).is_empty(), "{name} binds {}", cmd.name());
        }
    }
    let km = Keymap::default_keymap();
    let k = |code, mods| KeyEvent::new(code, mods);
    assert_eq!(
        km.lookup(Context::Normal, &k(KeyCode::Char('c'), KeyModifiers::NONE)),
        Some(Command::Claim)
    );
    assert_eq!(
        km.lookup(Context::Normal, &k(KeyCode::BackTab, KeyModifiers::SHIFT)),
        Some(Command::PrevPane)
    );
    assert_eq!(
        km.lookup(
            Context::Modal,
            &k(KeyCode::Char('s'), KeyModifiers::CONTROL)
        ),
        Some(Command::Send)
    );
    // `?` arrives with Shift on some terminals.
    assert_eq!(
        km.lookup(Context::Normal, &k(KeyCode::Char('?'), KeyModifiers::SHIFT)),
        Some(Command::Help)
    );
    let vim = Keymap::load("vim").unwrap();
    assert_eq!(
        vim.lookup(Context::Normal, &k(KeyCode::Char('G'), KeyModifiers::SHIFT)),
        Some(Command::End)
    );
    assert_eq!(
        vim.lookup(
            Context::Normal,
            &k(KeyCode::Char('d'), KeyModifiers::CONTROL)
        ),
        Some(Command::PageDown)
    );
}

#[test]
fn every_builtin_is_remappable() {
    let km = Keymap::parse(
        "custom",
        "quit = \"x\"\ncancel = \"ctrl-g\"\nsend = \"ctrl-x\"\nconfirm = \"y\"\nclaim = [\"space\"]\n",
    )
    .unwrap();
    let k = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    assert_eq!(km.lookup(Context::Normal, &k(' ')), Some(Command::Claim));
    assert_eq!(km.lookup(Context::Normal, &k('x')), Some(Command::Quit));
    assert_eq!(
        km.lookup(Context::Normal, &k('q')),
        None,
        "q is not bound any more"
    );
    assert_eq!(km.describe(Command::Claim), "Space");
}

#[test]
fn bad_keymaps_name_line_and_action() {
    let unknown = "quit = [\"q\"]\ncancel = [\"esc\"]\n\nclam = [\"c\"]\n";
    let e = Keymap::parse("bad.toml", unknown).unwrap_err();
    assert_eq!(e.line, Some(4));
    assert_eq!(e.action.as_deref(), Some("clam"));
    let msg = e.to_string();
    assert!(msg.contains("line 4") && msg.contains("clam"), "{msg}");

    let bad_key = "quit = [\"q\"]\ncancel = [\"esc\"]\nclaim = [\"ctrl-\", \"hyper-c\"]\n";
    let e = Keymap::parse("bad.toml", bad_key).unwrap_err();
    assert_eq!((e.line, e.action.as_deref()), (Some(3), Some("claim")));

    let dup = "quit = [\"q\"]\ncancel = [\"esc\"]\nclaim = [\"c\"]\nreply = [\"r\", \"c\"]\n";
    let e = Keymap::parse("bad.toml", dup).unwrap_err();
    assert_eq!((e.line, e.action.as_deref()), (Some(4), Some("reply")));
    assert!(
        e.message.contains("already bound to `claim`"),
        "{}",
        e.message
    );

    // The same key in different contexts is fine (Enter: details vs confirm).
    assert!(
        Keymap::parse(
            "ok",
            "quit = \"q\"\ncancel = \"esc\"\nsend = \"ctrl-s\"\ndetails = \"enter\"\nconfirm = \"enter\"\n"
        )
        .is_ok()
    );

    let syntax = "quit = [\"q\"\ncancel = \"esc\"\n";
    let e = Keymap::parse("bad.toml", syntax).unwrap_err();
    assert!(e.line.is_some(), "{e}");

    let no_quit = "cancel = \"esc\"\nsend = \"ctrl-s\"\nconfirm = \"enter\"\n";
    let e = Keymap::parse("bad.toml", no_quit).unwrap_err();
    assert_eq!(e.action.as_deref(), Some("quit"));
    let no_send = "quit = \"q\"\ncancel = \"esc\"\nconfirm = \"enter\"\n";
    let e = Keymap::parse("bad.toml", no_send).unwrap_err();
    assert_eq!(e.action.as_deref(), Some("send"));

    let not_string = "quit = [\"q\"]\ncancel = [\"esc\"]\nclaim = [3]\n";
    let e = Keymap::parse("bad.toml", not_string).unwrap_err();
    assert_eq!((e.line, e.action.as_deref()), (Some(3), Some("claim")));

    let e = Keymap::load("/nonexistent/keymap.toml").unwrap_err();
    assert!(e.to_string().contains("default, vim, emacs"), "{e}");
}

#[test]
fn key_parsing() {
    assert_eq!(Key::parse("ctrl-s").unwrap().to_string(), "Ctrl-S");
    assert_eq!(Key::parse("shift-tab").unwrap().code, KeyCode::BackTab);
    assert_eq!(Key::parse("F5").unwrap().code, KeyCode::F(5));
    assert_eq!(Key::parse("-").unwrap().code, KeyCode::Char('-'));
    assert_eq!(Key::parse("ctrl--").unwrap().code, KeyCode::Char('-'));
    assert_eq!(Key::parse("shift-a").unwrap().code, KeyCode::Char('A'));
    assert!(Key::parse("f99").is_err());
    assert!(Key::parse("").is_err());
    assert!(Key::parse("nonsense").is_err());
}

#[test]
fn shipped_themes_parse_and_follow_their_rules() {
    for (name, _) in theme::BUILTIN {
        let t = Theme::load(name).unwrap_or_else(|e| panic!("{e}"));
        assert!(!t.ascii);
        let styles = t.styles();
        assert_eq!(styles.len(), Theme::roles().len());
        for (role, st) in styles {
            let colors = [st.fg, st.bg].into_iter().flatten();
            for c in colors {
                use ratatui::style::Color::*;
                match *name {
                    "default" | "light" => assert!(
                        !matches!(c, Indexed(_) | Rgb(..)),
                        "{name}.{role} uses only the 16 ANSI colours"
                    ),
                    "256" => assert!(!matches!(c, Rgb(..)), "{name}.{role}"),
                    "mono" => panic!("mono.{role} has a colour"),
                    _ => {}
                }
            }
        }
    }
    let t = Theme::load("256").unwrap();
    assert_eq!(t.overdue.bg, Some(ratatui::style::Color::Indexed(160)));
}

#[test]
fn bad_themes_are_refused() {
    let e = Theme::parse("x", "[styles]\noverdue = { fg = \"reddish\" }\n").unwrap_err();
    assert!(
        e.to_string().contains("reddish") && e.to_string().contains("overdue"),
        "{e}"
    );
    let e = Theme::parse("x", "[styles]\nurgnet = { fg = \"red\" }\n").unwrap_err();
    assert!(e.to_string().contains("urgnet"), "{e}");
    let e = Theme::parse("x", "[styles]\nurgent = { fg = 300 }\n").unwrap_err();
    assert!(e.to_string().contains("300"), "{e}");
    let e = Theme::parse("x", "[styles]\nurgent = { modifiers = [\"sparkly\"] }\n").unwrap_err();
    assert!(e.to_string().contains("sparkly"), "{e}");
    let e = Theme::parse("x", "[styles\n").unwrap_err();
    assert!(e.to_string().contains("line 1"), "{e}");
    let t = Theme::parse(
        "x",
        "ascii_borders = true\n[styles]\nurgent = { fg = \"color208\", bg = \"#102030\" }\n",
    )
    .unwrap();
    assert!(t.ascii);
    assert_eq!(t.urgent.fg, Some(ratatui::style::Color::Indexed(208)));
    assert_eq!(
        t.urgent.bg,
        Some(ratatui::style::Color::Rgb(0x10, 0x20, 0x30))
    );
}

#[test]
fn token_file_round_trip_is_private() {
    let dir = tempfile::tempdir().unwrap();
    // The only test in this binary touching the environment.
    unsafe { std::env::set_var("SHENGUAN_CONFIG_DIR", dir.path()) };
    assert_eq!(shenguan::console::config::load_token().unwrap(), None);
    let path = shenguan::console::config::save_token("http://127.0.0.1:8080", "tok-1").unwrap();
    assert!(path.starts_with(dir.path()));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    shenguan::console::config::save_token("http://gov.example:8080", "tok-2").unwrap();
    assert_eq!(
        shenguan::console::config::load_token().unwrap(),
        Some(("http://gov.example:8080".into(), "tok-2".into()))
    );
    std::fs::write(
        dir.path().join("console.toml"),
        "[urgency]\nurgent_minutes = 120\ncritical_minutes = 30\n",
    )
    .unwrap();
    let th = shenguan::console::config::Thresholds::load().unwrap();
    assert_eq!(th.urgent, std::time::Duration::from_secs(7200));
}

#[test]
fn keymaps_and_themes_load_by_name_or_path() {
    assert_eq!(Keymap::load("vim").unwrap().name, "vim");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    std::fs::write(&file, keymap::BUILTIN[0].1).unwrap();
    let path = file.display().to_string();
    assert_eq!(Keymap::load(&path).unwrap().name, path);
    assert!(Theme::load("mono").is_ok());
    std::fs::write(&file, theme::BUILTIN[0].1).unwrap();
    assert!(Theme::load(&path).is_ok());
    // A missing file says what it could not read and which shipped names exist.
    let e = Keymap::load("nope").unwrap_err().to_string();
    assert!(
        e.contains("nope") && e.contains("shipped keymaps: default, vim, emacs"),
        "{e}"
    );
    let e = Theme::load("nope").unwrap_err().to_string();
    assert!(
        e.contains("nope") && e.contains("shipped themes: default, 256, light, mono"),
        "{e}"
    );
}
