//! Credit approvals (art. 8) through the public API: the catalogue and verifications.

use super::{Client, Result};
use crate::api::*;

impl Client {
    pub async fn credit_catalogue(&self) -> Result<Vec<CatalogueItem>> {
        self.get("/api/v1/credit-catalogue").await
    }
    pub async fn verification(&self, id: i64) -> Result<VerificationTask> {
        self.get(&format!("/api/v1/verifications/{id}")).await
    }
    pub async fn record_verification(
        &self,
        id: i64,
        result: &NewVerificationResult,
    ) -> Result<VerificationTask> {
        self.post(&format!("/api/v1/verifications/{id}/result"), result)
            .await
    }
}
