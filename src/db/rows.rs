//! Row types as stored, and their conversion to wire types.

use crate::api::*;
use crate::domain::{from_millis, to_cst};

use super::Db;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: String,
    pub department_id: Option<i64>,
    pub deactivated_at: Option<i64>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        // Roles are only ever written from the `Role` enum.
        Role::parse(&self.role).unwrap_or(Role::SupervisionStaff)
    }
    pub fn to_api(&self, db: &Db) -> User {
        User {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role(),
            department: self.department_id.map(|d| db.dept_code(d)),
            active: self.deactivated_at.is_none(),
        }
    }
}

/// The columns of a delivery joined with its push's list fields.
pub const DELIVERY_COLUMNS: &str = "d.id, d.push_id, p.kind AS push_kind, d.department_id, d.source_department_id, \
     p.title, p.counterparty_name, p.license_no, p.important, d.status, d.received_at, d.claim_deadline, \
     d.feedback_deadline, d.deadline_provisional, d.claimed_at, d.claimed_by, d.escalated";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub push_id: i64,
    pub push_kind: String,
    pub department_id: i64,
    pub source_department_id: i64,
    pub title: String,
    pub counterparty_name: Option<String>,
    pub license_no: Option<String>,
    pub important: bool,
    pub status: String,
    pub received_at: i64,
    pub claim_deadline: i64,
    pub feedback_deadline: i64,
    pub deadline_provisional: bool,
    pub claimed_at: Option<i64>,
    pub claimed_by: Option<String>,
    pub escalated: bool,
}

impl DeliveryRow {
    pub fn to_api(&self, db: &Db) -> Delivery {
        Delivery {
            id: self.id,
            push_id: self.push_id,
            push_kind: PushKind::parse(&self.push_kind).unwrap_or(PushKind::Approval),
            department: db.dept_code(self.department_id),
            source_department: db.dept_code(self.source_department_id),
            title: self.title.clone(),
            counterparty_name: self.counterparty_name.clone(),
            license_no: self.license_no.clone(),
            important: self.important,
            status: DeliveryStatus::parse(&self.status).unwrap_or(DeliveryStatus::Pending),
            received_at: to_cst(from_millis(self.received_at)),
            claim_deadline: to_cst(from_millis(self.claim_deadline)),
            feedback_deadline: to_cst(from_millis(self.feedback_deadline)),
            deadline_provisional: self.deadline_provisional,
            claimed_at: self.claimed_at.map(|t| to_cst(from_millis(t))),
            claimed_by: self.claimed_by.clone(),
            escalated: self.escalated,
        }
    }
    /// The departments that may see this delivery's events.
    pub fn audience(&self) -> (Option<i64>, Option<i64>) {
        (Some(self.department_id), Some(self.source_department_id))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PushRow {
    pub id: i64,
    pub kind: String,
    pub source_department_id: i64,
    pub content: String,
    pub created_at: i64,
    pub created_by: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DisputeRow {
    pub id: i64,
    pub delivery_id: i64,
    pub raised_by_department_id: i64,
    pub answering_department_id: i64,
    pub subject: String,
    pub status: String,
    pub opened_at: i64,
    pub answer_due: i64,
    pub answer_due_provisional: bool,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub dispute_id: i64,
    pub author: String,
    pub department_id: Option<i64>,
    pub body: String,
    pub at: i64,
}

impl MessageRow {
    pub fn to_api(&self, db: &Db) -> Message {
        Message {
            id: self.id,
            author: self.author.clone(),
            department: self.department_id.map(|d| db.dept_code(d)),
            body: self.body.clone(),
            at: to_cst(from_millis(self.at)),
        }
    }
}

impl DisputeRow {
    pub fn to_api(&self, db: &Db, messages: Vec<Message>) -> Dispute {
        Dispute {
            id: self.id,
            delivery_id: self.delivery_id,
            subject: self.subject.clone(),
            raised_by_department: db.dept_code(self.raised_by_department_id),
            answering_department: db.dept_code(self.answering_department_id),
            status: if self.status == "resolved" {
                DisputeStatus::Resolved
            } else {
                DisputeStatus::Open
            },
            opened_at: to_cst(from_millis(self.opened_at)),
            answer_due: to_cst(from_millis(self.answer_due)),
            answer_due_provisional: self.answer_due_provisional,
            resolved_at: self.resolved_at.map(|t| to_cst(from_millis(t))),
            resolution: self.resolution.clone(),
            messages,
        }
    }
    pub fn audience(&self) -> (Option<i64>, Option<i64>) {
        (
            Some(self.raised_by_department_id),
            Some(self.answering_department_id),
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EscalationRow {
    pub id: i64,
    pub delivery_id: i64,
    pub by_name: String,
    pub reason: String,
    pub at: i64,
}

impl EscalationRow {
    pub fn to_api(&self) -> Escalation {
        Escalation {
            id: self.id,
            delivery_id: self.delivery_id,
            by: self.by_name.clone(),
            reason: self.reason.clone(),
            at: to_cst(from_millis(self.at)),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    pub dept_a: Option<i64>,
    pub dept_b: Option<i64>,
    pub data: String,
    pub at: i64,
}
