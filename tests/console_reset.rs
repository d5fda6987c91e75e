//! The console reloads when the event stream says its history is not the server's (issue 8,
//! point 4: a `Last-Event-ID` beyond the newest event, e.g. after a restored backup).

#[path = "support/mod.rs"]
mod support;

use shenguan::api::{Event, event_types};
use shenguan::client::StreamItem;
use shenguan::console::action::{Action, Effect};
use shenguan::console::theme::Theme;
use shenguan::console::{App, Lang};
use support::console::{self as fixtures, now};

fn event(id: i64) -> Action {
    Action::Stream(StreamItem::Event(Event {
        id,
        kind: event_types::DELIVERY_REMINDER.into(),
        at: now(),
        data: serde_json::to_value(&fixtures::deliveries()[0]).unwrap(),
    }))
}

#[test]
fn a_stream_reset_reloads_and_follows_from_the_newest_id() {
    let mut a: App = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::supervisor());
    a.update(event(900));
    assert_eq!(a.last_event_id, Some(900));
    let eff = a.update(Action::Stream(StreamItem::Reset { newest: 40 }));
    assert!(
        matches!(&eff, Some(Effect::Batch(v)) if v.contains(&Effect::LoadDeliveries { cursor: None })),
        "the lists are reloaded: {eff:?}"
    );
    assert_eq!(a.last_event_id, Some(40));
    // Events after the newest id apply again (before the reset, 41 < 900 was ignored).
    a.update(event(41));
    assert_eq!(a.last_event_id, Some(41));
}
