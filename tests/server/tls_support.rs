//! Test certificates: a county CA made in the test (rcgen), and server certificates it signs,
//! written to files as an operator would have them.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use shenguan::server::tls::TlsFiles;

pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    /// The CA certificate (PEM), what `--ca-file` points at.
    pub pem: String,
}

impl TestCa {
    pub fn new(name: &str) -> Self {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let pem = params.self_signed(&key).unwrap().pem();
        Self {
            issuer: Issuer::new(params, key),
            pem,
        }
    }

    /// A server certificate for `names` (host names or IP addresses): `(cert PEM, key PEM)`.
    pub fn server_cert(&self, names: &[&str]) -> (String, String) {
        self.server_cert_with(names, |_| {})
    }

    pub fn server_cert_with(
        &self,
        names: &[&str],
        adjust: impl FnOnce(&mut CertificateParams),
    ) -> (String, String) {
        let key = KeyPair::generate().unwrap();
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names.clone()).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, &names[0]);
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        adjust(&mut params);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    /// Write the CA certificate to `dir/file`.
    pub fn write(&self, dir: &Path, file: &str) -> PathBuf {
        let path = dir.join(file);
        std::fs::write(&path, &self.pem).unwrap();
        path
    }

    /// Write a server certificate for `names` to `dir/server.crt` and `dir/server.key`
    /// (replacing them atomically, as a renewal script would).
    pub fn write_server(&self, dir: &Path, names: &[&str]) -> TlsFiles {
        let (cert, key) = self.server_cert(names);
        write_pair(dir, &cert, &key)
    }
}

pub fn write_pair(dir: &Path, cert: &str, key: &str) -> TlsFiles {
    let files = TlsFiles {
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
    };
    for (path, text) in [(&files.cert, cert), (&files.key, key)] {
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, text).unwrap();
        std::fs::rename(&tmp, path).unwrap();
    }
    files
}
