//! The server-sent event stream with reconnect and `Last-Event-ID` resume.

use std::pin::Pin;
use std::time::Duration;

use eventsource_stream::Eventsource;
use futures::{Stream, StreamExt};

use crate::api::{Event, StreamReset, event_types};

/// What the stream yields: events, and changes of connection state the UI should show.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamItem {
    Connected,
    Event(Event),
    /// The connection broke (or could not be made); retrying after the given delay.
    Reconnecting {
        after: Duration,
        reason: String,
    },
    /// The server refused the credentials; the stream ends.
    Unauthorized,
    /// The session ended for being idle too long; the stream ends.
    SessionIdle,
    /// The server has no events after the id the stream resumed from (its database was
    /// restored, or it is another server): what the client holds may be stale and must be
    /// reloaded. The stream follows on from `newest`.
    Reset {
        newest: i64,
    },
}

pub struct EventStream {
    inner: Pin<Box<dyn Stream<Item = StreamItem> + Send>>,
}

impl EventStream {
    pub(super) fn new(
        http: reqwest::Client,
        base: String,
        token: Option<String>,
        last: Option<i64>,
        topics: Option<&'static str>,
    ) -> Self {
        let inner = async_stream::stream! {
            let mut last_id = last;
            let mut backoff = Duration::from_millis(250);
            loop {
                let mut rb = http.get(format!("{base}/api/v1/events")).header("Accept", "text/event-stream");
                if let Some(t) = topics {
                    rb = rb.query(&[("topics", t)]);
                }
                if let Some(t) = &token {
                    rb = rb.bearer_auth(t);
                }
                if let Some(id) = last_id {
                    rb = rb.header("Last-Event-ID", id.to_string());
                }
                let reason = match rb.send().await {
                    Ok(resp) if resp.status() == reqwest::StatusCode::UNAUTHORIZED => {
                        let idle = resp
                            .json::<crate::api::ErrorBody>()
                            .await
                            .is_ok_and(|b| b.error.code == crate::api::SESSION_IDLE);
                        yield if idle { StreamItem::SessionIdle } else { StreamItem::Unauthorized };
                        return;
                    }
                    Ok(resp) if resp.status().is_success() => {
                        yield StreamItem::Connected;
                        backoff = Duration::from_millis(250);
                        let mut es = resp.bytes_stream().eventsource();
                        let mut reason = "stream ended".to_string();
                        while let Some(item) = es.next().await {
                            match item {
                                Ok(ev) => {
                                    if ev.event == "keepalive" || ev.data.is_empty() {
                                        continue;
                                    }
                                    if ev.event == event_types::STREAM_RESET {
                                        match serde_json::from_str::<StreamReset>(&ev.data) {
                                            Ok(r) => {
                                                last_id = Some(r.newest);
                                                yield StreamItem::Reset { newest: r.newest };
                                            }
                                            Err(e) => tracing::warn!("undecodable reset: {e}"),
                                        }
                                        continue;
                                    }
                                    match serde_json::from_str::<Event>(&ev.data) {
                                        // Never show an event twice, even if a server replays.
                                        Ok(e) if last_id.is_some_and(|l| e.id <= l) => {}
                                        Ok(e) => {
                                            last_id = Some(e.id);
                                            yield StreamItem::Event(e);
                                        }
                                        Err(e) => tracing::warn!("undecodable event: {e}"),
                                    }
                                }
                                Err(e) => {
                                    reason = e.to_string();
                                    break;
                                }
                            }
                        }
                        reason
                    }
                    Ok(resp) => format!("HTTP {}", resp.status()),
                    Err(e) => super::trust::classify(&e).to_string(),
                };
                yield StreamItem::Reconnecting { after: backoff, reason };
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        };
        Self {
            inner: Box::pin(inner),
        }
    }
}

impl Stream for EventStream {
    type Item = StreamItem;
    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
