//! The operations console (`shenguan console`): live panes over the server's public API.
//!
//! Structure (after television and gitui): [`action`] (what can happen), [`app`] (state and the
//! pure `update` function), [`ui`], [`panes`] and [`widgets`] (drawing), [`keymap`] and
//! [`theme`] (TOML, remappable), [`i18n`] (zh/en), [`event_loop`] (terminal, server events,
//! tick), [`config`] (token file).

pub mod action;
pub mod app;
pub mod config;
pub mod event_loop;
#[doc(hidden)]
pub mod fixtures;
pub mod i18n;
pub mod keymap;
pub mod panes;
pub mod theme;
pub mod ui;
pub mod widgets;

pub use app::App;
pub use event_loop::run;
pub use i18n::Lang;

/// What `shenguan console` was asked to do.
#[derive(Debug, Clone)]
pub struct ConsoleOptions {
    pub server: String,
    pub token: String,
    /// A CA (PEM) to trust for an `https://` server besides the system's roots.
    pub ca_file: Option<std::path::PathBuf>,
    /// A shipped keymap name (`default`, `vim`, `emacs`) or a file path.
    pub keymap: Option<String>,
    /// A shipped theme name (`default`, `256`, `light`, `mono`) or a file path.
    pub theme: Option<String>,
    pub lang: Lang,
    pub readonly: bool,
    /// ASCII borders, for terminals that draw box characters double-width.
    pub ascii: bool,
}
