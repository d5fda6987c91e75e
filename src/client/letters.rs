//! Licence-action letters (函告, art. 7(2)3) through the public API. The request is
//! multipart/form-data, built here by hand (one JSON part and the file parts), so the client
//! needs no multipart library.

use reqwest::Method;

use super::{Client, ClientError, Result};
use crate::api::*;

/// An evidence file to upload: its name, media type and bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// The boundary [`multipart_body`] uses (never in a JSON body; a file containing it would end
/// its part early, so callers with arbitrary files pick their own).
pub const BOUNDARY: &str = "shenguan-letter-7f3a9c1e5b";

/// A multipart/form-data body: the JSON part `request` and one `evidence` part per file.
pub fn multipart_body(boundary: &str, request: &NewLicenseAction, files: &[Upload]) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"request\"\r\nContent-Type: application/json\r\n\r\n").as_bytes());
    b.extend_from_slice(&serde_json::to_vec(request).unwrap_or_default());
    b.extend_from_slice(b"\r\n");
    for f in files {
        b.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                f.file_name.replace('"', "_"),
                f.media_type
            )
            .as_bytes(),
        );
        b.extend_from_slice(&f.bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    b
}

impl Client {
    pub async fn create_license_action(
        &self,
        request: &NewLicenseAction,
        files: &[Upload],
    ) -> Result<LicenseAction> {
        let rb = self
            .request(Method::POST, "/api/v1/license-actions")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(multipart_body(BOUNDARY, request, files));
        Self::send(rb).await
    }
    pub async fn license_action(&self, id: i64) -> Result<LicenseAction> {
        self.get(&format!("/api/v1/license-actions/{id}")).await
    }
    pub async fn license_actions(
        &self,
        state: Option<LicenseActionState>,
    ) -> Result<Page<LicenseAction>> {
        let q = state
            .map(|s| format!("?state={}", s.as_str()))
            .unwrap_or_default();
        self.get(&format!("/api/v1/license-actions{q}")).await
    }
    pub async fn decide_license_action(
        &self,
        id: i64,
        decision: &LicenseActionDecisionInput,
    ) -> Result<LicenseAction> {
        self.post(&format!("/api/v1/license-actions/{id}/decision"), decision)
            .await
    }
    /// An evidence file's bytes with its Content-Type and Content-Disposition.
    pub async fn license_action_evidence(
        &self,
        id: i64,
        file_id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        let resp = self
            .request(
                Method::GET,
                &format!("/api/v1/license-actions/{id}/evidence/{file_id}"),
            )
            .send()
            .await
            .map_err(|e| super::trust::classify(&e))?;
        let status = resp.status();
        let header = |n: reqwest::header::HeaderName| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        let (ty, disp) = (
            header(reqwest::header::CONTENT_TYPE),
            header(reqwest::header::CONTENT_DISPOSITION),
        );
        let bytes = resp.bytes().await.map_err(|e| super::trust::classify(&e))?;
        if !status.is_success() {
            let body = serde_json::from_slice::<ErrorBody>(&bytes)
                .map_err(|e| ClientError::Decode(e.to_string()))?;
            return Err(ClientError::Api { status, body });
        }
        Ok((ty, disp, bytes.to_vec()))
    }
}
