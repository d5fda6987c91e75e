//! Filters as you type, and department names arriving while a filter is on.

use crate::*;

#[test]
fn filter_as_you_type_and_clear() {
    let mut a = app();
    a.update(key('/'));
    assert!(matches!(a.mode, Mode::Filter));
    for c in "许可证".chars() {
        a.update(key(c));
    }
    assert_eq!(ids(&a), vec![104]);
    a.update(code(KeyCode::Backspace));
    assert!(ids(&a).len() > 1, "backspace widens the filter");
    a.update(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.pane(Pane::Unclaimed).filter, "许可");
    // Filter by department name and by ASCII, case-insensitively.
    a.update(key('/'));
    a.update(code(KeyCode::Esc));
    assert_eq!(a.delivery_count(), fixtures::deliveries().len());
    a.update(key('/'));
    for c in "JY3".chars() {
        a.update(key(c.to_ascii_lowercase()));
    }
    assert_eq!(a.delivery_count(), fixtures::deliveries().len());
    a.update(code(KeyCode::Esc));
    a.update(key('/'));
    for c in "应急".chars() {
        a.update(key(c));
    }
    assert_eq!(ids(&a), vec![104]);
    // Claim works on the filtered selection (for staff, who may claim).
    let mut a = staff();
    a.update(key('/'));
    for c in "药品".chars() {
        a.update(key(c));
    }
    assert_eq!(ids(&a), vec![108]);
    a.update(code(KeyCode::Enter));
    assert_eq!(a.update(key('c')), Some(Effect::Claim { id: 108 }));
}

#[test]
fn filtered_view_stays_correct_under_live_events() {
    use std::collections::BTreeMap;
    let mut a = app();
    a.update(key('/'));
    for c in "许可".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    // A model of what should be pending: (deadline, id) → delivery.
    let mut model: BTreeMap<_, Delivery> = fixtures::deliveries()
        .into_iter()
        .map(|d| ((d.claim_deadline, d.id), d))
        .collect();
    let titles = [
        "食品经营许可",
        "排污登记",
        "药品零售许可",
        "建筑垃圾处置核准",
    ];
    let mut seed = 7u64;
    let mut rand = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize
    };
    for step in 0..400i64 {
        let r = rand();
        if r % 3 == 0 && !model.is_empty() {
            let k = *model.keys().nth(rand() % model.len()).unwrap();
            let mut d = model.remove(&k).unwrap();
            d.status = DeliveryStatus::Claimed;
            a.update(event(step + 1, event_types::DELIVERY_CLAIMED, &d));
        } else if r % 3 == 1 && !model.is_empty() {
            // A reminder for an existing row: updated in place, not duplicated.
            let k = *model.keys().nth(rand() % model.len()).unwrap();
            let mut d = model[&k].clone();
            d.important = !d.important;
            model.insert(k, d.clone());
            a.update(event(step + 1, event_types::DELIVERY_REMINDER, &d));
        } else {
            let d = fixtures::delivery(
                10_000 + step,
                "market",
                titles[rand() % titles.len()],
                "某公司",
                now() + Duration::minutes((rand() % 600) as i64 - 60),
            );
            model.insert((d.claim_deadline, d.id), d.clone());
            a.update(event(step + 1, event_types::DELIVERY_CREATED, &d));
        }
        let expected: Vec<i64> = model
            .values()
            .filter(|d| d.title.contains("许可"))
            .map(|d| d.id)
            .collect();
        assert_eq!(ids(&a), expected, "step {step}");
        assert_eq!(a.delivery_total(), model.len());
    }
    // Clearing the filter shows everything, in order.
    a.update(code(KeyCode::Esc));
    let all: Vec<i64> = model.values().map(|d| d.id).collect();
    assert_eq!(ids(&a), all);
}

#[test]
fn a_new_department_is_named_as_soon_as_it_is_created() {
    let mut a = app();
    assert_eq!(
        a.department_name("tax"),
        "tax",
        "unknown codes show as codes"
    );
    a.update(event(
        900,
        event_types::DEPARTMENT_CREATED,
        shenguan::api::Department {
            code: "tax".into(),
            name: "税务局".into(),
            kind: shenguan::api::DepartmentKind::Supervision,
        },
    ));
    assert_eq!(a.department_name("tax"), "税务局");
}

#[test]
fn a_filter_on_a_department_name_picks_up_rows_once_the_name_arrives() {
    let tax = || shenguan::api::Department {
        code: "tax".into(),
        name: "税务局".into(),
        kind: shenguan::api::DepartmentKind::Supervision,
    };
    let row = fixtures::delivery(950, "tax", "排污登记", "某公司", now() + Duration::hours(2));
    // A new department's name arrives as an event.
    let mut a = app();
    a.update(event(901, event_types::DELIVERY_CREATED, &row));
    a.update(key('/'));
    for c in "税务".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    assert_eq!(ids(&a), Vec::<i64>::new(), "the code alone does not match");
    a.update(event(902, event_types::DEPARTMENT_CREATED, tax()));
    assert_eq!(ids(&a), vec![950]);
    // Or with the department list (e.g. loaded after the deliveries).
    let mut a = app();
    a.update(event(901, event_types::DELIVERY_CREATED, &row));
    a.update(key('/'));
    for c in "税务".chars() {
        a.update(key(c));
    }
    a.update(code(KeyCode::Enter));
    assert_eq!(ids(&a), Vec::<i64>::new());
    let mut deps = fixtures::departments();
    deps.push(tax());
    a.set_departments(deps);
    assert_eq!(ids(&a), vec![950]);
}
