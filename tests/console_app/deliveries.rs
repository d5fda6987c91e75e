//! The unclaimed pane: loading, claiming, and live delivery events.

use crate::*;

#[test]
fn starts_on_unclaimed_with_first_row_selected_soonest_first() {
    let a = app();
    assert_eq!(a.focus, Pane::Unclaimed);
    assert_eq!(a.selected_delivery().unwrap().id, 101);
    let deadlines: Vec<_> = (0..a.delivery_count())
        .map(|i| a.delivery(i).unwrap().claim_deadline)
        .collect();
    assert!(deadlines.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn claim_key_requests_claim_and_success_removes_row() {
    let mut a = staff();
    let eff = a.update(key('c'));
    assert_eq!(eff, Some(Effect::Claim { id: 101 }));
    assert!(status(&a).contains("正在认领"));
    // A second press while the request is in flight does not send another.
    assert_eq!(a.update(key('c')), None);
    let mut claimed = a.selected_delivery().unwrap().clone();
    claimed.status = DeliveryStatus::Claimed;
    claimed.claimed_by = Some("li.market".into());
    a.update(Action::Claimed {
        id: 101,
        result: Ok(claimed),
    });
    assert!(!ids(&a).contains(&101));
    assert_eq!(
        a.selected_delivery().unwrap().id,
        108,
        "selection moves to the next row"
    );
    assert!(status(&a).starts_with("已认领"));
}

#[test]
fn refused_claim_shows_the_servers_message() {
    let mut a = staff();
    assert_eq!(a.update(key('c')), Some(Effect::Claim { id: 101 }));
    a.update(Action::Claimed {
        id: 101,
        result: Err(RequestError::Failed(
            "该推送已被认领 / already claimed".into(),
        )),
    });
    let st = a.status.clone().unwrap();
    assert_eq!(st.kind, StatusKind::Error);
    assert!(st.text.contains("该推送已被认领 / already claimed"));
    assert!(ids(&a).contains(&101));
}

#[test]
fn client_error_maps_to_server_message_and_unauthorized() {
    let body: ErrorBody = serde_json::from_str(
        r#"{"error":{"code":"claim_window_closed","message":"认领期限已过 / the claim window has closed"}}"#,
    )
    .unwrap();
    let e = shenguan::client::ClientError::Api {
        status: reqwest::StatusCode::CONFLICT,
        body: body.clone(),
    };
    assert_eq!(
        RequestError::from(e),
        RequestError::Failed("认领期限已过 / the claim window has closed".into())
    );
    let e = shenguan::client::ClientError::Api {
        status: reqwest::StatusCode::UNAUTHORIZED,
        body,
    };
    assert_eq!(RequestError::from(e), RequestError::Unauthorized);
    // An idle-expired session is told apart by its code.
    let idle: ErrorBody = serde_json::from_str(
        r#"{"error":{"code":"session_idle","message":"会话闲置超过 480 分钟已自动结束 / idle"}}"#,
    )
    .unwrap();
    let e = shenguan::client::ClientError::Api {
        status: reqwest::StatusCode::UNAUTHORIZED,
        body: idle,
    };
    assert_eq!(RequestError::from(e), RequestError::SessionIdle);
}

#[test]
fn claimed_event_from_a_colleague_removes_the_row() {
    let mut a = app();
    a.update(key('j'));
    assert_eq!(a.selected_delivery().unwrap().id, 102);
    let mut d = fixtures::deliveries()
        .into_iter()
        .find(|d| d.id == 101)
        .unwrap();
    d.status = DeliveryStatus::Claimed;
    d.claimed_by = Some("li.market".into());
    a.update(event(1, event_types::DELIVERY_CLAIMED, &d));
    assert!(!ids(&a).contains(&101));
    assert_eq!(
        a.selected_delivery().unwrap().id,
        102,
        "the same delivery stays selected"
    );
    assert!(status(&a).contains("li.market"), "{}", status(&a));
}

#[test]
fn created_event_inserts_in_deadline_order_without_refetch() {
    let mut a = app();
    let d = fixtures::delivery(
        500,
        "market",
        "新推送",
        "某公司",
        now() + Duration::minutes(30),
    );
    let eff = a.update(event(5, event_types::DELIVERY_CREATED, &d));
    assert_eq!(eff, None, "no refetch per event");
    let pos = ids(&a).iter().position(|&i| i == 500).unwrap();
    assert_eq!(pos, 1, "between the overdue row and the 40-minute one");
    assert_eq!(
        a.selected_delivery().unwrap().id,
        101,
        "selection stays put"
    );
    assert!(status(&a).contains("新推送"));
}

#[test]
fn events_are_applied_once_even_if_replayed() {
    let mut a = app();
    let d = fixtures::delivery(
        500,
        "market",
        "新推送",
        "某公司",
        now() + Duration::minutes(30),
    );
    a.update(event(7, event_types::DELIVERY_CREATED, &d));
    let mut claimed = d.clone();
    claimed.status = DeliveryStatus::Claimed;
    a.update(event(8, event_types::DELIVERY_CLAIMED, &claimed));
    assert!(!ids(&a).contains(&500));
    // A replay of the creation (id ≤ last seen) must not bring it back.
    a.update(event(7, event_types::DELIVERY_CREATED, &d));
    assert!(!ids(&a).contains(&500));
    assert_eq!(a.last_event_id, Some(8));
}

#[test]
fn staff_ignore_other_departments_deliveries() {
    let mut a = fixtures::app(Lang::Zh, Theme::default_theme(), fixtures::market_staff());
    let before = ids(&a);
    let d = fixtures::delivery(
        600,
        "health",
        "别的部门",
        "某公司",
        now() + Duration::hours(1),
    );
    a.update(event(3, event_types::DELIVERY_CREATED, &d));
    assert_eq!(ids(&a), before);
}

#[test]
fn a_page_does_not_resurrect_a_delivery_claimed_while_loading() {
    let mut a = App::new(
        Lang::En,
        shenguan::console::keymap::Keymap::default_keymap(),
        Theme::default_theme(),
        false,
        now(),
        Some(fixtures::supervisor()),
    );
    let _ = a.startup();
    let all = fixtures::deliveries();
    let eff = a.update(Action::Deliveries {
        page: Ok(Page {
            items: all[..4].to_vec(),
            next_cursor: Some("c1".into()),
        }),
        first: true,
    });
    assert_eq!(
        eff,
        Some(Effect::LoadDeliveries {
            cursor: Some("c1".into())
        })
    );
    assert!(a.queue.loading);
    let mut gone = all[6].clone();
    gone.status = DeliveryStatus::AutoClaimed;
    a.update(event(1, event_types::DELIVERY_AUTO_CLAIMED, &gone));
    let eff = a.update(Action::Deliveries {
        page: Ok(Page {
            items: all[4..].to_vec(),
            next_cursor: None,
        }),
        first: false,
    });
    assert_eq!(eff, None);
    assert!(!a.queue.loading);
    assert_eq!(a.delivery_count(), all.len() - 1);
    assert!(!ids(&a).contains(&gone.id));
}

#[test]
fn unused_delivery_fields_do_not_break_sorting() {
    // Equal deadlines are ordered by id, as the server orders them.
    let mut a = app();
    let dl = cst(2026, 11, 28, 0, 0, 0);
    let d: Delivery = fixtures::delivery(103_000, "market", "同一期限", "某公司", dl);
    a.update(event(1, event_types::DELIVERY_CREATED, &d));
    let same: Vec<i64> = (0..a.delivery_count())
        .map(|i| a.delivery(i).unwrap())
        .filter(|d| d.claim_deadline == dl)
        .map(|d| d.id)
        .collect();
    let mut sorted = same.clone();
    sorted.sort();
    assert_eq!(same, sorted);
    assert_eq!(*same.last().unwrap(), 103_000);
}
