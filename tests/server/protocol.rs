//! Protocol edges (issue 8, points 4–5): a `Last-Event-ID` beyond the newest event is
//! answered with a reset the client surfaces, and slow clients cannot hold connections
//! (header read and total request time are bounded; event streams are not cut).

use std::time::{Duration, Instant};

use futures::StreamExt;
use shenguan::api::*;
use shenguan::client::StreamItem;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::both_backends;
use crate::common::*;
use crate::events::next_event;

both_backends!(
    last_event_id_beyond_the_newest_answers_a_reset,
    slow_clients_are_cut_off_but_streams_are_not
);

const WAIT: Duration = Duration::from_secs(5);

async fn last_event_id_beyond_the_newest_answers_a_reset(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.push(&["market"]).await;
    let newest = shenguan::db::events::head(&app.state().db).await.unwrap();
    assert!(newest > 0);
    // Raw HTTP: the first thing on the stream is the reset, with the newest id.
    let resp = reqwest::Client::new()
        .get(format!("{}/api/v1/events", app.url))
        .bearer_auth(app.market.token().unwrap())
        .header("Last-Event-ID", (newest + 1000).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(WAIT, body.next()).await.unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
    }
    assert!(text.contains("event: reset\n"), "{text:?}");
    assert!(text.contains(&format!("id: {newest}\n")), "{text:?}");
    assert!(
        text.contains(&format!("data: {{\"newest\":{newest}}}")),
        "{text:?}"
    );
    drop(body);
    // The typed client surfaces it, then follows on from the newest event.
    let mut s = app.market.events(Some(newest + 1000));
    let first = tokio::time::timeout(WAIT, s.next()).await.unwrap();
    assert_eq!(first, Some(StreamItem::Connected));
    let second = tokio::time::timeout(WAIT, s.next()).await.unwrap();
    assert_eq!(second, Some(StreamItem::Reset { newest }));
    let push = app.push(&["market"]).await;
    let e = next_event(&mut s, WAIT)
        .await
        .expect("events after the reset");
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    assert!(e.id > newest);
    let d: Delivery = serde_json::from_value(e.data).unwrap();
    assert_eq!(d.push_id, push.id);
    // An id the log holds is no reset: the stream resumes after it.
    let mut s = app.market.events(Some(newest));
    assert_eq!(
        tokio::time::timeout(WAIT, s.next()).await.unwrap(),
        Some(StreamItem::Connected)
    );
    let e = next_event(&mut s, WAIT)
        .await
        .expect("the push after newest");
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    app.finish().await;
}

/// How long until the server closes a connection after `sent` (nothing answered).
async fn closed_after(addr: std::net::SocketAddr, sent: &[u8]) -> (Duration, Vec<u8>) {
    let mut sock = tokio::net::TcpStream::connect(addr).await.unwrap();
    sock.write_all(sent).await.unwrap();
    let started = Instant::now();
    let mut got = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), sock.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the connection is still open after 20 s");
    (started.elapsed(), got)
}

async fn slow_clients_are_cut_off_but_streams_are_not(b: Backend) {
    let Some(db) = TestDb::new(b).await else {
        return;
    };
    let app = TestApp::spawn_on(db, |url| shenguan::server::ServerConfig {
        header_read_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        ..test_config(url)
    })
    .await;
    let addr = app.server.as_ref().unwrap().addr;
    // Half a request head, then nothing: closed once the header timeout passes.
    let (t, _) = closed_after(addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await;
    assert!(t < Duration::from_secs(4), "closed after {t:?}");
    // A head in full but a body that never comes: 408 with the JSON error body.
    let token = app.approval.token().unwrap();
    let head = format!(
        "POST /api/v1/approval-pushes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"item"
    );
    let (t, got) = closed_after(addr, head.as_bytes()).await;
    let got = String::from_utf8_lossy(&got);
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("\"request_timeout\""), "{got}");
    assert!(t < Duration::from_secs(5), "answered after {t:?}");
    assert_eq!(app.count("pushes").await, 0);
    // An event stream outlives the request timeout and keeps delivering.
    let mut s = app.market.events(None);
    assert_eq!(
        tokio::time::timeout(WAIT, s.next()).await.unwrap(),
        Some(StreamItem::Connected)
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    app.push(&["market"]).await;
    let e = next_event(&mut s, WAIT)
        .await
        .expect("the stream is still open");
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    app.finish().await;
}
