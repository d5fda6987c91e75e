//! The expert registry and the draws, for the console, `shenguan draw verify` and the tests.

use crate::api::*;

use super::{Client, Result};

impl Client {
    pub async fn nominate_expert(&self, e: &NewExpert) -> Result<Expert> {
        self.post("/api/v1/experts", e).await
    }
    pub async fn experts(
        &self,
        pool: Option<ExpertPool>,
        department: Option<&str>,
    ) -> Result<ExpertRoster> {
        let mut q: Vec<(&str, &str)> = Vec::new();
        if let Some(p) = pool {
            q.push(("pool", p.as_str()));
        }
        if let Some(d) = department {
            q.push(("department", d));
        }
        self.get_query("/api/v1/experts", &q).await
    }
    pub async fn expert(&self, id: i64) -> Result<ExpertDetail> {
        self.get(&format!("/api/v1/experts/{id}")).await
    }
    pub async fn withdraw_expert(&self, id: i64, reason: &str) -> Result<Expert> {
        let body = WithdrawExpert {
            reason: reason.into(),
        };
        self.post(&format!("/api/v1/experts/{id}/withdraw"), &body)
            .await
    }
    pub async fn set_expert_availability(
        &self,
        id: i64,
        body: &ExpertAvailability,
    ) -> Result<Expert> {
        self.put(&format!("/api/v1/experts/{id}/availability"), body)
            .await
    }
    pub async fn make_draw(&self, event_id: i64, d: &NewDraw) -> Result<Draw> {
        self.post(&format!("/api/v1/joint-events/{event_id}/draws"), d)
            .await
    }
    pub async fn event_draws(&self, event_id: i64) -> Result<EventDraws> {
        self.get(&format!("/api/v1/joint-events/{event_id}/draws"))
            .await
    }
    pub async fn draw(&self, id: i64) -> Result<Draw> {
        self.get(&format!("/api/v1/draws/{id}")).await
    }
    pub async fn draw_verification(&self, id: i64) -> Result<DrawVerification> {
        self.get(&format!("/api/v1/draws/{id}/verification")).await
    }
}
