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

    /// May this principal see a record whose audience is these departments?
    /// (`None, None` = everyone.) Another department's record is answered 404.
    pub fn can_see(&self, audience: (Option<i64>, Option<i64>)) -> bool {
        if self.sees_all() {
            return true;
        }
        match audience {
            (None, None) => true,
            (a, b) => {
                self.department_id.is_some() && (self.department_id == a || self.department_id == b)
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(dept: i64) -> Principal {
        Principal {
            user_id: Some(1),
            api_key_id: None,
            name: "u".into(),
            role: Role::SupervisionStaff,
            department_id: Some(dept),
        }
    }

    #[test]
    fn department_sees_only_its_own() {
        assert!(staff(3).can_see((Some(3), Some(1))));
        assert!(staff(1).can_see((Some(3), Some(1))));
        assert!(!staff(2).can_see((Some(3), Some(1))));
        assert!(staff(2).can_see((None, None)));
        let mut sup = staff(2);
        sup.role = Role::Supervisor;
        assert!(sup.can_see((Some(3), Some(1))));
    }
}
