//! HTTPS served directly (`--tls-cert FILE --tls-key FILE`), for counties without a
//! TLS-terminating proxy.
//!
//! The certificate is looked up per handshake from a [`CertStore`], so a reload (SIGHUP)
//! swaps it for new connections while established ones — open event streams included — keep
//! the session they negotiated. Handshakes run in their own tasks, so a slow or silent client
//! never holds up the accept loop; the finished connections go to `axum::serve` through
//! [`TlsListener`], which keeps graceful shutdown identical to plain HTTP.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_util::sync::CancellationToken;

/// A handshake that has not finished by then is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The certificate chain and private key files (PEM).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The certificate being served, re-read from its files on [`CertStore::reload`].
#[derive(Debug)]
pub struct CertStore {
    files: TlsFiles,
    current: RwLock<Arc<CertifiedKey>>,
}

impl CertStore {
    /// Read the files; an unreadable file, a missing key or a key that does not belong to the
    /// certificate is an error naming the file.
    pub fn load(files: &TlsFiles) -> anyhow::Result<Arc<Self>> {
        Ok(Arc::new(Self {
            current: RwLock::new(certified_key(files)?),
            files: files.clone(),
        }))
    }

    /// Re-read the files. On error the certificate in use stays (a half-copied renewal must
    /// not take the server off the air).
    pub fn reload(&self) -> anyhow::Result<()> {
        let fresh = certified_key(&self.files)?;
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = fresh;
        Ok(())
    }

    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    fn acceptor(self: &Arc<Self>) -> anyhow::Result<TlsAcceptor> {
        let mut config = rustls::ServerConfig::builder_with_provider(crate::tls::provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        // axum::serve speaks HTTP/1.1 here (no `http2` feature): say so in ALPN.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsAcceptor::from(Arc::new(config)))
    }
}

impl ResolvesServerCert for CertStore {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(
            self.current
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
        )
    }
}

fn certified_key(files: &TlsFiles) -> anyhow::Result<Arc<CertifiedKey>> {
    let certs = crate::tls::load_certs(&files.cert)?;
    let key = crate::tls::load_key(&files.key)?;
    let key = CertifiedKey::from_der(certs, key, &crate::tls::provider()).with_context(|| {
        format!(
            "{} does not fit {} (wrong key for this certificate, or an unsupported key type)",
            files.key.display(),
            files.cert.display()
        )
    })?;
    Ok(Arc::new(key))
}

/// Connections that finished their TLS handshake, for `axum::serve`.
pub struct TlsListener {
    ready: tokio::sync::mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    addr: SocketAddr,
}

/// Accept TCP connections on `tcp` and hand them over once their handshake is done, until
/// `stop` is cancelled.
pub fn listen(
    tcp: TcpListener,
    store: &Arc<CertStore>,
    stop: CancellationToken,
) -> anyhow::Result<TlsListener> {
    let addr = tcp.local_addr()?;
    let acceptor = store.acceptor()?;
    let (tx, ready) = tokio::sync::mpsc::channel(256);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = stop.cancelled() => return,
                _ = tx.closed() => return,
                r = tcp.accept() => r,
            };
            let (stream, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: back off rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            // Small TLS records must not wait for Nagle's delayed ACK.
            let _ = stream.set_nodelay(true);
            let (acceptor, tx) = (acceptor.clone(), tx.clone());
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                    Ok(Ok(tls)) => {
                        let _ = tx.send((tls, peer)).await;
                    }
                    Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                    Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                }
            });
        }
    });
    Ok(TlsListener { ready, addr })
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(conn) => conn,
            // The accept loop has stopped (shutdown): no more connections, ever.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr)
    }
}
