//! Duties in the countdown queue: loaded beside the deliveries, in deadline order, kept live by
//! `duty.*` events, each row tagged with its kind.

use crate::*;

/// Market's "inquiry to answer", due between its two deliveries (101: −20 min, 108: later).
fn inquiry() -> Duty {
    fixtures::duty(
        7,
        DutyKind::InquiryReply,
        "market",
        "关于餐饮油烟排放标准的函询",
        now() + Duration::minutes(10),
    )
}

fn kinds(app: &App) -> Vec<(char, i64)> {
    (0..app.delivery_count())
        .map(|i| match app.queue_item(i).unwrap().as_duty() {
            Some(d) => ('t', d.id),
            None => ('d', app.delivery(i).unwrap().id),
        })
        .collect()
}

#[test]
fn duties_load_beside_deliveries_in_deadline_order() {
    let mut a = staff();
    let before = kinds(&a);
    a.update(Action::Duties {
        page: Ok(Page {
            items: vec![inquiry()],
            next_cursor: None,
        }),
        first: true,
    });
    let after = kinds(&a);
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(&after[..2], &[('d', 101), ('t', 7)], "{after:?}");
    // A fresh load of duties replaces the duties only; the deliveries stay.
    a.update(Action::Duties {
        page: Ok(Page {
            items: vec![],
            next_cursor: None,
        }),
        first: true,
    });
    assert_eq!(kinds(&a), before);
}

#[test]
fn duty_events_add_move_and_remove_rows() {
    let mut a = staff();
    a.update(event(1, event_types::DUTY_CREATED, inquiry()));
    assert!(kinds(&a).contains(&('t', 7)));
    assert!(status(&a).contains("函询待答复"), "{}", status(&a));
    // Another department's duty is not market's to do.
    let mut other = inquiry();
    other.id = 8;
    other.department = "health".into();
    a.update(event(2, event_types::DUTY_CREATED, other));
    assert!(!kinds(&a).contains(&('t', 8)));
    // Overdue: still owed, still shown.
    let mut overdue = inquiry();
    overdue.state = DutyState::Overdue;
    a.update(event(3, event_types::DUTY_OVERDUE, overdue));
    assert!(kinds(&a).contains(&('t', 7)));
    // Lapsed (deemed consent): leaves the queue, with a word in the status line.
    let mut lapsed = inquiry();
    lapsed.state = DutyState::Lapsed;
    a.update(event(4, event_types::DUTY_LAPSED, lapsed));
    assert!(!kinds(&a).contains(&('t', 7)));
    assert!(status(&a).contains("期限已到"), "{}", status(&a));
}

#[test]
fn a_moved_deadline_moves_the_row() {
    let mut a = staff();
    a.update(event(1, event_types::DUTY_CREATED, inquiry()));
    let mut moved = inquiry();
    moved.due = now() + Duration::days(30);
    let changed = shenguan::api::DutyDeadlineChanged {
        duty: moved,
        previous_due: inquiry().due,
        previous_provisional: false,
    };
    a.update(event(2, event_types::DUTY_DEADLINE_CHANGED, changed));
    let k = kinds(&a);
    assert_eq!(k.iter().filter(|x| **x == ('t', 7)).count(), 1, "{k:?}");
    assert_eq!(k.last(), Some(&('t', 7)), "now the latest deadline: {k:?}");
}

#[test]
fn duty_row_is_drawn_with_its_kind() {
    let mut a = staff();
    a.update(event(1, event_types::DUTY_CREATED, inquiry()));
    let screen = fixtures::text(&fixtures::draw(&a, 120, 40));
    // The item column is narrow on a 120-column screen of four panes: the tag comes first.
    assert!(screen.contains("[函询待答复] 关于餐"), "{screen}");
}
