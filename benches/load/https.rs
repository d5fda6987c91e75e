//! The push phase again over HTTPS: a second instance on the same database serves TLS
//! (`--tls-cert/--tls-key`, a CA made here with rcgen) and the same clients push through it
//! with keep-alive, so the two rates of one run give the cost of TLS as a ratio.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use shenguan::api::NewApprovalPush;
use shenguan::client::{Client, Trust};
use shenguan::server::ServerConfig;
use shenguan::server::tls::TlsFiles;

use crate::drive::{Run, warm_then_drive};

/// A CA and a server certificate for 127.0.0.1 in `dir`: (the server's files, the CA file).
fn certificates(dir: &std::path::Path) -> anyhow::Result<(TlsFiles, std::path::PathBuf)> {
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "bench CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_pem = ca.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_string()])?;
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let cert = leaf.signed_by(&key, &issuer)?;
    let files = TlsFiles {
        cert: dir.join("bench-server.crt"),
        key: dir.join("bench-server.key"),
    };
    std::fs::write(&files.cert, cert.pem())?;
    std::fs::write(&files.key, key.serialize_pem())?;
    let ca_file = dir.join("bench-ca.crt");
    std::fs::write(&ca_file, ca_pem)?;
    Ok((files, ca_file))
}

/// Drive `concurrency` clients pushing `body(n)` through an HTTPS instance over `database`
/// for `secs` (after the usual warm-up), as the session `token`.
pub async fn pushes(
    dir: &std::path::Path,
    database: &str,
    token: &str,
    concurrency: usize,
    secs: f64,
    body: impl Fn(u64) -> NewApprovalPush + Send + Sync + 'static,
) -> anyhow::Result<Run> {
    let (files, ca_file) = certificates(dir)?;
    let server = shenguan::server::start(
        ServerConfig {
            listen: "127.0.0.1:0".into(),
            database: database.into(),
            test_clock: true,
            sweep_interval: std::time::Duration::from_secs(24 * 3600),
            tls: Some(files),
            ..ServerConfig::default()
        },
        None,
    )
    .await?;
    let trust = Trust::with_ca_file(&ca_file)?;
    let pusher = Client::with_trust(&server.url(), Some(token.to_string()), &trust)?;
    let counter = Arc::new(AtomicUsize::new(0));
    let body = Arc::new(body);
    let run = warm_then_drive(concurrency, secs, move |_w| {
        let n = counter.fetch_add(1, Ordering::Relaxed) as u64;
        let (pusher, push) = (pusher.clone(), body(n));
        async move {
            let r = pusher.create_approval_push(&push, None).await;
            Some(r.map_err(Into::into).and_then(|p| {
                anyhow::ensure!(p.deliveries.len() == 2, "expected 2 deliveries");
                Ok(())
            }))
        }
    })
    .await;
    server.shutdown().await;
    Ok(run)
}
