use shenguan::api::*;
use shenguan::client::DeliveryQuery;

use crate::both_backends;
use crate::common::*;

both_backends!(
    claim_rules,
    visibility,
    deadline_instant_is_late_and_sweeper_auto_claims,
    listing_and_paging,
    escalation
);

async fn claim_rules(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let push = app.push(&["market", "health"]).await;
    let d = push.deliveries[0].clone();
    // Supervisors watch; they do not claim. The pushing bureau cannot claim its own push.
    assert_eq!(refused_status(app.supervisor.claim(d.id).await), 403);
    assert_eq!(refused_status(app.approval.claim(d.id).await), 403);
    // Another supervision department does not even see it.
    assert_eq!(refused_status(app.health.claim(d.id).await), 404);
    app.set_clock("2026-11-26T15:30:00+08:00").await;
    let claimed = app.market.claim(d.id).await.unwrap();
    assert_eq!(claimed.status, DeliveryStatus::Claimed);
    assert_eq!(claimed.claimed_by.as_deref(), Some("market1"));
    assert_eq!(claimed.claimed_at, Some(at("2026-11-26T15:30:00+08:00")));
    let e = app.market2.claim(d.id).await.unwrap_err();
    assert_eq!(
        (e.status().unwrap().as_u16(), e.code()),
        (409, Some("already_claimed"))
    );
    assert!(
        e.to_string().contains("market1"),
        "says who claimed it: {e}"
    );
    // Unknown ids and non-numeric ids are 404.
    assert_eq!(refused_status(app.market.claim(999_999).await), 404);
    // The 404 names the record once in each language.
    let (_, v) = app
        .request(
            reqwest::Method::GET,
            "/api/v1/deliveries/999999",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(v["error"]["message"], "未找到推送 / delivery not found");
    let (s, _) = app
        .request(
            reqwest::Method::POST,
            "/api/v1/deliveries/abc/claim",
            app.market.token(),
            Some("{}"),
        )
        .await;
    assert_eq!(s, 404);
    // The audit log recorded who did it.
    let detail = app.market.delivery(d.id).await.unwrap();
    assert!(
        detail
            .history
            .iter()
            .any(|h| h.actor == "market1" && h.action == "delivery.claim")
    );
    app.finish().await;
}

async fn visibility(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let push = app.push(&["market"]).await;
    let id = push.deliveries[0].id;
    assert!(app.market.delivery(id).await.is_ok());
    assert!(
        app.approval.delivery(id).await.is_ok(),
        "the pusher sees its push's deliveries"
    );
    assert!(app.supervisor.delivery(id).await.is_ok());
    assert!(app.duty.delivery(id).await.is_ok());
    assert_eq!(
        refused_status(app.health.delivery(id).await),
        404,
        "another department's record is 404, not 403"
    );
    assert_eq!(
        refused_status(
            app.health
                .get::<Push>(&format!("/api/v1/pushes/{}", push.id))
                .await
        ),
        404
    );
    let page = app
        .health
        .deliveries(&DeliveryQuery::default())
        .await
        .unwrap();
    assert!(page.items.is_empty());
    let q = DeliveryQuery {
        department: Some("market".into()),
        ..Default::default()
    };
    assert_eq!(refused_status(app.health.deliveries(&q).await), 404);
    // The bureau sees its outgoing side.
    let q = DeliveryQuery {
        direction: Some("outgoing".into()),
        ..Default::default()
    };
    assert_eq!(app.approval.deliveries(&q).await.unwrap().items.len(), 1);
    app.finish().await;
}

async fn deadline_instant_is_late_and_sweeper_auto_claims(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Fri 27 Nov 16:00 → Mon 30 is the 1st working day → deadline Tue 1 Dec 00:00.
    app.set_clock("2026-11-27T16:00:00+08:00").await;
    let push = app.push(&["market", "health"]).await;
    let (dm, dh) = (push.deliveries[0].id, push.deliveries[1].id);
    assert_eq!(
        push.deliveries[0].claim_deadline,
        at("2026-12-01T00:00:00+08:00")
    );
    // The weekend and Monday pass; one millisecond before the deadline a claim is in time.
    app.set_clock("2026-11-30T23:59:59.999+08:00").await;
    assert_eq!(
        app.market.delivery(dm).await.unwrap().delivery.status,
        DeliveryStatus::Pending
    );
    app.market.claim(dm).await.unwrap();
    // At the deadline instant: late. Setting the clock swept: auto-claimed.
    app.set_clock("2026-12-01T00:00:00+08:00").await;
    let d = app.health.delivery(dh).await.unwrap().delivery;
    assert_eq!(d.status, DeliveryStatus::AutoClaimed);
    assert_eq!(d.claimed_at, Some(at("2026-12-01T00:00:00+08:00")));
    assert_eq!(d.claimed_by, None);
    let e = app.health.claim(dh).await.unwrap_err();
    assert_eq!(
        (e.status().unwrap().as_u16(), e.code()),
        (409, Some("already_auto_claimed"))
    );
    // The department is held to account, once, in the month the item was received (November),
    // though the deadline passed in December.
    let recs = app.supervisor.accountability("2026-11").await.unwrap();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].department, "health");
    assert_eq!(recs[0].rule, "claim_overdue");
    assert_eq!(recs[0].article, "7(1)1");
    assert_eq!(recs[0].delivery_id, Some(dh));
    assert_eq!(recs[0].item, "食品经营许可");
    assert_eq!(recs[0].occurred_at, at("2026-12-01T00:00:00+08:00"));
    assert!(
        app.supervisor
            .accountability("2026-12")
            .await
            .unwrap()
            .is_empty()
    );
    // Departments see only their own records.
    assert_eq!(app.health.accountability("2026-11").await.unwrap().len(), 1);
    assert!(
        app.market
            .accountability("2026-11")
            .await
            .unwrap()
            .is_empty()
    );
    // Sweeping again changes nothing.
    app.set_clock("2026-12-02T00:00:00+08:00").await;
    assert_eq!(
        app.supervisor
            .accountability("2026-11")
            .await
            .unwrap()
            .len(),
        1
    );
    let r = app.supervisor.accountability("2026-13").await;
    assert_eq!(refused_status(r), 400);
    app.finish().await;
}

async fn listing_and_paging(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Deliveries received on three different days have three different deadlines.
    let mut ids = vec![];
    for day in ["2026-11-26", "2026-11-24", "2026-11-25"] {
        app.set_clock(&format!("{day}T09:00:00+08:00")).await;
        for _ in 0..3 {
            ids.push(app.push(&["market"]).await.deliveries[0].id);
        }
    }
    app.set_clock("2026-11-26T09:30:00+08:00").await;
    let mut seen = vec![];
    let mut q = DeliveryQuery {
        limit: Some(2),
        ..Default::default()
    };
    loop {
        let page = app.market.deliveries(&q).await.unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|d| (d.claim_deadline, d.id)));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 9, "every row once");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "soonest deadline first, then id");
    // The sweeper took the 24th's (deadline 26th 00:00): they are not pending.
    let q = DeliveryQuery {
        status: Some(DeliveryStatus::Pending),
        ..Default::default()
    };
    assert_eq!(app.market.deliveries(&q).await.unwrap().items.len(), 6);
    let q = DeliveryQuery {
        status: Some(DeliveryStatus::AutoClaimed),
        ..Default::default()
    };
    assert_eq!(app.market.deliveries(&q).await.unwrap().items.len(), 3);
    // Supervisors see every department; filter by one.
    app.push(&["health"]).await;
    let all = app
        .supervisor
        .deliveries(&DeliveryQuery {
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 10);
    let q = DeliveryQuery {
        department: Some("health".into()),
        ..Default::default()
    };
    assert_eq!(app.supervisor.deliveries(&q).await.unwrap().items.len(), 1);
    // Bad parameters name themselves.
    for (query, field) in [
        ("status=lost", "status"),
        ("limit=0", "limit"),
        ("limit=x", "limit"),
        ("cursor=%%%", "cursor"),
        ("colour=red", "colour"),
        ("direction=up", "direction"),
    ] {
        let (s, v) = app
            .request(
                reqwest::Method::GET,
                &format!("/api/v1/deliveries?{query}"),
                app.market.token(),
                None,
            )
            .await;
        assert_eq!(s, 400, "{query}");
        assert_eq!(v["error"]["field"], field, "{query}: {v}");
    }
    app.finish().await;
}

async fn escalation(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let d = app.push(&["market"]).await.deliveries[0].clone();
    let r = app.supervisor.escalate(d.id, "  ").await;
    assert_eq!(refused_status(r), 422);
    let esc = app
        .supervisor
        .escalate(d.id, "临近时限仍未认领，请尽快处理")
        .await
        .unwrap();
    assert_eq!(esc.by, "duban1");
    assert_eq!(
        refused_status(app.duty.escalate(d.id, "值班员不能督办").await),
        403
    );
    assert_eq!(
        refused_status(app.health.escalate(d.id, "无关部门").await),
        404
    );
    // Staff escalate upward on their own items.
    app.market
        .escalate(d.id, "信息不全，提请督办")
        .await
        .unwrap();
    let detail = app.market.delivery(d.id).await.unwrap();
    assert!(detail.delivery.escalated);
    assert_eq!(detail.escalations.len(), 2);
    app.finish().await;
}
