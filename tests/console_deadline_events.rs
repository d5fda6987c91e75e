//! The console follows a re-derived deadline live (`delivery.deadline_changed`,
//! `dispute.deadline_changed`): the row moves to its new place and loses its provisional mark,
//! with no reload and no duplicate.

#[path = "support/mod.rs"]
mod support;

use chrono::Duration;
use shenguan::api::{
    DeliveryDeadlineChanged, DeliveryDeadlines, DisputeDeadline, DisputeDeadlineChanged, Event,
    event_types,
};
use shenguan::client::StreamItem;
use shenguan::console::Lang;
use shenguan::console::action::Action;
use shenguan::console::theme::Theme;
use support::console::{self as fixtures, now};

fn event(id: i64, kind: &str, data: impl serde::Serialize) -> Action {
    Action::Stream(StreamItem::Event(Event {
        id,
        kind: kind.into(),
        at: now(),
        data: serde_json::to_value(data).unwrap(),
    }))
}

#[test]
fn a_moved_deadline_moves_the_row() {
    let mut a = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::supervisor());
    let n = a.delivery_count();
    let first = a.delivery(0).unwrap().clone();
    let mut moved = first.clone();
    moved.claim_deadline = first.claim_deadline + Duration::days(30);
    moved.feedback_deadline = moved.claim_deadline;
    moved.deadline_provisional = false;
    let change = DeliveryDeadlineChanged {
        delivery: moved.clone(),
        previous: DeliveryDeadlines {
            claim_deadline: first.claim_deadline,
            feedback_deadline: first.feedback_deadline,
            deadline_provisional: true,
        },
    };
    a.update(event(900, event_types::DELIVERY_DEADLINE_CHANGED, &change));
    assert_eq!(a.delivery_count(), n, "moved, not duplicated");
    let rows: Vec<_> = (0..n).map(|i| a.delivery(i).unwrap().clone()).collect();
    let row = rows.iter().find(|d| d.id == first.id).unwrap();
    assert_eq!(row.claim_deadline, moved.claim_deadline);
    assert!(!row.deadline_provisional);
    assert!(
        rows.windows(2)
            .all(|w| (w[0].claim_deadline, w[0].id) <= (w[1].claim_deadline, w[1].id)),
        "still soonest first"
    );
    assert_ne!(a.delivery(0).unwrap().id, first.id, "it left the top");
}

#[test]
fn a_moved_answer_due_updates_the_thread() {
    let mut a = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::supervisor());
    let d = fixtures::dispute(
        77,
        101,
        "食品经营许可",
        "market",
        now() + Duration::hours(3),
    );
    a.update(event(900, event_types::DISPUTE_OPENED, &d));
    let n = a.disputes.len();
    let mut later = d.clone();
    later.answer_due = d.answer_due + Duration::days(1);
    let change = DisputeDeadlineChanged {
        dispute: later.clone(),
        previous: DisputeDeadline {
            answer_due: d.answer_due,
            answer_due_provisional: true,
        },
    };
    a.update(event(901, event_types::DISPUTE_DEADLINE_CHANGED, &change));
    assert_eq!(a.disputes.len(), n);
    let got = a.disputes.iter().find(|x| x.id == 77).unwrap();
    assert_eq!(got.answer_due, later.answer_due);
}
