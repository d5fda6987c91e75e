//! The multipart body of `POST /api/v1/license-actions`: one JSON part `request` and zero or
//! more file parts `evidence`. Everything is read and checked before anything is stored, so
//! a refused upload (too large, wrong type, truncated) writes nothing.
//!
//! Accepted evidence (by the part's declared Content-Type, confirmed by the file's leading
//! bytes so a renamed file is refused too): PDF, JPEG, PNG, OFD (the national layout format,
//! a ZIP container), Word `.doc` (OLE container) and `.docx` (ZIP container).

use axum::extract::{FromRequest, Multipart, Request};
use sha2::{Digest, Sha256};

use crate::api::NewLicenseAction;
use crate::db::license_actions::NewFile;
use crate::domain::validate;
use crate::server::error::{AppError, AppResult};
use crate::server::extract::parse_json;

/// At most this many evidence files in one letter.
pub const MAX_FILES: usize = 20;
/// The `request` part's JSON is small.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

/// Media types accepted as evidence, with the leading bytes their files start with.
const ACCEPTED: &[(&str, &[u8])] = &[
    ("application/pdf", b"%PDF"),
    ("image/jpeg", &[0xFF, 0xD8, 0xFF]),
    ("image/png", &[0x89, b'P', b'N', b'G']),
    ("application/ofd", b"PK\x03\x04"),
    ("application/msword", &[0xD0, 0xCF, 0x11, 0xE0]),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
];

fn malformed(e: impl std::fmt::Display) -> AppError {
    AppError::BadRequest {
        message: format!(
            "multipart 请求体不完整或格式错误 / malformed or truncated multipart body: {e}"
        ),
        field: None,
    }
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        malformed(e.body_text())
    }
}

/// The request and its files, read whole and checked.
pub async fn read(req: Request, max_file: usize) -> AppResult<(NewLicenseAction, Vec<NewFile>)> {
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|e| AppError::BadRequest {
            message: format!(
                "请求体须为 multipart/form-data / the body must be multipart/form-data: {}",
                e.body_text()
            ),
            field: Some("Content-Type".into()),
        })?;
    let mut request = None;
    let mut files = Vec::new();
    while let Some(mut field) = mp.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        match name.as_str() {
            "request" => {
                if request.is_some() {
                    return Err(AppError::invalid(
                        "request",
                        "只能有一个 request 部分 / only one `request` part",
                    ));
                }
                let mut buf = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    buf.extend_from_slice(&chunk);
                    if buf.len() > MAX_REQUEST_BYTES {
                        return Err(AppError::FileTooLarge {
                            message: "request 部分过大 / the `request` part is too large".into(),
                            field: "request".into(),
                        });
                    }
                }
                let parsed: NewLicenseAction = parse_json(&buf).map_err(|e| match e {
                    AppError::Invalid {
                        code,
                        message,
                        field,
                    } => AppError::Invalid {
                        code,
                        message,
                        field: Some(match field {
                            Some(f) if f != "." => format!("request.{f}"),
                            _ => "request".into(),
                        }),
                    },
                    AppError::BadRequest { message, .. } => AppError::BadRequest {
                        message,
                        field: Some("request".into()),
                    },
                    other => other,
                })?;
                request = Some(parsed);
            }
            "evidence" => {
                let part = format!("evidence[{}]", files.len());
                if files.len() >= MAX_FILES {
                    return Err(AppError::invalid(
                        part,
                        format!("至多 {MAX_FILES} 个证据文件 / at most {MAX_FILES} evidence files"),
                    ));
                }
                let file_name = file_name(&part, field.file_name())?;
                let declared = field
                    .content_type()
                    .map(|t| {
                        t.split(';')
                            .next()
                            .unwrap_or("")
                            .trim()
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default();
                let Some((media_type, magic)) = ACCEPTED.iter().find(|(t, _)| *t == declared)
                else {
                    return Err(unsupported(&part, &file_name, &declared));
                };
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if bytes.len() + chunk.len() > max_file {
                        return Err(AppError::FileTooLarge {
                            message: format!(
                                "证据文件 {file_name} 超过 {max_file} 字节 / evidence file {file_name} is larger than {max_file} bytes"
                            ),
                            field: part,
                        });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                if bytes.is_empty() {
                    return Err(AppError::invalid(
                        part,
                        format!("证据文件 {file_name} 为空 / evidence file {file_name} is empty"),
                    ));
                }
                if !bytes.starts_with(magic) {
                    return Err(unsupported(
                        &part,
                        &file_name,
                        &format!("{declared} (内容不符 / content does not match)"),
                    ));
                }
                let sha256: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                files.push(NewFile {
                    file_name,
                    media_type: media_type.to_string(),
                    sha256,
                    bytes,
                });
            }
            other => {
                return Err(AppError::invalid(
                    other.to_string(),
                    format!(
                        "未知的部分 {other:?}：只接受 request 和 evidence / unknown part {other:?}: only `request` and `evidence`"
                    ),
                ));
            }
        }
    }
    let request = request.ok_or_else(|| {
        AppError::invalid(
            "request",
            "缺少 request 部分 / the JSON part `request` is missing",
        )
    })?;
    Ok((request, files))
}

fn unsupported(part: &str, file_name: &str, declared: &str) -> AppError {
    AppError::UnsupportedFile {
        message: format!(
            "证据文件 {file_name} 的类型 {declared} 不被接受（PDF、JPEG、PNG、OFD、DOC、DOCX） / evidence file {file_name} has type {declared:?}: accepted are PDF, JPEG, PNG, OFD, DOC and DOCX"
        ),
        field: part.to_string(),
    }
}

/// The file's name as given, without any directory, checked like any text.
fn file_name(part: &str, raw: Option<&str>) -> AppResult<String> {
    let raw = raw.unwrap_or("");
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let name = validate::text(&format!("{part}.filename"), base, 200)?;
    // The name goes back out in a Content-Disposition header: no quotes, no line breaks.
    if name.contains('"') || name.chars().any(char::is_control) {
        return Err(AppError::invalid(
            format!("{part}.filename"),
            "文件名不能含引号或控制字符 / a file name may not contain quotes or control characters",
        ));
    }
    Ok(name)
}
