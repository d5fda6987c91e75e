//! Which `https://` servers the client trusts, and what a failed connection says.
//!
//! Servers are verified against the system's roots (rustls-platform-verifier) plus any
//! extra roots — a county's own CA given with `--ca-file`. reqwest's own message for a
//! failure is "error sending request", which says nothing: the cause is in the error's
//! source chain, so it is walked, and a refused certificate becomes [`ClientError::Tls`]
//! naming the host and the reason.

use std::error::Error as StdError;
use std::path::Path;

use rustls::{CertificateError, Error as TlsError};

use super::ClientError;

/// Extra roots to trust beside the system's (none: the system's roots only).
#[derive(Clone, Default)]
pub struct Trust {
    extra_roots: Vec<reqwest::Certificate>,
}

impl std::fmt::Debug for Trust {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Trust(system + {} extra roots)", self.extra_roots.len())
    }
}

impl Trust {
    /// The system's roots only.
    pub fn system() -> Self {
        Self::default()
    }

    /// The system's roots and every certificate in the PEM file at `path`.
    pub fn with_ca_file(path: &Path) -> anyhow::Result<Self> {
        let extra_roots = crate::tls::load_certs(path)?
            .iter()
            .map(|der| reqwest::Certificate::from_der(der))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(Self { extra_roots })
    }

    /// The system's roots, and those of `ca_file` when given.
    pub fn from_option(ca_file: Option<&Path>) -> anyhow::Result<Self> {
        ca_file.map_or_else(|| Ok(Self::system()), Self::with_ca_file)
    }

    pub(super) fn apply(&self, builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        if self.extra_roots.is_empty() {
            builder
        } else {
            builder.tls_certs_merge(self.extra_roots.iter().cloned())
        }
    }
}

/// A failed request as the user should see it: a refused certificate as such, anything else
/// with its whole cause.
pub(super) fn classify(e: &reqwest::Error) -> ClientError {
    if let Some(tls) = tls_cause(e) {
        let host = e
            .url()
            .and_then(|u| {
                let host = u.host_str()?;
                Some(match u.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host.to_string(),
                })
            })
            .unwrap_or_else(|| "the server".into());
        return ClientError::Tls {
            host,
            reason: reason(tls),
        };
    }
    ClientError::Transport(describe(e))
}

/// The error and its causes, each once ("error sending request for url (…): client error
/// (Connect): tcp connect error: Connection refused").
pub(super) fn describe(e: &(dyn StdError + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cur = c.source();
    }
    text
}

/// The rustls error somewhere in the chain. It hides in two ways: an `io::Error` carries it
/// without giving it as its `source`, and a boxed error (hyper's connect error boxes
/// reqwest's boxed error) forwards `source` past its content. So each link is unwrapped too.
fn tls_cause<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a TlsError> {
    let mut cur: Option<&'a (dyn StdError + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(t) = unwrap_tls(c, 4) {
            return Some(t);
        }
        cur = c.source();
    }
    None
}

fn unwrap_tls<'a>(e: &'a (dyn StdError + 'static), depth: u8) -> Option<&'a TlsError> {
    if let Some(t) = e.downcast_ref::<TlsError>() {
        return Some(t);
    }
    if depth == 0 {
        return None;
    }
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        return unwrap_tls(inner, depth - 1);
    }
    None
}

fn reason(e: &TlsError) -> String {
    let what = match e {
        TlsError::InvalidCertificate(c) => match c {
            CertificateError::UnknownIssuer => {
                "它由不受信任的机构签发（本县自建 CA 请用 --ca-file 指定）/ it is issued by an \
                 unknown certificate authority (trust a county's own CA with --ca-file)"
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                "它不属于此主机名 / it is not valid for this host name"
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "它已过期 / it has expired"
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "它尚未生效（或本机时钟不对）/ it is not valid yet (or this machine's clock is wrong)"
            }
            CertificateError::Revoked => "它已被吊销 / it has been revoked",
            _ => "",
        },
        _ => "",
    };
    if what.is_empty() {
        e.to_string()
    } else {
        format!("{what} ({e})")
    }
}
