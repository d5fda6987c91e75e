//! `GET /api/v1/events`: the live event stream (Server-Sent Events).
//!
//! A subscriber first catches up from the durable log (after `Last-Event-ID`), then follows
//! this instance's broadcast. It subscribes *before* catching up and skips ids it has sent,
//! so nothing is missed and nothing is sent twice. A subscriber that falls behind the
//! broadcast goes back to the log. Only events the caller may see are sent.
//!
//! A stream lives no longer than its credentials: it ends when its session is revoked (logout)
//! or its API key is, at once for a revocation made on this instance and within
//! `stream_recheck` otherwise (another instance, the session's expiry, or its idle time — an
//! open stream is not use), after delivering the events committed before that moment. The
//! client's reconnect then gets a 401.

use std::convert::Infallible;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use crate::api::{StreamReset, event_types};
use crate::events::HubEvent;
use crate::server::error::{AppError, AppResult};

use super::AppState;
use super::auth::{Auth, Credential, still_authenticated};
use super::extract::{Params, bad_param};
use super::redact::Redactor;

/// `json`: the event as this subscriber may see it ([`Redactor::event_json`]).
fn to_sse(ev: &HubEvent, json: String) -> SseEvent {
    SseEvent::default()
        .id(ev.id.to_string())
        .event(ev.kind.clone())
        .data(json)
}

/// The opt-in topics of a stream (`?topics=license`). Events of a topic are sent only to the
/// subscribers that ask for it, so a new family of events does not change what an existing
/// integration receives: the licence register's `license.*` events (one per supervising
/// department on every approval push) follow the deliveries only for those who want them.
#[derive(Debug, Clone, Copy, Default)]
struct Topics {
    license: bool,
}

impl Topics {
    fn parse(raw: Option<&str>) -> AppResult<Self> {
        let mut t = Self::default();
        for name in raw
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            match name {
                "license" => t.license = true,
                _ => {
                    return Err(bad_param(
                        "topics",
                        "可选主题：license / known topics: license",
                    ));
                }
            }
        }
        Ok(t)
    }

    fn wants(self, kind: &str) -> bool {
        !kind.starts_with("license.") || self.license
    }
}

/// Decrements the subscriber gauge when the stream is dropped.
struct Gauge(AppState);
impl Drop for Gauge {
    fn drop(&mut self) {
        self.0
            .hub
            .subscriber_count()
            .fetch_sub(1, Ordering::Relaxed);
    }
}

/// The event stream's route with its OpenAPI path.
pub(super) fn routes() -> utoipa_axum::router::OpenApiRouter<AppState> {
    utoipa_axum::router::OpenApiRouter::default().routes(utoipa_axum::routes!(events))
}

/// Whether the stream's credentials still hold. A database hiccup is not a revocation: only
/// a definite "unauthorised" ends the stream.
async fn still_valid(s: &AppState, credential: &Credential) -> bool {
    !matches!(
        still_authenticated(s, credential).await,
        Err(AppError::Unauthorized(_) | AppError::SessionIdle(_))
    )
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(("Last-Event-ID" = Option<i64>, Header, description = "Resume after this event id"),
           ("after" = Option<i64>, Query, description = "Same as Last-Event-ID, for clients that cannot set headers"),
           ("topics" = Option<String>, Query, description = "Opt-in event families, comma-separated: `license` adds `license.created` / `license.changed`")),
    responses((status = 200, content_type = "text/event-stream",
        description = "Server-Sent Events. Each event: `id` (the event id), `event` (its type), `data` (an `Event` in JSON, see components/schemas/Event). A Last-Event-ID (or `after`) beyond the newest event is answered first with `event: reset`, its `id` and `data` (a `StreamReset` in JSON, see components/schemas/StreamReset) naming the newest event id: what the client holds may be stale, so it reloads, then follows the stream.",
        body = String)),
    security(("bearer" = [])))]
pub async fn events(
    State(s): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    mut q: Params,
) -> AppResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let from_query = q.take_parsed::<i64>("after", "应为整数 / expected an integer")?;
    let topics = Topics::parse(q.take("topics").as_deref())?;
    q.finish()?;
    let from_header = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| bad_param("Last-Event-ID", "应为整数 / expected an integer"))?,
        ),
        None => None,
    };
    let mut rx = s.hub.subscribe();
    let mut reset = None;
    let mut cursor = match from_header.or(from_query) {
        Some(id) if id < 0 => {
            return Err(AppError::BadRequest {
                message: "Last-Event-ID 不能为负 / must not be negative".into(),
                field: Some("Last-Event-ID".into()),
            });
        }
        Some(id) => {
            // An id beyond the log (a restored backup, another server): following from it
            // would deliver nothing until the log caught up. Tell the client to reload, and
            // follow from the newest event. The log, not this instance's tailer, is asked, so
            // an event just written through another instance is not mistaken for the future.
            let newest = crate::db::events::head(&s.db).await?;
            if id > newest {
                reset = Some(newest);
                newest
            } else {
                id
            }
        }
        // From now on: the log's newest event. This instance's broadcast head can lag the log
        // by the tailer's latency, and starting there would replay events from before the
        // subscriber connected (seen under load as the seed's `department.created` events).
        None => match crate::db::events::head(&s.db).await {
            Ok(h) => h.max(s.hub.head()),
            Err(_) => s.hub.head(),
        },
    };
    let Auth(principal, credential) = auth;
    let mut revoked = s.auth_cache.revocations();
    let period = s.cfg.stream_recheck;
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    s.hub.subscriber_count().fetch_add(1, Ordering::Relaxed);
    let gauge = Gauge(s.clone());
    let stream = async_stream::stream! {
        let _gauge = gauge;
        if let Some(newest) = reset {
            let data = serde_json::to_string(&StreamReset { newest }).unwrap_or_default();
            yield Ok(SseEvent::default()
                .id(newest.to_string())
                .event(event_types::STREAM_RESET)
                .data(data));
        }
        let mut catch_up = true;
        // Set when the credentials no longer hold. The stream then reads the log once more up
        // to its newest committed event and ends: what happened before the revocation is still
        // delivered (the broadcast reaches this instance a moment after the commit, so a
        // revocation can overtake it), nothing after it is.
        let mut ending = false;
        loop {
            if catch_up || ending {
                let limit = if ending {
                    match crate::db::events::head(&s.db).await {
                        Ok(h) => h,
                        Err(e) => {
                            tracing::warn!(error = %e, "reading the event log head failed");
                            cursor
                        }
                    }
                } else {
                    i64::MAX
                };
                'drain: loop {
                    let rows = match crate::db::events::after(&s.db, cursor, 500).await {
                        Ok(r) => r,
                        Err(e) => {
                            tracing::warn!(error = %crate::db::Chain(&e), "event catch-up failed");
                            tokio::time::sleep(Duration::from_millis(500)).await;
                            continue;
                        }
                    };
                    let n = rows.len();
                    for r in rows {
                        if r.id > limit {
                            break 'drain;
                        }
                        cursor = r.id;
                        // A corrupt row is reported by the tailer; it is not sent.
                        let Ok(ev) = HubEvent::from_row(r) else { continue };
                        if ev.visible_to(&principal) && topics.wants(&ev.kind) {
                            yield Ok(to_sse(&ev, Redactor::event_json(&s, &principal, &ev).await));
                        }
                    }
                    if n < 500 {
                        break;
                    }
                }
                catch_up = false;
                if ending {
                    break;
                }
            }
            tokio::select! {
                _ = s.shutdown.cancelled() => break,
                what = revoked.recv() => {
                    // Only a revocation of this stream's own credential (or not knowing, after
                    // falling behind) calls for a check.
                    let mine = match &what {
                        Ok(w) => w.concerns(&principal, &credential),
                        Err(_) => true,
                    };
                    if mine && !still_valid(&s, &credential).await {
                        ending = true;
                    }
                }
                _ = recheck.tick() => if !still_valid(&s, &credential).await { ending = true },
                msg = rx.recv() => match msg {
                    Ok(ev) => {
                        if ev.id <= cursor {
                            continue;
                        }
                        if ev.id > cursor + 1 {
                            // Events between were committed before we subscribed and not yet
                            // read, or belong to another gap: read them from the log.
                            catch_up = true;
                            continue;
                        }
                        cursor = ev.id;
                        if ev.visible_to(&principal) && topics.wants(&ev.kind) {
                            yield Ok(to_sse(&ev, Redactor::event_json(&s, &principal, &ev).await));
                        }
                    }
                    Err(RecvError::Lagged(_)) => catch_up = true,
                    Err(RecvError::Closed) => break,
                }
            }
        }
    };
    Ok(Sse::new(stream).keep_alive(
        KeepAlive::new()
            .interval(Duration::from_secs(15))
            .text("keepalive"),
    ))
}
