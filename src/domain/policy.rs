//! Who may do what: the one answer to "may this principal do X to this record".
//!
//! The server's handlers ask [`check`] before they change anything, and the console asks
//! [`role_may`] before it offers a command, so the two cannot disagree. Pure: a function of
//! the principal, the action and the record's [`Audience`].
//!
//! To add an action (a licence action, a verification task, an inquiry letter…): add an
//! [`Action`] variant, its rule in [`check`], and its rows in the table test below.

use crate::api::{DepartmentKind, Role};

use super::Principal;

/// The departments a record concerns: who may see it, and who takes part in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Everyone signed in (a new department, a calendar year).
    Everyone,
    /// A record between two departments: `recipient` received it (claims it, raises
    /// questions on it); `sender` sent it (answers those questions). A dispute thread has
    /// the audience of its delivery: raised by the recipient, answered by the sender.
    Between { recipient: i64, sender: i64 },
}

impl Audience {
    /// The audience as stored in an event row (`dept_a`, `dept_b`; both `None`: everyone).
    pub fn from_columns(a: Option<i64>, b: Option<i64>) -> Self {
        match (a, b) {
            (None, None) => Self::Everyone,
            (Some(recipient), Some(sender)) => Self::Between { recipient, sender },
            // One department only: it is both sides.
            (Some(d), None) | (None, Some(d)) => Self::Between {
                recipient: d,
                sender: d,
            },
        }
    }

    /// The columns an event row stores this audience in.
    pub fn columns(self) -> (Option<i64>, Option<i64>) {
        match self {
            Self::Everyone => (None, None),
            Self::Between { recipient, sender } => (Some(recipient), Some(sender)),
        }
    }

    fn includes(self, department: Option<i64>) -> bool {
        match (self, department) {
            (Self::Everyone, _) => true,
            (Self::Between { recipient, sender }, Some(d)) => d == recipient || d == sender,
            (Self::Between { .. }, None) => false,
        }
    }
}

/// What a principal wants to do to a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read it (and receive its events).
    See,
    /// Claim (认领) a delivery (art. 7(1)1).
    Claim,
    /// Raise a question or dispute on a delivery.
    RaiseFeedback,
    /// Escalate (督办) a delivery.
    Escalate,
    /// Reply in a dispute thread.
    Reply,
    /// Resolve (办结) a dispute thread.
    Resolve,
    /// Push (推送) as a department of this kind: approval results (art. 7(1)) or
    /// supervision information (art. 7(2)). Concerns no record yet (`Audience::Everyone`).
    Push(DepartmentKind),
    /// Manage departments, accounts and API keys, load a holiday notice, set the test
    /// clock (`Audience::Everyone`).
    Administer,
    /// Issue the monthly bulletin (每月通报, art. 7) or a correction of it: the duty officer's
    /// month-end, and the admin's (`Audience::Everyone`).
    IssueBulletin,
    /// Nominate, withdraw or mark unavailable a member of a department's expert pools
    /// (art. 10): the roster's audience is `Between { recipient: the department, sender: the
    /// bureau }`. The department's own staff, the bureau that keeps the roster, or an admin.
    ManageRoster,
    /// Draw experts at random for a joint event (art. 10(3)): the bureau only.
    Draw,
    /// Schedule joint work (arts. 9–11): the bureau's staff (`Audience::Everyone`).
    ScheduleJointWork,
    /// Override the notice period of joint work in an emergency: admins only
    /// (`Audience::Everyone`).
    OverrideNotice,
    /// Reschedule or cancel joint work, record its minutes or its report: the organising
    /// department's staff (the event's audience for the principal, see
    /// `db::joint_events::JointEventRecord::audience_for`: the organiser is the sender).
    OrganiseJointWork,
    /// Acknowledge a notice, sign a joint report: a participating department's staff for
    /// itself (the participant is the recipient).
    Participate,
    /// Month-end oversight (arts. 14–15): read the audit chain head, annotate a ledger
    /// record. Duty officers and admins (`Audience::Everyone`).
    ReadAuditChain,
    AnnotateLedger,
    /// Send an inquiry letter (函询, art. 12): the staff of the bureau or of a supervision
    /// department, for their own department (`Audience::Everyone`). Writing in a letter's
    /// thread is `Reply` (the sender and the recipients are its parties; a letter's audience
    /// for a recipient has it as the recipient, the sending department as the sender).
    SendInquiry,
    /// Open a legacy case (art. 13): the bureau's staff (`Audience::Everyone`).
    OpenLegacyCase,
    /// Give a legacy case's review opinion, verify its rectification: the responsible
    /// department's staff (the case's recipient; the bureau is its sender).
    ReviewLegacyCase,
    /// Record the holder's rectification on the holder's behalf: either party's staff.
    RecordRectification,
    /// Take a legacy case's handling decision: the bureau's staff (the case's sender).
    DecideLegacyCase,
    /// Create or change an item of the credit-approval catalogue (art. 8): the bureau's
    /// staff or an admin (`Audience::Everyone`).
    MaintainCatalogue,
    /// Record the result of a commitment verification (art. 8): the verifying bureau's own
    /// staff (the task's audience for the principal: the bureau is the recipient).
    RecordVerification,
    /// Read the whole licence register and every holder's standing (issue 10): the approval
    /// bureau's staff (window staff judge admission), supervisors, duty officers, admins
    /// (`Audience::Everyone`). A supervision department reads only the licences it
    /// supervises, as `See` on the licence's audience.
    ReadRegister,
    /// File a credit-status supervision push about a holder (art. 7(2)1): the staff of a
    /// department that supervises a licence of the holder. The record is such a licence,
    /// `Between { recipient: the supervising department, sender: the issuing bureau }`.
    FileCreditStatus,
    /// File a licence-action letter (函告, art. 7(2)3): the staff of a supervision department
    /// that supervises the licence. The record is the licence, `Between { recipient: the
    /// supervising department, sender: the issuing bureau }`.
    FileLicenseAction,
    /// Decide a licence-action letter: the issuing bureau's staff (the letter's audience for
    /// the principal: the bureau is the recipient).
    DecideLicenseAction,
}

impl Action {
    /// The actions on a record between two departments.
    pub const ON_RECORDS: [Action; 6] = [
        Action::See,
        Action::Claim,
        Action::RaiseFeedback,
        Action::Escalate,
        Action::Reply,
        Action::Resolve,
    ];
}

/// Why an action is refused; the HTTP layer turns each into its status and message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The record is not the principal's to see: answer as if it did not exist (404).
    Hidden,
    /// Only the receiving department's staff (or its business system) may do this.
    NotRecipient,
    /// Only staff of the two departments concerned take part.
    NotParty,
    /// The principal's role may not do this.
    RoleMayNot,
    /// Only a participating department's staff take part (for their own department).
    NotParticipant,
    /// Only the organising department's staff manage joint work.
    NotOrganiser,
}

/// May `p` do `action` to a record whose audience is `record`?
pub fn check(p: &Principal, action: Action, record: Audience) -> Result<(), Refusal> {
    if !(p.role.sees_all() || record.includes(p.department_id)) {
        return Err(Refusal::Hidden);
    }
    // Staff act for their department (a business system's key is staff of its department).
    let staff = p.role.department_kind().is_some();
    let recipient =
        matches!(record, Audience::Between { recipient, .. } if p.department_id == Some(recipient));
    let party = matches!(record, Audience::Between { .. }) && record.includes(p.department_id);
    match action {
        Action::See => Ok(()),
        Action::Claim | Action::RaiseFeedback if staff && recipient => Ok(()),
        Action::Claim | Action::RaiseFeedback => Err(Refusal::NotRecipient),
        Action::Escalate if p.role == Role::Supervisor || (staff && party) => Ok(()),
        Action::Escalate => Err(Refusal::RoleMayNot),
        Action::Reply | Action::Resolve if staff && party => Ok(()),
        Action::Reply | Action::Resolve => Err(Refusal::NotParty),
        // A business system's key acts as staff of its department, so it may push too.
        Action::Push(kind)
            if p.role.department_kind() == Some(kind) && p.department_id.is_some() =>
        {
            Ok(())
        }
        Action::Administer | Action::OverrideNotice if p.role == Role::Admin => Ok(()),
        Action::IssueBulletin if matches!(p.role, Role::DutyOfficer | Role::Admin) => Ok(()),
        Action::ScheduleJointWork
            if p.role.department_kind() == Some(DepartmentKind::Approval)
                && p.department_id.is_some() =>
        {
            Ok(())
        }
        Action::ReadAuditChain | Action::AnnotateLedger
            if matches!(p.role, Role::DutyOfficer | Role::Admin) =>
        {
            Ok(())
        }
        Action::ReadRegister
            if p.role.sees_all()
                || (p.role == Role::ApprovalStaff && p.department_id.is_some()) =>
        {
            Ok(())
        }
        Action::FileCreditStatus
            if recipient && p.role.department_kind() == Some(DepartmentKind::Supervision) =>
        {
            Ok(())
        }
        Action::FileCreditStatus => Err(Refusal::NotRecipient),
        Action::FileLicenseAction
            if recipient && p.role.department_kind() == Some(DepartmentKind::Supervision) =>
        {
            Ok(())
        }
        Action::FileLicenseAction => Err(Refusal::RoleMayNot),
        Action::DecideLicenseAction if p.role == Role::ApprovalStaff && recipient => Ok(()),
        Action::DecideLicenseAction => Err(Refusal::RoleMayNot),
        Action::Push(_)
        | Action::Administer
        | Action::OverrideNotice
        | Action::ScheduleJointWork
        | Action::IssueBulletin
        | Action::ReadAuditChain
        | Action::AnnotateLedger
        | Action::ReadRegister => Err(Refusal::RoleMayNot),
        Action::OrganiseJointWork
            if staff
                && matches!(record, Audience::Between { sender, .. } if p.department_id == Some(sender)) =>
        {
            Ok(())
        }
        Action::OrganiseJointWork => Err(Refusal::NotOrganiser),
        Action::Participate if staff && recipient => Ok(()),
        Action::Participate => Err(Refusal::NotParticipant),
        Action::ManageRoster if p.role == Role::Admin => Ok(()),
        Action::ManageRoster if staff && recipient => Ok(()),
        Action::ManageRoster
            if p.role == Role::ApprovalStaff
                && matches!(record, Audience::Between { sender, .. } if p.department_id == Some(sender)) =>
        {
            Ok(())
        }
        Action::ManageRoster => Err(Refusal::RoleMayNot),
        Action::Draw if p.role == Role::ApprovalStaff && p.department_id.is_some() => Ok(()),
        Action::Draw => Err(Refusal::RoleMayNot),
        Action::SendInquiry if staff && p.department_id.is_some() => Ok(()),
        Action::OpenLegacyCase
            if p.role.department_kind() == Some(DepartmentKind::Approval)
                && p.department_id.is_some() =>
        {
            Ok(())
        }
        Action::SendInquiry | Action::OpenLegacyCase => Err(Refusal::RoleMayNot),
        Action::ReviewLegacyCase if staff && recipient => Ok(()),
        Action::ReviewLegacyCase => Err(Refusal::NotRecipient),
        Action::RecordRectification if staff && party => Ok(()),
        Action::RecordRectification => Err(Refusal::NotParty),
        Action::DecideLegacyCase
            if staff
                && matches!(record, Audience::Between { sender, .. } if p.department_id == Some(sender)) =>
        {
            Ok(())
        }
        Action::DecideLegacyCase => Err(Refusal::NotOrganiser),
        Action::MaintainCatalogue
            if p.role == Role::Admin
                || (p.role == Role::ApprovalStaff && p.department_id.is_some()) =>
        {
            Ok(())
        }
        Action::MaintainCatalogue => Err(Refusal::RoleMayNot),
        Action::RecordVerification if p.role == Role::ApprovalStaff && recipient => Ok(()),
        Action::RecordVerification => Err(Refusal::RoleMayNot),
    }
}

/// `check` as a yes/no.
pub fn may(p: &Principal, action: Action, record: Audience) -> bool {
    check(p, action, record).is_ok()
}

/// Whether a role may do `action` to some record it sees: what the console offers before a
/// record is chosen. Asked of [`check`] with a record of the role's own department, so the
/// two answers cannot drift apart.
pub fn role_may(role: Role, action: Action) -> bool {
    const OWN: i64 = 0;
    let p = Principal {
        user_id: None,
        api_key_id: None,
        name: String::new(),
        role,
        department_id: role.department_kind().map(|_| OWN),
    };
    let records = [
        Audience::Between {
            recipient: OWN,
            sender: OWN + 1,
        },
        Audience::Between {
            recipient: OWN + 1,
            sender: OWN,
        },
    ];
    records.into_iter().any(|r| may(&p, action, r))
}

#[cfg(test)]
mod tests;
