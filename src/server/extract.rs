//! Request extractors that answer bad input with our JSON errors, naming the field.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::server::error::AppError;

/// A JSON body. Not declared as JSON → 415; malformed JSON → 400; well-formed but wrong
/// (missing, unknown or mistyped fields) → 422 with the JSON path of the field; too large → 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The raw bytes of a body declared as JSON, for handlers that need them as sent (the
/// `Idempotency-Key` fingerprint). Every refusal is our JSON error, never axum's plain text.
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = req.headers().get(axum::http::header::CONTENT_TYPE).cloned();
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest {
                    message: format!("无法读取请求体 / cannot read body: {e}"),
                    field: None,
                }
            }
        })?;
        // An empty body without a type is left to the parser (a clear 400); anything else must
        // say it is JSON, so a form post or text upload is not half-understood.
        match declared {
            Some(v) if is_json(&v) => Ok(JsonBytes(bytes)),
            None if bytes.is_empty() => Ok(JsonBytes(bytes)),
            _ => Err(AppError::UnsupportedMediaType),
        }
    }
}

/// `application/json` or any `application/*+json`, with or without parameters.
fn is_json(v: &axum::http::HeaderValue) -> bool {
    let Ok(v) = v.to_str() else { return false };
    let essence = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let msg = inner.to_string();
                // serde reports a missing field at its parent's path; name the field itself.
                let field = quoted_name(&msg)
                    .filter(|_| msg.starts_with("missing field"))
                    .map(|name| {
                        if path == "." {
                            name.to_string()
                        } else {
                            format!("{path}.{name}")
                        }
                    })
                    .unwrap_or(path);
                AppError::Invalid {
                    code: "invalid_field",
                    message: format!("字段无效 / invalid field: {msg}"),
                    field: Some(field),
                }
            }
            _ => AppError::BadRequest {
                message: format!("请求体不是有效的 JSON / malformed JSON: {inner}"),
                field: None,
            },
        }
    })?;
    de.end().map_err(|e| AppError::BadRequest {
        message: format!("请求体不是有效的 JSON / malformed JSON: {e}"),
        field: None,
    })?;
    Ok(value)
}

fn quoted_name(msg: &str) -> Option<&str> {
    let start = msg.find('`')? + 1;
    let len = msg[start..].find('`')?;
    Some(&msg[start..start + len])
}

/// Query parameters, parsed one by one with errors naming the parameter; unknown
/// parameters are refused (a typo must not silently widen a query).
pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(parts.uri.query().unwrap_or("").as_bytes()) {
            if map.insert(k.to_string(), v.to_string()).is_some() {
                return Err(bad_param(&k, "重复的参数 / repeated parameter"));
            }
        }
        Ok(Params(map))
    }
}

pub fn bad_param(name: &str, message: &str) -> AppError {
    AppError::BadRequest {
        message: format!("参数 {name} 无效 / invalid parameter {name}: {message}"),
        field: Some(name.to_string()),
    }
}

impl Params {
    pub fn take(&mut self, name: &str) -> Option<String> {
        self.0.remove(name).filter(|v| !v.is_empty())
    }
    pub fn take_parsed<T: std::str::FromStr>(
        &mut self,
        name: &str,
        what: &str,
    ) -> Result<Option<T>, AppError> {
        match self.take(name) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| bad_param(name, what)),
        }
    }
    pub fn require(&mut self, name: &str) -> Result<String, AppError> {
        self.take(name)
            .ok_or_else(|| bad_param(name, "必填 / required"))
    }
    /// Refuse anything not taken.
    pub fn finish(self) -> Result<(), AppError> {
        match self.0.keys().next() {
            Some(k) => Err(bad_param(k, "未知参数 / unknown parameter")),
            None => Ok(()),
        }
    }
}

/// A numeric id in the path; anything else cannot exist, so it is 404.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(raw): axum::extract::Path<String> =
            axum::extract::Path::from_request_parts(parts, state)
                .await
                .map_err(|_| AppError::not_found("记录", "record"))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Id)
            .ok_or_else(|| AppError::not_found("记录", "record"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::NewApprovalPush;

    fn field(body: &str) -> (u16, Option<String>) {
        match parse_json::<NewApprovalPush>(body.as_bytes()) {
            Ok(_) => (200, None),
            Err(e) => (e.status().as_u16(), e.body().error.field),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        assert_eq!(field("{not json"), (400, None));
        assert_eq!(field("[]").0, 422);
        assert_eq!(
            field(r#"{"item_name": 5}"#),
            (422, Some("item_name".into()))
        );
        assert_eq!(
            field(r#"{"item_name": "x"}"#),
            (422, Some("counterparty".into()))
        );
        assert_eq!(
            field(
                r#"{"item_name": "x", "counterparty": {"name": "n", "contact_name": "c", "contact_phone": "1", "fax": "2"}}"#
            ),
            (422, Some("counterparty.fax".into()))
        );
        assert_eq!(
            field(r#"{"item_name": "x", "recipients": ["a", 3]}"#),
            (422, Some("recipients[1]".into()))
        );
        assert_eq!(
            field(r#"{"license_date": "2026-02-30"}"#),
            (422, Some("license_date".into()))
        );
    }
}
