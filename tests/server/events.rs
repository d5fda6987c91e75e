use std::time::Duration;

use futures::StreamExt;
use shenguan::api::*;
use shenguan::client::{EventStream, StreamItem};

use crate::both_backends;
use crate::common::*;

both_backends!(
    live_events_filtered_by_department,
    resume_with_last_event_id,
    reminders_fire_once,
    shutdown_closes_streams,
    revoked_credentials_end_their_streams
);

/// The next event, skipping connection-state items; `None` after `wait` of silence.
pub async fn next_event(s: &mut EventStream, wait: Duration) -> Option<Event> {
    loop {
        match tokio::time::timeout(wait, s.next()).await {
            Ok(Some(StreamItem::Event(e))) => return Some(e),
            Ok(Some(StreamItem::Connected)) => continue,
            Ok(Some(other)) => panic!("unexpected stream item {other:?}"),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Subscribe and wait until the stream is connected (so no event is raced).
pub async fn subscribe(c: &shenguan::client::Client, last: Option<i64>) -> EventStream {
    let mut s = c.events(last);
    match tokio::time::timeout(Duration::from_secs(5), s.next()).await {
        Ok(Some(StreamItem::Connected)) => s,
        other => panic!("stream did not connect: {other:?}"),
    }
}

const WAIT: Duration = Duration::from_secs(5);
const QUIET: Duration = Duration::from_millis(700);

async fn live_events_filtered_by_department(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut market = subscribe(&app.market, None).await;
    let mut health = subscribe(&app.health, None).await;
    let mut sup = subscribe(&app.supervisor, None).await;
    let push = app.push(&["market"]).await;
    let d = &push.deliveries[0];
    let e = next_event(&mut market, WAIT)
        .await
        .expect("market sees its delivery");
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    let got: Delivery = serde_json::from_value(e.data).unwrap();
    assert_eq!(&got, d);
    let e = next_event(&mut sup, WAIT)
        .await
        .expect("supervisors see everything");
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    app.market.claim(d.id).await.unwrap();
    let e = next_event(&mut market, WAIT).await.unwrap();
    assert_eq!(e.kind, event_types::DELIVERY_CLAIMED);
    assert_eq!(e.data["claimed_by"], "market1");
    let dispute = app.market.feedback(d.id, "请核实").await.unwrap();
    assert_eq!(
        next_event(&mut market, WAIT).await.unwrap().kind,
        event_types::DISPUTE_OPENED
    );
    app.approval.reply(dispute.id, "已核实").await.unwrap();
    let e = next_event(&mut market, WAIT).await.unwrap();
    assert_eq!(e.kind, event_types::DISPUTE_REPLIED);
    assert_eq!(e.data["messages"].as_array().unwrap().len(), 2);
    app.supervisor.escalate(d.id, "督办").await.unwrap();
    assert_eq!(
        next_event(&mut market, WAIT).await.unwrap().kind,
        event_types::DELIVERY_ESCALATED
    );
    // Nothing of market's reached health.
    assert_eq!(next_event(&mut health, QUIET).await, None);
    // Supervisor saw all five, in order, ids increasing.
    let mut kinds = vec![];
    let mut last = 0;
    while let Some(e) = next_event(&mut sup, QUIET).await {
        assert!(e.id > last);
        last = e.id;
        kinds.push(e.kind);
    }
    assert_eq!(
        kinds,
        [
            "delivery.claimed",
            "dispute.opened",
            "dispute.replied",
            "delivery.escalated"
        ]
    );
    app.finish().await;
}

async fn resume_with_last_event_id(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut s = subscribe(&app.market, None).await;
    app.push(&["market"]).await;
    let first = next_event(&mut s, WAIT).await.unwrap();
    drop(s);
    // While disconnected: three more for market, one for health.
    let p2 = app.push(&["market"]).await;
    app.push(&["health"]).await;
    app.market.claim(p2.deliveries[0].id).await.unwrap();
    app.push(&["market"]).await;
    let mut s = subscribe(&app.market, Some(first.id)).await;
    let mut got = vec![];
    while let Some(e) = next_event(&mut s, QUIET).await {
        got.push(e);
    }
    let kinds: Vec<_> = got.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["delivery.created", "delivery.claimed", "delivery.created"]
    );
    assert!(got.windows(2).all(|w| w[0].id < w[1].id));
    assert!(
        got.iter()
            .all(|e| e.id > first.id && e.data["department"] == "market")
    );
    // Raw SSE framing: id, event type and JSON data; bad Last-Event-ID is a 400.
    let (s, v) = app
        .request(
            reqwest::Method::GET,
            "/api/v1/events?after=x",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("after")));
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/events", app.url))
        .bearer_auth(app.market.token().unwrap())
        .header("Last-Event-ID", first.id.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/event-stream");
    let mut body = resp.bytes_stream();
    let chunk = tokio::time::timeout(WAIT, body.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(text.contains(&format!("id: {}", got[0].id)), "{text}");
    assert!(text.contains("event: delivery.created"), "{text}");
    app.finish().await;
}

/// Reminders (催办) go out at `--remind-at` (09:00 and 15:00 by default, China time) on the
/// deadline's last working day, once each; never at night.
async fn reminders_fire_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut s = subscribe(&app.market, None).await;
    let d = app.push(&["market"]).await.deliveries[0].clone(); // Thu: deadline Sat 28 Nov 00:00
    assert_eq!(
        next_event(&mut s, WAIT).await.unwrap().kind,
        event_types::DELIVERY_CREATED
    );
    let reminder = |e: Option<Event>, id: i64| {
        let e = e.expect("a reminder");
        assert_eq!(e.kind, event_types::DELIVERY_REMINDER);
        assert_eq!(e.data["id"], id);
    };
    app.set_clock("2026-11-27T08:59:59+08:00").await;
    assert_eq!(next_event(&mut s, QUIET).await, None, "before 09:00");
    app.set_clock("2026-11-27T09:00:00+08:00").await;
    reminder(next_event(&mut s, WAIT).await, d.id);
    app.set_clock("2026-11-27T14:59:00+08:00").await;
    assert_eq!(next_event(&mut s, QUIET).await, None, "once per time");
    app.set_clock("2026-11-27T15:00:00+08:00").await;
    reminder(next_event(&mut s, WAIT).await, d.id);
    app.set_clock("2026-11-27T22:00:00+08:00").await;
    assert_eq!(next_event(&mut s, QUIET).await, None, "never at night");
    app.set_clock("2026-11-28T00:00:00+08:00").await;
    assert_eq!(
        next_event(&mut s, WAIT).await.unwrap().kind,
        event_types::DELIVERY_AUTO_CLAIMED
    );

    // Fri 27 Nov: last working day Mon 30. The clock reaches Monday 16:00 in one step, past
    // both times: one reminder at once, not two.
    app.set_clock("2026-11-27T10:00:00+08:00").await;
    let d = app.push(&["market"]).await.deliveries[0].clone();
    assert_eq!(
        next_event(&mut s, WAIT).await.unwrap().kind,
        event_types::DELIVERY_CREATED
    );
    app.set_clock("2026-11-30T16:00:00+08:00").await;
    reminder(next_event(&mut s, WAIT).await, d.id);
    assert_eq!(
        next_event(&mut s, QUIET).await,
        None,
        "one reminder, not two"
    );
    app.set_clock("2026-11-30T18:00:00+08:00").await;
    assert_eq!(next_event(&mut s, QUIET).await, None);
    app.set_clock("2026-12-01T00:00:00+08:00").await;
    assert_eq!(
        next_event(&mut s, WAIT).await.unwrap().kind,
        event_types::DELIVERY_AUTO_CLAIMED
    );

    // Tue 1 Dec: last working day Wed 2. First seen at 21:00 Wednesday: night, no reminder.
    app.set_clock("2026-12-01T10:00:00+08:00").await;
    app.push(&["market"]).await;
    assert_eq!(
        next_event(&mut s, WAIT).await.unwrap().kind,
        event_types::DELIVERY_CREATED
    );
    app.set_clock("2026-12-02T21:00:00+08:00").await;
    assert_eq!(next_event(&mut s, QUIET).await, None, "never at night");
    app.finish().await;
}

async fn shutdown_closes_streams(b: Backend) {
    let Some(mut app) = TestApp::spawn(b).await else {
        return;
    };
    let mut s = subscribe(&app.market, None).await;
    let server = app.server.take().unwrap();
    tokio::time::timeout(Duration::from_secs(10), server.shutdown())
        .await
        .expect("graceful shutdown does not wait for event streams");
    match tokio::time::timeout(WAIT, s.next()).await {
        Ok(Some(StreamItem::Reconnecting { .. })) => {}
        other => panic!("stream should have ended and be reconnecting: {other:?}"),
    }
    app.finish().await;
}

/// The stream ends (and its reconnect is refused) once its credentials are gone.
pub async fn expect_cut_off(s: &mut EventStream, what: &str) {
    match tokio::time::timeout(WAIT, s.next()).await {
        Ok(Some(StreamItem::Reconnecting { .. })) => {}
        other => panic!("{what}: the stream should have ended: {other:?}"),
    }
    match tokio::time::timeout(WAIT, s.next()).await {
        Ok(Some(StreamItem::Unauthorized)) => {}
        other => panic!("{what}: the reconnect should be refused: {other:?}"),
    }
}

/// Logging out, or revoking an API key, ends the streams opened with that credential at once;
/// everyone else's stream carries on.
async fn revoked_credentials_end_their_streams(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let session = login(&app.anon, "market1").await;
    let mut by_session = subscribe(&session, None).await;
    let created = create_api_key(&app.admin, "市场监管业务系统", "market").await;
    let system = app.anon.with_token(created.key.clone());
    let mut by_key = subscribe(&system, None).await;
    let mut other = subscribe(&app.supervisor, None).await;

    let (status, _) = app
        .request(
            reqwest::Method::DELETE,
            "/api/v1/sessions/current",
            session.token(),
            None,
        )
        .await;
    assert_eq!(status, 204);
    expect_cut_off(&mut by_session, "logout").await;

    // The key's stream still gets its department's events until the key is revoked.
    let push = app.push(&["market"]).await;
    assert_eq!(
        next_event(&mut by_key, WAIT).await.unwrap().kind,
        event_types::DELIVERY_CREATED
    );
    let (status, _) = app
        .request(
            reqwest::Method::DELETE,
            &format!("/api/v1/api-keys/{}", created.id),
            app.admin.token(),
            None,
        )
        .await;
    assert_eq!(status, 204);
    expect_cut_off(&mut by_key, "API key revocation").await;

    // The supervisor's stream was not touched by either revocation.
    let seen = next_event(&mut other, WAIT).await.unwrap();
    assert_eq!(seen.kind, event_types::DELIVERY_CREATED);
    app.market.claim(push.deliveries[0].id).await.unwrap();
    assert_eq!(
        next_event(&mut other, WAIT).await.unwrap().kind,
        event_types::DELIVERY_CLAIMED
    );
    app.finish().await;
}

/// A session that expires while its stream is open: the periodic check ends the stream (this
/// is also how a logout made through another instance reaches this one).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_session_ends_its_stream() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let app = TestApp::spawn_on(db, |url| shenguan::server::ServerConfig {
        session_ttl: Duration::from_secs(8 * 3600),
        stream_recheck: Duration::from_millis(200),
        ..test_config(url)
    })
    .await;
    let session = login(&app.anon, "market1").await;
    let mut s = subscribe(&session, None).await;
    // Still valid a second before expiry: the stream stays open through several checks.
    app.set_clock("2026-11-26T17:59:59+08:00").await;
    assert!(
        next_event(&mut s, Duration::from_millis(700))
            .await
            .is_none()
    );
    let admin = login(&app.anon, "admin").await;
    admin
        .set_test_clock(at("2026-11-26T18:00:00+08:00"))
        .await
        .unwrap();
    expect_cut_off(&mut s, "expiry").await;
    app.finish().await;
}
