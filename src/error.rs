//! The one error type of the server. Every refusal is a 4xx with a JSON body naming what is
//! wrong; internal failures are logged with their cause and answered 500 without details.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::api::{ErrorBody, ErrorDetail};
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
    /// 429: refused for a while (repeated failed logins); `Retry-After` says how long.
    #[error("{message}")]
    TooManyAttempts {
        retry_after_secs: u64,
        message: String,
    },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("未找到{what} / {what} not found"))
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
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let (code, message, field) = match self {
            Self::BadRequest { message, field } => ("bad_request", message.clone(), field.clone()),
            Self::Unauthorized(m) => ("unauthorized", m.clone(), None),
            Self::Forbidden(m) => ("forbidden", m.clone(), None),
            Self::NotFound(m) => ("not_found", m.clone(), None),
            Self::Conflict { code, message } => (*code, message.clone(), None),
            Self::PayloadTooLarge => (
                "payload_too_large",
                "请求体过大 / request body too large".into(),
                None,
            ),
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

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => Self::Unavailable(e.to_string()),
            _ => Self::Internal(e.to_string()),
        }
    }
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        Self::Internal(format!("json: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            Self::Internal(cause) => tracing::error!(%cause, "internal error"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "unavailable"),
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
