//! Who is acting: a person (through a session token) or a business system (an API key).

use crate::api::Role;

#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: Option<i64>,
    pub api_key_id: Option<i64>,
    /// Username, or `api-key:NAME`: what the audit log and `claimed_by` record.
    pub name: String,
    pub role: Role,
    pub department_id: Option<i64>,
}

impl Principal {
    pub fn sees_all(&self) -> bool {
        self.role.sees_all()
    }

    /// The system itself (sweeper, calendar loader).
    pub fn system() -> Self {
        Self {
            user_id: None,
            api_key_id: None,
            name: "system".into(),
            role: Role::Admin,
            department_id: None,
        }
    }
}
