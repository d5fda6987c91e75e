//! Login failure handling (登录失败处理). The MLPS 2.0 baseline (GB/T 22239-2019, 身份鉴别)
//! asks for "login failure handling … limiting illegal login attempts", without handing anyone
//! a way to lock the administrator out:
//!
//! - Failures are counted per username (ignoring case) *and* client address. After
//!   `max_failures` wrong passwords from one address within the lockout period, that username
//!   is refused with 429 *from that address* for the period, even with the right password; the
//!   account itself stays usable from elsewhere, and its existing sessions keep working.
//! - Every attempt for a pair with failures is answered progressively later (the first delay
//!   doubling with each failure), before the password is checked, so guessing is slow and a
//!   quick answer does not reveal a right password.
//! - The counts live in the database (`login_failures`): every instance on one PostgreSQL
//!   shares them, and they survive restarts. `shenguan admin unlock` clears a username.
//! - Unknown usernames are counted the same way, so the answers do not reveal which accounts
//!   exist.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use super::{AppState, ServerConfig};
use crate::db::{Db, login_failures as store};
use crate::server::error::{AppError, AppResult};

/// Longer names cannot be accounts (usernames are at most 32 characters): they are not
/// remembered, so nobody can fill the table with huge names.
const MAX_NAME_BYTES: usize = 128;
/// Stale runs are purged after this many failures counted on this instance.
const PURGE_EVERY: u32 = 64;
/// The delay stops doubling here (× the first delay).
const MAX_DELAY_FACTOR: u32 = 16;

pub struct LoginGuard {
    max_failures: u32,
    lockout_ms: i64,
    delay: Duration,
    since_purge: AtomicU32,
}

impl LoginGuard {
    pub fn new(cfg: &ServerConfig) -> Self {
        Self {
            max_failures: cfg.login_max_failures.max(1),
            lockout_ms: crate::domain::millis(cfg.login_lockout),
            delay: cfg.login_delay,
            since_purge: AtomicU32::new(0),
        }
    }

    /// Before a password is checked: refuse a locked pair, and make a pair with failures wait.
    pub async fn check(&self, db: &Db, username: &str, client: &str, now: i64) -> AppResult<()> {
        let Some(name) = key(username) else {
            return Ok(());
        };
        let Some(f) = store::get(db, &name, client).await? else {
            return Ok(());
        };
        if let Some(until) = f.locked_until.filter(|u| *u > now) {
            return Err(locked(until - now));
        }
        let in_run = if now - f.first_at < self.lockout_ms {
            f.failures
        } else {
            0
        };
        let wait = delay(self.delay, in_run);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Ok(())
    }

    /// Count a failed login. Returns the refusal to give instead of "wrong password" when this
    /// failure locks the pair.
    pub async fn failed(
        &self,
        db: &Db,
        username: &str,
        client: &str,
        now: i64,
    ) -> AppResult<Option<AppError>> {
        let Some(name) = key(username) else {
            return Ok(None);
        };
        if self.since_purge.fetch_add(1, Ordering::Relaxed) + 1 >= PURGE_EVERY {
            self.since_purge.store(0, Ordering::Relaxed);
            store::purge(db, now - self.lockout_ms, now).await?;
        }
        let (lock, _) = store::record(
            db,
            &name,
            client,
            now,
            self.lockout_ms,
            i64::from(self.max_failures),
            self.lockout_ms,
        )
        .await?;
        Ok(lock.map(|_| {
            tracing::warn!(
                username = name,
                client,
                "login locked after repeated failures"
            );
            locked(self.lockout_ms)
        }))
    }

    /// A successful login clears the pair's failures.
    pub async fn succeeded(&self, db: &Db, username: &str, client: &str) -> AppResult<()> {
        match key(username) {
            Some(name) => Ok(store::clear(db, &name, client).await?),
            None => Ok(()),
        }
    }
}

/// How failures are keyed: the username as typed, trimmed and lower-cased (usernames are
/// unique ignoring case); `None` for names no account can have.
pub fn key(username: &str) -> Option<String> {
    let name = username.trim();
    (name.len() <= MAX_NAME_BYTES).then(|| name.to_ascii_lowercase())
}

/// The wait before answering an attempt after `failures` failures in the current run.
fn delay(first: Duration, failures: i64) -> Duration {
    if failures <= 0 {
        return Duration::ZERO;
    }
    let factor = 1u32
        .checked_shl(u32::try_from(failures - 1).unwrap_or(u32::MAX))
        .unwrap_or(MAX_DELAY_FACTOR)
        .min(MAX_DELAY_FACTOR);
    first * factor
}

fn locked(remaining_ms: i64) -> AppError {
    let secs = u64::try_from((remaining_ms + 999) / 1000)
        .unwrap_or(1)
        .max(1);
    let minutes = secs.div_ceil(60);
    AppError::TooManyAttempts {
        retry_after_secs: secs,
        message: format!(
            "登录失败次数过多，请 {minutes} 分钟后再试 / too many failed logins; try again in {minutes} min"
        ),
    }
}

/// The client's address as the login guard counts it: the connection's peer, or — when the
/// peer is a trusted proxy (`--trusted-proxy`) — the address it names last in
/// `X-Forwarded-For` (the one it saw; earlier entries are the client's own say-so).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientAddr(client_address(
            peer,
            &parts.headers,
            &state.cfg.trusted_proxies,
        )))
    }
}

pub fn client_address(
    peer: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[IpAddr],
) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if trusted.contains(&peer) {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip.to_string();
        }
    }
    peer.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_then_stop_growing() {
        let d = Duration::from_millis(250);
        assert_eq!(delay(d, 0), Duration::ZERO);
        assert_eq!(delay(d, 1), d);
        assert_eq!(delay(d, 2), d * 2);
        assert_eq!(delay(d, 4), d * 8);
        assert_eq!(delay(d, 5), d * 16);
        assert_eq!(delay(d, 40), d * 16);
        assert_eq!(delay(d, i64::MAX), d * 16);
    }

    #[test]
    fn names_are_keyed_ignoring_case_and_huge_ones_not_at_all() {
        assert_eq!(key(" Admin "), Some("admin".into()));
        assert_eq!(key(&"x".repeat(100_000)), None);
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7".parse().unwrap(),
        );
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        assert_eq!(client_address(Some(proxy), &h, &[]), "10.0.0.1");
        assert_eq!(client_address(Some(proxy), &h, &[proxy]), "198.51.100.7");
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        assert_eq!(client_address(Some(other), &h, &[proxy]), "10.0.0.2");
        assert_eq!(client_address(None, &h, &[proxy]), "unknown");
    }
}
