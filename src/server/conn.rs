//! Connections: how each accepted connection is served, with the time bounds that keep slow
//! clients from holding the server (slow-header exhaustion, trickled bodies).
//!
//! - `header_read_timeout`: a request head (request line and headers) must arrive within this
//!   long, or the connection is closed. It also bounds how long an idle keep-alive
//!   connection waits for its next request.
//! - `request_timeout`: from the head to the answer (body upload and handling) at most this
//!   long, else 408 with the JSON error body. The event stream is exempt: it is meant to stay
//!   open, and only its answer's head is bounded.
//!
//! The accept loop calls [`serve_connection`] for each connection, whatever the transport.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use super::AppState;
use crate::server::error::AppError;

/// Paths whose answers are long-lived streams, exempt from `request_timeout`.
const STREAMS: &[&str] = &["/api/v1/events"];

/// Serve one connection (HTTP/1.1) until it closes or, after `shutdown`, until its
/// in-flight request is answered. The peer's address is available to handlers as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve_connection<I>(
    io: I,
    remote: SocketAddr,
    app: Router,
    header_read_timeout: Duration,
    shutdown: CancellationToken,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = app.map_request(move |req: Request<hyper::body::Incoming>| {
        let mut req = req.map(axum::body::Body::new);
        req.extensions_mut().insert(ConnectInfo(remote));
        req
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let conn = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        result = conn.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, %remote, "connection ended with an error");
            }
            return;
        }
        _ = shutdown.cancelled() => conn.as_mut().graceful_shutdown(),
    }
    if let Err(e) = conn.await {
        tracing::debug!(error = %e, %remote, "connection ended with an error");
    }
}

/// Accept connections until `shutdown`, then wait for the open ones to finish (event
/// streams end on `shutdown` themselves).
pub async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    header_read_timeout: Duration,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: CancellationToken,
) {
    // Each connection task holds a sender; when all are dropped, every connection is done.
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = shutdown.cancelled() => break,
        };
        let _ = stream.set_nodelay(true);
        let (app, stop, open) = (app.clone(), shutdown.clone(), open_tx.clone());
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(stream, remote, app, header_read_timeout, stop).await,
                // The handshake runs in the connection's task: a slow client holds up no one.
                Some(acceptor) => {
                    if let Some(tls_stream) = super::tls::handshake(&acceptor, stream, remote).await
                    {
                        serve_connection(tls_stream, remote, app, header_read_timeout, stop).await;
                    }
                }
            }
            drop(open);
        });
    }
    drop(listener);
    drop(open_tx);
    let _ = open_rx.recv().await;
}

/// Middleware: answer 408 when a request (its body and its handling) takes longer than
/// `request_timeout`; event streams are exempt.
pub async fn request_deadline(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if STREAMS.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    match tokio::time::timeout(s.cfg.request_timeout, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!("request exceeded the request timeout");
            AppError::RequestTimeout.into_response()
        }
    }
}
