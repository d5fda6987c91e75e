//! The one error type of the HTTP API. Every refusal is a 4xx with a JSON body naming what
//! is wrong; a failure keeps its cause (a [`DbError`] with its `sqlx` error, …) as its
//! `source`, is logged once with the whole chain when it is answered, and is answered
//! 500/503 without details.

use std::error::Error as StdError;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::{ErrorBody, ErrorDetail, SESSION_IDLE};
use crate::db::{Chain, DbError};
use crate::domain::policy::Refusal;
use crate::domain::validate::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the body is not JSON, or a query parameter is malformed.
    #[error("{message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    #[error("{0}")]
    Unauthorized(String),
    /// 401 with code `session_idle`: the session went unused for longer than the idle limit.
    #[error("{0}")]
    SessionIdle(String),
    #[error("{0}")]
    Forbidden(String),
    /// 404: absent, or not visible to the caller (never reveal which).
    #[error("{0}")]
    NotFound(String),
    /// 409: the record is not in a state that allows this.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("request body too large")]
    PayloadTooLarge,
    /// 413 naming the uploaded file over its size limit (`field`: the multipart part).
    #[error("{message}")]
    FileTooLarge { message: String, field: String },
    /// 415 naming an uploaded file of a media type that is not accepted.
    #[error("{message}")]
    UnsupportedFile { message: String, field: String },
    /// 415: a JSON endpoint was sent a body of another type.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 408: the request took longer than the server allows (`--request-timeout-secs`).
    #[error("request timeout")]
    RequestTimeout,
    /// 422: well-formed but invalid.
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// 422 `notice_too_short` (arts. 10–11): the notice period is not met; `earliest` is
    /// the earliest lawful start for a notice given now.
    #[error("{message}")]
    NoticeTooShort {
        message: String,
        earliest: chrono::DateTime<chrono::FixedOffset>,
    },
    /// 429: refused for a while (repeated failed logins); `Retry-After` says how long.
    #[error("{message}")]
    TooManyAttempts {
        retry_after_secs: u64,
        message: String,
    },
    /// 503: retrying later may succeed (pool exhausted, writer stopped, commit failed).
    #[error("service unavailable")]
    Unavailable(#[source] BoxError),
    /// 500.
    #[error("internal error")]
    Internal(#[source] BoxError),
}

pub type BoxError = Box<dyn StdError + Send + Sync>;

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// 404 for a record called `zh` in Chinese and `en` in English.
    pub fn not_found(zh: &str, en: &str) -> Self {
        Self::NotFound(format!("未找到{zh} / {en} not found"))
    }
    /// 500 with its cause (logged, never shown).
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Self::Internal(cause.into())
    }
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            code: "invalid_field",
            message: message.into(),
            field: Some(field.into()),
        }
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }
    pub fn forbidden_role() -> Self {
        Self::Forbidden("当前角色无权执行此操作 / your role may not do this".into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) | Self::SessionIdle(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge | Self::FileTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedFile { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Invalid { .. } | Self::NoticeTooShort { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, message, field) = match self {
            Self::BadRequest { message, field } => ("bad_request", message.clone(), field.clone()),
            Self::Unauthorized(m) => ("unauthorized", m.clone(), None),
            Self::SessionIdle(m) => (SESSION_IDLE, m.clone(), None),
            Self::Forbidden(m) => ("forbidden", m.clone(), None),
            Self::NotFound(m) => ("not_found", m.clone(), None),
            Self::Conflict { code, message } => (*code, message.clone(), None),
            Self::PayloadTooLarge => (
                "payload_too_large",
                "请求体过大 / request body too large".into(),
                None,
            ),
            Self::FileTooLarge { message, field } => {
                ("payload_too_large", message.clone(), Some(field.clone()))
            }
            Self::UnsupportedFile { message, field } => {
                ("unsupported_media_type", message.clone(), Some(field.clone()))
            }
            Self::UnsupportedMediaType => (
                "unsupported_media_type",
                "请求体须为 JSON（Content-Type: application/json） / the body must be JSON (Content-Type: application/json)".into(),
                Some("Content-Type".into()),
            ),
            Self::RequestTimeout => (
                "request_timeout",
                "请求超时 / the request took too long".into(),
                None,
            ),
            Self::Invalid {
                code,
                message,
                field,
            } => (*code, message.clone(), field.clone()),
            Self::TooManyAttempts { message, .. } => ("too_many_attempts", message.clone(), None),
            Self::NoticeTooShort { message, .. } => {
                ("notice_too_short", message.clone(), Some("starts_at".into()))
            }
            Self::Unavailable(_) => (
                "unavailable",
                "服务暂不可用 / service unavailable".into(),
                None,
            ),
            // Never leak internals to the caller; the cause is logged.
            Self::Internal(_) => (
                "internal",
                "服务器内部错误 / internal server error".into(),
                None,
            ),
        };
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message,
                field,
                earliest: match self {
                    Self::NoticeTooShort { earliest, .. } => Some(*earliest),
                    _ => None,
                },
            },
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::Invalid {
            code: "invalid_field",
            message: e.message,
            field: Some(e.field),
        }
    }
}

/// A policy refusal, with the message each kind of refusal has always had.
impl From<Refusal> for AppError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Hidden => Self::not_found("记录", "record"),
            Refusal::NotRecipient => Self::Forbidden(
                "只有接收部门的工作人员可以执行此操作 / only the receiving department's staff may do this"
                    .into(),
            ),
            Refusal::NotParty => Self::Forbidden(
                "只有争议双方的工作人员可以回复或办结 / only the two departments' staff take part"
                    .into(),
            ),
            Refusal::RoleMayNot => Self::forbidden_role(),
            Refusal::NotParticipant => Self::Forbidden(
                "只有参加部门的工作人员可以为本部门执行此操作 / only a participating department's staff may do this, for their own department"
                    .into(),
            ),
            Refusal::NotOrganiser => Self::Forbidden(
                "只有组织部门（行政审批服务局）的工作人员可以执行此操作 / only the organising department's staff may do this"
                    .into(),
            ),
        }
    }
}

/// Storage refusals that are rules of the domain keep their status; failures keep the
/// `DbError` as their cause.
impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::NotFound { zh, en } => Self::not_found(zh, en),
            DbError::Conflict { code, message } => Self::Conflict { code, message },
            DbError::Invalid {
                code,
                message,
                field,
            } => Self::Invalid {
                code,
                message,
                field,
            },
            e if e.is_unavailable() => Self::Unavailable(Box::new(e)),
            e => Self::Internal(Box::new(e)),
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        DbError::from(e).into()
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self::internal(e)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            // The one place a failure is logged: with its whole chain of causes.
            Self::Internal(_) => tracing::error!(cause = %Chain(&self), "internal error"),
            Self::Unavailable(_) => tracing::warn!(cause = %Chain(&self), "unavailable"),
            _ => {}
        }
        let mut response = (self.status(), axum::Json(self.body())).into_response();
        if let Self::TooManyAttempts {
            retry_after_secs, ..
        } = &self
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_names_the_record_once_per_language() {
        let e = AppError::not_found("推送", "delivery");
        assert_eq!(e.body().error.message, "未找到推送 / delivery not found");
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }

    /// A storage failure keeps its cause: the chain reaches sqlx's own error, and the body
    /// shows none of it.
    #[test]
    fn failures_keep_their_source_chain() {
        let e = AppError::from(DbError::Sql(sqlx::Error::RowNotFound));
        assert_eq!(e.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let chain = Chain(&e).to_string();
        assert!(
            chain.starts_with("internal error: database error: "),
            "{chain}"
        );
        assert!(
            chain.contains(&sqlx::Error::RowNotFound.to_string()),
            "{chain}"
        );
        assert_eq!(e.body().error.code, "internal");
        let busy = AppError::from(DbError::Sql(sqlx::Error::PoolTimedOut));
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        let refused = AppError::from(DbError::conflict("already_claimed", "x"));
        assert_eq!(refused.status(), StatusCode::CONFLICT);
        assert_eq!(refused.body().error.code, "already_claimed");
    }
}
