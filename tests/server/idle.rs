//! Idle sessions end (登录连接超时自动退出, `--session-idle-minutes`): judged from the stored
//! last use, so every instance agrees; the 401 says why; an open event stream is not use.

use std::time::Duration;

use futures::StreamExt;
use shenguan::api::SESSION_IDLE;
use shenguan::client::{Client, ClientError, StreamItem};
use shenguan::server::ServerConfig;

use crate::both_backends;
use crate::common::*;

both_backends!(
    idle_sessions_end_and_say_so,
    last_use_is_shared_by_every_instance,
    last_use_is_written_at_most_once_a_minute,
    an_open_stream_does_not_keep_a_session_alive
);

const IDLE: Duration = Duration::from_secs(30 * 60);

fn idle_config(url: &str) -> ServerConfig {
    ServerConfig {
        session_idle: IDLE,
        stream_recheck: Duration::from_millis(200),
        ..test_config(url)
    }
}

async fn spawn_idle(b: Backend) -> Option<TestApp> {
    let db = TestDb::new(b).await?;
    Some(TestApp::spawn_on(db, idle_config).await)
}

/// Move the server's clock with a fresh admin session (the harness's own admin session would
/// go idle too when the clock jumps).
async fn move_clock(url: &str, t: &str) {
    let admin = login(&Client::new(url, None), "admin").await;
    admin.set_test_clock(at(t)).await.unwrap();
}

#[track_caller]
fn assert_idle_refusal<T: std::fmt::Debug>(r: shenguan::client::Result<T>) {
    match r {
        Err(ClientError::Api { status, body }) => {
            assert_eq!(status, 401);
            assert_eq!(body.error.code, SESSION_IDLE);
            assert!(
                body.error.message.contains("30 分钟") && body.error.message.contains("idle"),
                "{}",
                body.error.message
            );
        }
        other => panic!("expected a session_idle 401, got {other:?}"),
    }
}

async fn idle_sessions_end_and_say_so(b: Backend) {
    let Some(app) = spawn_idle(b).await else {
        return;
    };
    // Logged in at 10:00. Each use within 30 minutes of the last keeps it alive.
    let s = login(&app.anon, "market1").await;
    move_clock(&app.url, "2026-11-26T10:29:00+08:00").await;
    s.me().await.expect("29 minutes after login");
    move_clock(&app.url, "2026-11-26T10:58:00+08:00").await;
    s.me().await.expect("29 minutes after the last use");
    // 30 minutes without use: ended, and the refusal says why.
    move_clock(&app.url, "2026-11-26T11:28:00+08:00").await;
    assert_idle_refusal(s.me().await);
    assert_idle_refusal(s.deliveries(&Default::default()).await);
    // It stays ended; a new login works.
    move_clock(&app.url, "2026-11-26T11:29:00+08:00").await;
    assert_idle_refusal(s.me().await);
    let again = login(&app.anon, "market1").await;
    again.me().await.unwrap();
    // An unknown token is still the plain 401.
    let bogus = app.anon.with_token("sgt_nonsense");
    assert_eq!(
        bogus.me().await.unwrap_err().code(),
        Some("unauthorized"),
        "only idle sessions get session_idle"
    );
    app.finish().await;
}

async fn last_use_is_shared_by_every_instance(b: Backend) {
    let Some(app) = spawn_idle(b).await else {
        return;
    };
    let second = shenguan::server::start(idle_config(&app.db.url), None)
        .await
        .unwrap();
    let b_url = second.url();
    let s_a = login(&app.anon, "market1").await;
    let s_b = Client::new(&b_url, s_a.token().map(String::from));
    let both = |t: &'static str| {
        let (a, b) = (app.url.clone(), b_url.clone());
        async move {
            move_clock(&a, t).await;
            move_clock(&b, t).await;
        }
    };
    // Used on A at 10:20; on B at 10:45 it is 25 minutes idle, not 45.
    both("2026-11-26T10:20:00+08:00").await;
    s_a.me().await.unwrap();
    both("2026-11-26T10:45:00+08:00").await;
    s_b.me().await.expect("B knows of the use on A");
    // Used on B at 10:45; A agrees at 11:10, past its own last sight of the session.
    both("2026-11-26T11:10:00+08:00").await;
    s_a.me().await.expect("A knows of the use on B");
    // Idle on both alike.
    both("2026-11-26T11:41:00+08:00").await;
    assert_idle_refusal(s_a.me().await);
    assert_idle_refusal(s_b.me().await);
    second.shutdown().await;
    app.finish().await;
}

async fn stored_last_use(app: &TestApp, token: &str) -> Option<i64> {
    let hash = shenguan::server::auth::secret_hash(token);
    let sql = "SELECT last_used_at FROM sessions WHERE token_hash = $1";
    let (v,): (Option<i64>,) = match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => sqlx::query_as(sql).bind(hash).fetch_one(p).await,
        shenguan::db::Pool::Postgres(p) => sqlx::query_as(sql).bind(hash).fetch_one(p).await,
    }
    .unwrap();
    v
}

async fn last_use_is_written_at_most_once_a_minute(b: Backend) {
    let Some(app) = spawn_idle(b).await else {
        return;
    };
    let s = login(&app.anon, "market1").await;
    let token = s.token().unwrap().to_string();
    for _ in 0..5 {
        s.me().await.unwrap();
    }
    assert_eq!(
        stored_last_use(&app, &token).await,
        None,
        "uses within a minute of login write nothing"
    );
    move_clock(&app.url, "2026-11-26T10:02:00+08:00").await;
    s.me().await.unwrap();
    let first = stored_last_use(&app, &token).await.expect("recorded");
    assert_eq!(
        first,
        shenguan::domain::to_millis(at("2026-11-26T10:02:00+08:00").into())
    );
    move_clock(&app.url, "2026-11-26T10:02:40+08:00").await;
    for _ in 0..5 {
        s.me().await.unwrap();
    }
    assert_eq!(
        stored_last_use(&app, &token).await,
        Some(first),
        "40 s later: not written again"
    );
    app.finish().await;
}

async fn an_open_stream_does_not_keep_a_session_alive(b: Backend) {
    let Some(app) = spawn_idle(b).await else {
        return;
    };
    let s = login(&app.anon, "market1").await;
    let mut stream = s.events(None);
    assert!(matches!(
        tokio::time::timeout(Duration::from_secs(5), stream.next()).await,
        Ok(Some(StreamItem::Connected))
    ));
    // The stream rechecks every 200 ms; at 10:29 it is still fine.
    move_clock(&app.url, "2026-11-26T10:29:00+08:00").await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    move_clock(&app.url, "2026-11-26T10:31:00+08:00").await;
    // It ends, and the reconnect learns why.
    let mut saw_idle = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while let Ok(Some(item)) = tokio::time::timeout_at(deadline, stream.next()).await {
        match item {
            StreamItem::SessionIdle => {
                saw_idle = true;
                break;
            }
            StreamItem::Reconnecting { .. } | StreamItem::Event(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(saw_idle, "the stream ended with SessionIdle");
    app.finish().await;
}
