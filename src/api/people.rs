use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    ToSchema,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum DepartmentKind {
    /// 行政审批服务局
    Approval,
    /// 监管部门
    Supervision,
}

super::wire_names!(DepartmentKind, "department kind");

#[derive(
    Debug,
    Clone,
    Copy,
    Serialize,
    Deserialize,
    ToSchema,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Role {
    ApprovalStaff,
    SupervisionStaff,
    Supervisor,
    DutyOfficer,
    Admin,
}

super::wire_names!(Role, "role");

impl Role {
    pub const ALL: [Role; 5] = [
        Role::ApprovalStaff,
        Role::SupervisionStaff,
        Role::Supervisor,
        Role::DutyOfficer,
        Role::Admin,
    ];
    /// Supervisors, duty officers and admins see every department's records.
    pub fn sees_all(self) -> bool {
        matches!(self, Self::Supervisor | Self::DutyOfficer | Self::Admin)
    }
    /// Staff roles belong to exactly one department of the matching kind.
    pub fn department_kind(self) -> Option<DepartmentKind> {
        match self {
            Self::ApprovalStaff => Some(DepartmentKind::Approval),
            Self::SupervisionStaff => Some(DepartmentKind::Supervision),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    /// Short stable code, `[a-z0-9_-]{2,32}`, e.g. `market`.
    #[schema(pattern = "^[a-z0-9_-]{2,32}$")]
    pub code: String,
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    pub kind: DepartmentKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Department {
    pub code: String,
    pub name: String,
    pub kind: DepartmentKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(pattern = "^[A-Za-z0-9_.-]{3,32}$")]
    pub username: String,
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub display_name: String,
    pub role: Role,
    /// Department code; required for staff roles, optional for the others.
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    #[serde(default)]
    pub department: Option<String>,
    /// False once an admin has deactivated the account (it cannot sign in).
    #[serde(default = "active_by_default")]
    pub active: bool,
}

fn active_by_default() -> bool {
    true
}

/// `PUT /api/v1/me/password`: change one's own password (other sessions are signed out).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// `PUT /api/v1/users/{id}/password`: an admin sets a new password (all sessions end).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionCreated {
    /// Opaque bearer token; the server stores only its hash.
    pub token: String,
    pub user: User,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiKey {
    /// What the key is for, e.g. `审批业务系统`.
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// The department whose business system pushes with this key.
    #[schema(pattern = "^[a-z0-9_-]{2,32}$")]
    pub department: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiKeyCreated {
    pub id: i64,
    pub name: String,
    pub department: String,
    /// Shown once; the server stores only its hash.
    pub key: String,
}

/// `GET /api/v1/me`: who the bearer is.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Me {
    pub user: Option<User>,
    /// Set when the caller is an API key rather than a person.
    pub api_key: Option<String>,
    pub role: Role,
    pub department: Option<String>,
}
