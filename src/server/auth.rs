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
    /// Session expiry (ms); API keys do not expire.
    expires_at: Option<i64>,
    fetched: Instant,
}

pub const AUTH_CACHE_TTL: Duration = Duration::from_secs(5);

impl AuthCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cached>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn get(&self, hash: &str, now_ms: i64) -> Option<Principal> {
        let map = self.lock();
        let c = map.get(hash)?;
        let fresh = c.fetched.elapsed() < AUTH_CACHE_TTL && c.expires_at.is_none_or(|e| e > now_ms);
        fresh.then(|| c.principal.clone())
    }
    pub fn put(&self, hash: &str, principal: Principal, expires_at: Option<i64>) {
        let mut map = self.lock();
        if map.len() >= 10_000 {
            map.retain(|_, c| c.fetched.elapsed() < AUTH_CACHE_TTL);
        }
        map.insert(
            hash.to_string(),
            Cached {
                principal,
                expires_at,
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

/// Verify a credential (a session token or an API key): the one place credentials are
/// checked — by [`Auth`] for every request, and again by open event streams.
pub async fn authenticate(state: &AppState, credential: &Credential) -> AppResult<Principal> {
    let hash = &credential.hash;
    let now = to_millis(state.clock.now());
    if let Some(p) = state.auth_cache.get(hash, now) {
        return Ok(p);
    }
    let principal = if credential.api_key {
        crate::db::people::principal_for_api_key(&state.db, hash)
            .await?
            .map(|p| (p, None))
    } else {
        crate::db::people::principal_for_session(&state.db, hash, now)
            .await?
            .map(|(p, expires)| (p, Some(expires)))
    };
    if let Some((p, expires)) = &principal {
        state.auth_cache.put(hash, p.clone(), *expires);
    }
    principal.map(|(p, _)| p).ok_or_else(|| {
        AppError::Unauthorized(
            "身份凭证无效、已过期或已注销，请重新登录 / invalid, expired or revoked credentials"
                .into(),
        )
    })
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
