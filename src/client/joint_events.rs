//! Joint work (arts. 9–11) through the public API.

use super::{Client, Result};
use crate::api::*;

impl Client {
    /// Joint work from `from` to `to` (dates `YYYY-MM-DD` or RFC 3339; server defaults
    /// when `None`).
    pub async fn joint_events(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<JointEventList> {
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(f) = from {
            q.push(("from", f));
        }
        if let Some(t) = to {
            q.push(("to", t));
        }
        self.get_query("/api/v1/joint-events", &q).await
    }
    pub async fn joint_event(&self, id: i64) -> Result<JointEvent> {
        self.get(&format!("/api/v1/joint-events/{id}")).await
    }
    pub async fn schedule_joint_event(&self, e: &NewJointEvent) -> Result<JointEvent> {
        self.post("/api/v1/joint-events", e).await
    }
    pub async fn acknowledge_joint_event(&self, id: i64) -> Result<JointEvent> {
        self.post(
            &format!("/api/v1/joint-events/{id}/acknowledge"),
            &serde_json::json!({}),
        )
        .await
    }
    pub async fn reschedule_joint_event(
        &self,
        id: i64,
        body: &RescheduleJointEvent,
    ) -> Result<JointEvent> {
        self.post(&format!("/api/v1/joint-events/{id}/reschedule"), body)
            .await
    }
    pub async fn cancel_joint_event(&self, id: i64, reason: &str) -> Result<JointEvent> {
        let body = CancelJointEvent {
            reason: reason.into(),
        };
        self.post(&format!("/api/v1/joint-events/{id}/cancel"), &body)
            .await
    }
    pub async fn joint_minutes(&self, id: i64, body: &NewMinutes) -> Result<JointEvent> {
        self.post(&format!("/api/v1/joint-events/{id}/minutes"), body)
            .await
    }
    pub async fn record_joint_report(&self, id: i64, body: &str) -> Result<JointEvent> {
        let body = NewJointReport { body: body.into() };
        self.post(&format!("/api/v1/joint-events/{id}/report"), &body)
            .await
    }
    pub async fn sign_joint_report(
        &self,
        id: i64,
        agree: bool,
        comment: Option<&str>,
    ) -> Result<JointEvent> {
        let body = NewSignature {
            agree,
            comment: comment.map(str::to_string),
        };
        self.post(
            &format!("/api/v1/joint-events/{id}/report/signatures"),
            &body,
        )
        .await
    }
}
