//! TLS plumbing shared by the client and the server: one crypto provider (rustls with ring —
//! no OpenSSL anywhere) and PEM loading with messages that name the file.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Install ring as the process's rustls provider (once; later calls do nothing). reqwest is
/// built with `rustls-no-provider` and uses this default.
pub fn install_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only if another provider was installed first, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The provider in use (installing it if needed).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    install_provider();
    rustls::crypto::CryptoProvider::get_default()
        .cloned()
        .unwrap_or_else(|| Arc::new(rustls::crypto::ring::default_provider()))
}

/// Every certificate in a PEM file (a chain, or a bundle of CAs); at least one.
pub fn load_certs(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{} is not a PEM certificate file", path.display()))?;
    anyhow::ensure!(
        !certs.is_empty(),
        "{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        path.display()
    );
    Ok(certs)
}

/// The private key in a PEM file (PKCS#8, PKCS#1 or SEC1).
pub fn load_key(path: &Path) -> anyhow::Result<PrivateKeyDer<'static>> {
    let pem = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    PrivateKeyDer::from_pem_slice(&pem)
        .with_context(|| format!("{} holds no PEM private key", path.display()))
}
