//! Authentication and authorisation. Every handler that needs a caller takes [`Auth`]: the
//! one place where bearer tokens and API keys are checked.

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::api::{DepartmentKind, Role};
use crate::domain::{Principal, to_millis};
use crate::error::{AppError, AppResult};

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
        .map_err(|e| AppError::Internal(format!("argon2: {e}")))
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

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| {
            AppError::Unauthorized("缺少身份凭证 / missing Authorization: Bearer token".into())
        })?;
        let hash = secret_hash(token);
        let principal = if token.starts_with(API_KEY_PREFIX) {
            crate::db::people::principal_for_api_key(&state.db, &hash).await?
        } else {
            crate::db::people::principal_for_session(&state.db, &hash, to_millis(state.clock.now()))
                .await?
        };
        principal.map(Auth).ok_or_else(|| {
            AppError::Unauthorized("身份凭证无效、已过期或已注销，请重新登录 / invalid, expired or revoked credentials".into())
        })
    }
}

pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
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
    pub fn require(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(AppError::forbidden_role())
        }
    }

    /// Staff of a department of this kind (people or their business system's API key).
    pub fn require_staff_of(&self, kind: DepartmentKind) -> AppResult<i64> {
        match (self.0.role.department_kind(), self.0.department_id) {
            (Some(k), Some(dept)) if k == kind => Ok(dept),
            _ => Err(AppError::forbidden_role()),
        }
    }

    /// A person (not an API key).
    pub fn require_person(&self) -> AppResult<i64> {
        self.0.user_id.ok_or_else(|| {
            AppError::Forbidden("此操作须由个人账号执行 / this needs a personal account".into())
        })
    }
}
