//! Inquiry letters (art. 12) and legacy cases (art. 13) through the public API.

use super::{Client, Result};
use crate::api::*;

impl Client {
    pub async fn send_inquiry_letter(&self, l: &NewInquiryLetter) -> Result<InquiryLetter> {
        self.post("/api/v1/inquiry-letters", l).await
    }
    pub async fn inquiry_letter(&self, id: i64) -> Result<InquiryLetter> {
        self.get(&format!("/api/v1/inquiry-letters/{id}")).await
    }
    /// Letters sent or received (`direction`: `sent` | `received`; `status` of a reply).
    pub async fn inquiry_letters(
        &self,
        direction: Option<&str>,
        status: Option<&str>,
    ) -> Result<Page<InquiryLetter>> {
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(d) = direction {
            q.push(("direction", d));
        }
        if let Some(s) = status {
            q.push(("status", s));
        }
        self.get_query("/api/v1/inquiry-letters", &q).await
    }
    /// Write in a letter's thread (a recipient's first message answers it).
    pub async fn reply_inquiry_letter(&self, id: i64, body: &str) -> Result<InquiryLetter> {
        let body = NewInquiryMessage { body: body.into() };
        self.post(&format!("/api/v1/inquiry-letters/{id}/replies"), &body)
            .await
    }
    pub async fn open_legacy_case(&self, c: &NewLegacyCase) -> Result<LegacyCase> {
        self.post("/api/v1/legacy-cases", c).await
    }
    pub async fn legacy_case(&self, id: i64) -> Result<LegacyCase> {
        self.get(&format!("/api/v1/legacy-cases/{id}")).await
    }
    pub async fn legacy_cases(&self, state: Option<&str>) -> Result<Page<LegacyCase>> {
        let q: Vec<(&str, &str)> = state.map(|s| ("state", s)).into_iter().collect();
        self.get_query("/api/v1/legacy-cases", &q).await
    }
    pub async fn legacy_opinion(&self, id: i64, body: &LegacyOpinion) -> Result<LegacyCase> {
        self.post(&format!("/api/v1/legacy-cases/{id}/opinion"), body)
            .await
    }
    pub async fn legacy_rectification(&self, id: i64, body: &str) -> Result<LegacyCase> {
        let body = LegacyRectification { body: body.into() };
        self.post(&format!("/api/v1/legacy-cases/{id}/rectification"), &body)
            .await
    }
    pub async fn legacy_verification(
        &self,
        id: i64,
        body: &LegacyVerification,
    ) -> Result<LegacyCase> {
        self.post(&format!("/api/v1/legacy-cases/{id}/verification"), body)
            .await
    }
    pub async fn legacy_decision(&self, id: i64, body: &LegacyDecision) -> Result<LegacyCase> {
        self.post(&format!("/api/v1/legacy-cases/{id}/decision"), body)
            .await
    }
}
