//! Login failure handling (登录失败处理). The MLPS 2.0 baseline (GB/T 22239-2019, 身份鉴别)
//! asks for "login failure handling … limiting illegal login attempts": after
//! `max_failures` wrong passwords for one username within the lockout period, that username is
//! refused with 429 for the lockout period, even with the right password. Unknown usernames
//! are counted the same way, so the answers do not reveal which accounts exist.
//!
//! Kept in memory, per instance: a restart forgets it, and with several instances each counts
//! its own failures (an attacker gets `max_failures` tries per instance per period).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::server::error::AppError;

/// Entries kept before expired ones are pruned.
const PRUNE_AT: usize = 50_000;
/// Longer names cannot be accounts (usernames are at most 32 characters): they are not
/// remembered, so nobody can fill memory with huge names.
const MAX_NAME_BYTES: usize = 128;

pub struct LoginGuard {
    max_failures: u32,
    lockout_ms: i64,
    entries: Mutex<HashMap<String, Failures>>,
}

#[derive(Default)]
struct Failures {
    count: u32,
    /// When the current run of failures began (ms); runs older than the lockout period reset.
    first: i64,
    locked_until: Option<i64>,
}

impl LoginGuard {
    pub fn new(max_failures: u32, lockout: std::time::Duration) -> Self {
        Self {
            max_failures: max_failures.max(1),
            lockout_ms: crate::domain::millis(lockout),
            entries: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Refuse a username that is locked out (before any password is checked).
    pub fn check(&self, username: &str, now: i64) -> Result<(), AppError> {
        match self.lock().get(username).and_then(|f| f.locked_until) {
            Some(until) if until > now => Err(locked(until - now)),
            _ => Ok(()),
        }
    }

    /// Count a failed login. Returns the refusal to give instead of "wrong password" when this
    /// failure locks the username.
    pub fn failed(&self, username: &str, now: i64) -> Option<AppError> {
        if username.len() > MAX_NAME_BYTES {
            return None;
        }
        let mut map = self.lock();
        if map.len() >= PRUNE_AT {
            let period = self.lockout_ms;
            map.retain(|_, f| f.locked_until.is_some_and(|u| u > now) || now - f.first < period);
        }
        let f = map.entry(username.to_string()).or_default();
        if f.count == 0 || now - f.first >= self.lockout_ms {
            *f = Failures {
                count: 0,
                first: now,
                locked_until: None,
            };
        }
        f.count += 1;
        if f.count < self.max_failures {
            return None;
        }
        let until = now + self.lockout_ms;
        *f = Failures {
            count: 0,
            first: now,
            locked_until: Some(until),
        };
        tracing::warn!(username, "login locked after repeated failures");
        Some(locked(self.lockout_ms))
    }

    /// A successful login clears the username's failures.
    pub fn succeeded(&self, username: &str) {
        self.lock().remove(username);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn guard() -> LoginGuard {
        LoginGuard::new(5, std::time::Duration::from_secs(15 * 60))
    }

    #[test]
    fn five_failures_lock_for_the_period() {
        let g = guard();
        for i in 0..4 {
            assert!(g.failed("market1", i * MIN).is_none(), "failure {i}");
            assert!(g.check("market1", i * MIN).is_ok());
        }
        let e = g
            .failed("market1", 4 * MIN)
            .expect("the fifth failure locks");
        assert!(matches!(
            e,
            AppError::TooManyAttempts {
                retry_after_secs: 900,
                ..
            }
        ));
        // Locked for 15 minutes from the fifth failure, whatever the password.
        let e = g.check("market1", 4 * MIN + 14 * MIN).unwrap_err();
        assert!(matches!(
            e,
            AppError::TooManyAttempts {
                retry_after_secs: 60,
                ..
            }
        ));
        assert!(g.check("market1", 19 * MIN).is_ok());
        // Other usernames are not affected.
        assert!(g.check("market2", 5 * MIN).is_ok());
    }

    #[test]
    fn failures_spread_out_or_followed_by_success_do_not_lock() {
        let g = guard();
        for i in 0..4 {
            assert!(g.failed("a", i * MIN).is_none());
        }
        g.succeeded("a");
        for i in 0..4 {
            assert!(g.failed("a", (10 + i) * MIN).is_none());
        }
        // The run began at minute 10; a failure 15 minutes later starts a new run.
        assert!(g.failed("a", 25 * MIN).is_none());
        assert!(g.check("a", 25 * MIN).is_ok());
    }

    #[test]
    fn unknown_usernames_are_counted_too_and_memory_is_bounded() {
        let g = guard();
        for i in 0..5 {
            let r = g.failed("nobody", i);
            assert_eq!(r.is_some(), i == 4);
        }
        assert!(g.check("nobody", 10).is_err());
        for i in 0..(PRUNE_AT as i64 + 10) {
            g.failed(&format!("u{i}"), 20 * MIN);
        }
        g.failed("late", 40 * MIN);
        assert!(g.lock().len() < 20, "expired runs are pruned");
        let huge = "x".repeat(100_000);
        for i in 0..10 {
            assert!(g.failed(&huge, 41 * MIN + i).is_none());
        }
        assert!(
            !g.lock().contains_key(&huge),
            "names no account can have are not kept"
        );
    }
}
