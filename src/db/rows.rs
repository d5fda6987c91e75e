//! Row types as stored, and their conversion to wire types. Enum columns decode through the
//! enums' one name derive (`api::wire_names!`, over `strum`): a stored name that is none of
//! them fails the read, naming the column and the value — it never becomes a default.

use crate::api::*;
use crate::domain::{Audience, from_millis, to_cst};

use super::Db;

/// Enum columns are TEXT holding the wire name: decoded as a string, then by the enum's
/// `TryFrom<String>` (an unknown name is a decode error of that column).
macro_rules! text_enum_columns {
    ($($ty:ty),*) => {$(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $ty
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $ty
        where
            String: sqlx::Decode<'r, DB>,
        {
            fn decode(
                value: <DB as sqlx::Database>::ValueRef<'r>,
            ) -> Result<Self, sqlx::error::BoxDynError> {
                let name = <String as sqlx::Decode<'r, DB>>::decode(value)?;
                Ok(<$ty>::try_from(name)?)
            }
        }
    )*};
}

text_enum_columns!(
    Role,
    DepartmentKind,
    DeliveryStatus,
    DisputeStatus,
    PushKind,
    DutyKind,
    DutyState,
    ExpertPool,
    ExpertStatus
);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DepartmentRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: DepartmentKind,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: Option<i64>,
    pub deactivated_at: Option<i64>,
}

impl UserRow {
    pub fn role(&self) -> Role {
        self.role
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
     d.feedback_deadline, d.deadline_provisional, d.claimed_at, d.claimed_by, d.escalated, p.admission_mode";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub push_id: i64,
    pub push_kind: PushKind,
    pub department_id: i64,
    pub source_department_id: i64,
    pub title: String,
    pub counterparty_name: Option<String>,
    pub license_no: Option<String>,
    pub important: bool,
    pub status: DeliveryStatus,
    pub received_at: i64,
    pub claim_deadline: i64,
    pub feedback_deadline: i64,
    pub deadline_provisional: bool,
    pub claimed_at: Option<i64>,
    pub claimed_by: Option<String>,
    pub escalated: bool,
    pub admission_mode: Option<String>,
}

impl DeliveryRow {
    pub fn to_api(&self, db: &Db) -> Delivery {
        Delivery {
            id: self.id,
            push_id: self.push_id,
            push_kind: self.push_kind,
            department: db.dept_code(self.department_id),
            source_department: db.dept_code(self.source_department_id),
            title: self.title.clone(),
            counterparty_name: self.counterparty_name.clone(),
            license_no: self.license_no.clone(),
            important: self.important,
            status: self.status,
            received_at: to_cst(from_millis(self.received_at)),
            claim_deadline: to_cst(from_millis(self.claim_deadline)),
            feedback_deadline: to_cst(from_millis(self.feedback_deadline)),
            deadline_provisional: self.deadline_provisional,
            claimed_at: self.claimed_at.map(|t| to_cst(from_millis(t))),
            claimed_by: self.claimed_by.clone(),
            escalated: self.escalated,
            admission: self
                .admission_mode
                .as_deref()
                .and_then(AdmissionMode::parse),
        }
    }
    /// The departments that may see this delivery's events.
    pub fn audience(&self) -> Audience {
        Audience::Between {
            recipient: self.department_id,
            sender: self.source_department_id,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PushRow {
    pub id: i64,
    pub kind: PushKind,
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
    pub status: DisputeStatus,
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
            status: self.status,
            opened_at: to_cst(from_millis(self.opened_at)),
            answer_due: to_cst(from_millis(self.answer_due)),
            answer_due_provisional: self.answer_due_provisional,
            resolved_at: self.resolved_at.map(|t| to_cst(from_millis(t))),
            resolution: self.resolution.clone(),
            messages,
        }
    }
    /// Raised by the delivery's recipient, answered by its sender.
    pub fn audience(&self) -> Audience {
        Audience::Between {
            recipient: self.raised_by_department_id,
            sender: self.answering_department_id,
        }
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

#[cfg(test)]
mod tests {
    use crate::db::{Db, DbError, Pool, people};

    /// A stored role that is none of the roles fails the read, naming the column and the
    /// value; it is never taken for some default role.
    #[tokio::test]
    async fn a_corrupt_stored_role_is_an_error_not_a_default() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("rows.db").display());
        let db = Db::connect(&url).await.unwrap();
        let Pool::Sqlite(pool) = db.pool() else {
            unreachable!("a SQLite test")
        };
        sqlx::query(
            "INSERT INTO users (username, password_hash, display_name, role, created_at) \
             VALUES ('mallory', 'x', 'M', 'superuser', 0)",
        )
        .execute(pool)
        .await
        .unwrap();
        let err = people::user_by_username(&db, "mallory").await.unwrap_err();
        assert!(
            matches!(&err, DbError::Sql(sqlx::Error::ColumnDecode { index, .. }) if index.contains("role")),
            "{err:?}"
        );
        let chain = crate::db::Chain(&err).to_string();
        assert!(chain.contains("\"superuser\" is not a role"), "{chain}");
        assert!(people::list_users(&db).await.is_err());
        db.close().await;
    }
}
