//! Authentication and authorisation. Every handler that needs a caller takes [`Auth`]: the
//! one place where bearer tokens and API keys are checked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::api::DepartmentKind;
use crate::db::people::SessionTimes;
use crate::domain::{Action, Audience, Principal, policy, to_millis};
use crate::server::error::{AppError, AppResult};

use super::AppState;

pub const SESSION_PREFIX: &str = "sgt_";
pub const API_KEY_PREFIX: &str = "sgk_";

/// A new random secret with a readable prefix (32 random bytes, base64url).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// Tokens and keys are 256-bit random values, so a plain SHA-256 is the right storage hash
/// (argon2's cost is for low-entropy passwords).
pub fn secret_hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("argon2: {e}")))
}

/// argon2 is slow on purpose: hash off the async threads.
pub async fn hash_password_off_thread(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(AppError::internal)?
}

/// argon2 is slow on purpose: verify off the async threads.
pub async fn verify_password_off_thread(password: String, hash: String) -> AppResult<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(AppError::internal)
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Credentials verified in the last few seconds, so a busy client does not cost a database
/// read on every request. Logout and key revocation on this instance forget an entry at once
/// (and tell open event streams to check their credentials again); a revocation made through
/// another instance takes effect here within [`AUTH_CACHE_TTL`].
pub struct AuthCache {
    entries: Mutex<HashMap<String, Cached>>,
    revoked: tokio::sync::broadcast::Sender<Revoked>,
}

/// What was revoked on this instance (open event streams end if it is theirs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// One session, by its token hash.
    Session(String),
    /// Every session of a user (password change or reset, deactivation).
    User(i64),
    ApiKey(i64),
}

impl Revoked {
    /// Whether this revocation concerns the caller holding `credential`.
    pub fn concerns(&self, principal: &Principal, credential: &Credential) -> bool {
        match self {
            Self::Session(hash) => *hash == credential.hash,
            Self::User(id) => principal.user_id == Some(*id),
            Self::ApiKey(id) => principal.api_key_id == Some(*id),
        }
    }
}

impl Default for AuthCache {
    fn default() -> Self {
        Self {
            entries: Mutex::default(),
            revoked: tokio::sync::broadcast::channel(16).0,
        }
    }
}

struct Cached {
    principal: Principal,
    /// Session expiry and last use (ms); API keys neither expire nor idle.
    times: Option<SessionTimes>,
    fetched: Instant,
}

pub const AUTH_CACHE_TTL: Duration = Duration::from_secs(5);

impl AuthCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// A fresh entry that has not expired. Idleness is the caller's to judge (a stale last
    /// use is no proof: another instance may have recorded a newer one).
    pub fn get(&self, hash: &str, now_ms: i64) -> Option<(Principal, Option<SessionTimes>)> {
        let map = self.lock();
        let c = map.get(hash)?;
        let fresh =
            c.fetched.elapsed() < AUTH_CACHE_TTL && c.times.is_none_or(|t| t.expires_at > now_ms);
        fresh.then(|| (c.principal.clone(), c.times))
    }
    /// Note a recorded use of a cached session.
    pub fn touched(&self, hash: &str, now_ms: i64) {
        if let Some(t) = self.lock().get_mut(hash).and_then(|c| c.times.as_mut()) {
            t.last_used_at = t.last_used_at.max(now_ms);
        }
    }
    pub fn put(&self, hash: &str, principal: Principal, times: Option<SessionTimes>) {
        let mut map = self.lock();
        if map.len() >= 10_000 {
            map.retain(|_, c| c.fetched.elapsed() < AUTH_CACHE_TTL);
        }
        map.insert(
            hash.to_string(),
            Cached {
                principal,
                times,
                fetched: Instant::now(),
            },
        );
    }
    /// Forget what was revoked here and tell the open event streams.
    pub fn forget(&self, what: Revoked) {
        {
            let mut map = self.lock();
            match &what {
                Revoked::Session(hash) => {
                    map.remove(hash);
                }
                Revoked::User(id) => map.retain(|_, c| c.principal.user_id != Some(*id)),
                Revoked::ApiKey(id) => map.retain(|_, c| c.principal.api_key_id != Some(*id)),
            }
        }
        let _ = self.revoked.send(what);
    }
    pub fn revocations(&self) -> tokio::sync::broadcast::Receiver<Revoked> {
        self.revoked.subscribe()
    }
}

/// The authenticated caller, and the credential it used.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal, pub Credential);

/// A bearer secret as the server keeps it: hashed, and whether it is an API key.
#[derive(Debug, Clone)]
pub struct Credential {
    pub hash: String,
    pub api_key: bool,
}

impl Credential {
    pub fn of(token: &str) -> Self {
        Self {
            hash: secret_hash(token),
            api_key: token.starts_with(API_KEY_PREFIX),
        }
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(|| {
            AppError::Unauthorized("缺少身份凭证 / missing Authorization: Bearer token".into())
        })?;
        let credential = Credential::of(token);
        let principal = authenticate(state, &credential).await?;
        Ok(Auth(principal, credential))
    }
}

/// A session's last use is stored when it moved by more than this: the idle limit is judged
/// to within a minute, and a busy client writes once a minute, not once a request.
const TOUCH_EVERY_MS: i64 = 60_000;

/// Verify a credential (a session token or an API key) for a request, recording the use of a
/// session: the one place credentials are checked for requests.
pub async fn authenticate(state: &AppState, credential: &Credential) -> AppResult<Principal> {
    check(state, credential, true).await
}

/// Verify a credential again for an open event stream. Streaming is not use: a console left
/// open and untouched still ends after the idle time.
pub async fn still_authenticated(
    state: &AppState,
    credential: &Credential,
) -> AppResult<Principal> {
    check(state, credential, false).await
}

async fn check(
    state: &AppState,
    credential: &Credential,
    record_use: bool,
) -> AppResult<Principal> {
    let hash = &credential.hash;
    let now = to_millis(state.clock.now());
    let idle_ms = i64::try_from(state.cfg.session_idle.as_millis()).unwrap_or(i64::MAX);
    let is_idle =
        |t: &Option<SessionTimes>| t.is_some_and(|t| now.saturating_sub(t.last_used_at) >= idle_ms);
    let cached = state
        .auth_cache
        .get(hash, now)
        // An idle-looking cache entry may be stale: the database has the last word.
        .filter(|(_, times)| !is_idle(times));
    let (principal, times) = match cached {
        Some(found) => found,
        None => {
            let found = if credential.api_key {
                crate::db::people::principal_for_api_key(&state.db, hash)
                    .await?
                    .map(|p| (p, None))
            } else {
                crate::db::people::principal_for_session(&state.db, hash, now)
                    .await?
                    .map(|(p, times)| (p, Some(times)))
            };
            let Some((p, times)) = found else {
                return Err(AppError::Unauthorized(
                    "身份凭证无效、已过期或已注销，请重新登录 / invalid, expired or revoked credentials"
                        .into(),
                ));
            };
            state.auth_cache.put(hash, p.clone(), times);
            (p, times)
        }
    };
    if is_idle(&times) {
        let minutes = state.cfg.session_idle.as_secs() / 60;
        return Err(AppError::SessionIdle(format!(
            "会话闲置超过 {minutes} 分钟已自动结束，请重新登录 / session ended after {minutes} minutes idle; log in again"
        )));
    }
    if let Some(t) = times
        && record_use
        && now - t.last_used_at >= TOUCH_EVERY_MS
    {
        // Bookkeeping must not fail the request it counts: a failed write is retried on the
        // next request.
        match crate::db::people::touch_session(&state.db, hash, now).await {
            Ok(()) => state.auth_cache.touched(hash, now),
            Err(e) => tracing::warn!(error = %e, "cannot record session use"),
        }
    }
    Ok(principal)
}

fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

impl Auth {
    /// May the caller do `action`, which concerns no record (administration, pushing)?
    /// Asked of `domain::policy`, like every action on a record.
    pub fn may(&self, action: Action) -> AppResult<()> {
        Ok(policy::check(&self.0, action, Audience::Everyone)?)
    }

    /// Staff of a department of this kind (people or their business system's API key), who
    /// may push: their department.
    pub fn pushing_department(&self, kind: DepartmentKind) -> AppResult<i64> {
        self.may(Action::Push(kind))?;
        self.0.department_id.ok_or_else(AppError::forbidden_role)
    }

    /// A person (not an API key).
    pub fn require_person(&self) -> AppResult<i64> {
        self.0.user_id.ok_or_else(|| {
            AppError::Forbidden("此操作须由个人账号执行 / this needs a personal account".into())
        })
    }
}
