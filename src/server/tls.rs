//! HTTPS served directly (`--tls-cert FILE --tls-key FILE`), for counties without a
//! TLS-terminating proxy.
//!
//! The certificate is looked up per handshake from a [`CertStore`], so a reload (SIGHUP)
//! swaps it for new connections while established ones — open event streams included — keep
//! the session they negotiated. The accept loop (`conn::accept_loop`) runs each handshake in
//! the connection's own task, so a slow or silent client holds up no one, and then serves the
//! connection exactly as a plain one (same timeouts, same graceful shutdown).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::Context as _;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

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

    /// The acceptor for new connections (it asks this store for the certificate each time).
    pub fn acceptor(self: &Arc<Self>) -> anyhow::Result<TlsAcceptor> {
        let mut config = rustls::ServerConfig::builder_with_provider(crate::tls::provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_cert_resolver(self.clone());
        // The connections are served as HTTP/1.1 (`conn::serve_connection`): say so in ALPN.
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

/// The TLS handshake of an accepted connection, bounded in time; `None` (logged) when it
/// fails or the client is too slow.
pub async fn handshake(
    acceptor: &TlsAcceptor,
    stream: TcpStream,
    peer: SocketAddr,
) -> Option<TlsStream<TcpStream>> {
    match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => Some(tls),
        Ok(Err(e)) => {
            tracing::debug!(%peer, error = %e, "TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::debug!(%peer, "TLS handshake timed out");
            None
        }
    }
}
