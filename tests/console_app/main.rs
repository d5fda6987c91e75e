//! App-state behaviour, without a terminal or a network: every test drives `App::update`.
//!
//! By subject: [`deliveries`], [`filters`], [`dialogs`], [`screen`]; the queue's own unit tests
//! are in `src/console/queue.rs`. The helpers below are shared by all of them.

// Each subject uses some of the imports below.
#![allow(unused_imports)]

#[path = "../support/mod.rs"]
mod support;

mod cases;
mod deliveries;
mod dialogs;
mod draws;
mod duties;
mod filters;
mod joint;
mod letters;
mod licenses;
mod screen;
mod verifications;

pub use chrono::Duration;
pub use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
pub use shenguan::api::{
    Delivery, DeliveryStatus, DisputeStatus, Duty, DutyKind, DutyState, ErrorBody, Event, Page,
    event_types,
};
pub use shenguan::client::StreamItem;
pub use shenguan::console::action::{Action, Command, Effect, RequestError};
pub use shenguan::console::app::{Connection, Mode, Pane, StatusKind};
pub use shenguan::console::config::Thresholds;
pub use shenguan::console::theme::Theme;
pub use shenguan::console::widgets::countdown::{Urgency, format_countdown, urgency};
pub use shenguan::console::{App, Lang};
pub use support::console::{self as fixtures, cst, now};

/// The supervisor's view: every department's deliveries.
pub fn app() -> App {
    fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::supervisor())
}

/// A market-supervision staff member's view: only the market deliveries (101, 108), and the
/// one who claims and replies.
pub fn staff() -> App {
    fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::market_staff())
}

pub fn key(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(k: KeyCode) -> Action {
    Action::Key(KeyEvent::new(k, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn event(id: i64, kind: &str, data: impl serde::Serialize) -> Action {
    Action::Stream(StreamItem::Event(Event {
        id,
        kind: kind.into(),
        at: now(),
        data: serde_json::to_value(data).unwrap(),
    }))
}

pub fn ids(app: &App) -> Vec<i64> {
    (0..app.delivery_count())
        .map(|i| app.delivery(i).unwrap().id)
        .collect()
}

pub fn status(app: &App) -> String {
    app.status
        .as_ref()
        .map(|s| s.text.clone())
        .unwrap_or_default()
}
