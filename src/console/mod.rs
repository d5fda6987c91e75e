//! The operations console (`shenguan console`): live panes over the server's public API.
//!
//! Structure (after television and gitui): [`action`] (what can happen), [`model`] (the view
//! models), [`app`] (state in parts and the pure `update` function), [`queue`] (the countdown
//! queue), `input` (keys and paste), [`ui`], [`panes`] and [`widgets`] (drawing), [`keymap`]
//! and [`theme`] (TOML, remappable), [`i18n`] (all interface text, zh/en), [`event_loop`]
//! (terminal, server events, tick), [`config`] (token file). See docs/ARCHITECTURE.md.

pub mod action;
pub mod app;
pub mod config;
pub mod event_loop;
pub mod i18n;
mod input;
pub mod keymap;
pub mod lookup_view;
pub mod model;
pub mod overlays;
pub mod panes;
pub mod queue;
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
