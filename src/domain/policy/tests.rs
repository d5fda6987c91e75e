//! The policy's tables: every role against every action and audience.

use super::*;

const RECIPIENT: i64 = 3;
const SENDER: i64 = 1;
const OTHER: i64 = 2;
const RECORD: Audience = Audience::Between {
    recipient: RECIPIENT,
    sender: SENDER,
};

fn who(role: Role, dept: Option<i64>) -> Principal {
    Principal {
        user_id: Some(1),
        api_key_id: None,
        name: "u".into(),
        role,
        department_id: dept,
    }
}

use Action::*;
use Refusal::*;
use Role::*;

/// The answers to `Action::ON_RECORDS`, in order.
type Row = [Result<(), Refusal>; 6];

/// Role × department × action on a delivery (recipient 3, sender 1) — the rules the
/// handlers enforced one by one before this module existed.
#[test]
fn the_table() {
    #[rustfmt::skip]
    let table: &[(Role, Option<i64>, Row)] = &[
        //                                 See      Claim              RaiseFeedback      Escalate    Reply          Resolve
        (SupervisionStaff, Some(RECIPIENT), [Ok(()), Ok(()),            Ok(()),            Ok(()),     Ok(()),        Ok(())]),
        (ApprovalStaff,    Some(SENDER),    [Ok(()), Err(NotRecipient), Err(NotRecipient), Ok(()),     Ok(()),        Ok(())]),
        (SupervisionStaff, Some(OTHER),     [Err(Hidden); 6]),
        (SupervisionStaff, None,            [Err(Hidden); 6]),
        (Supervisor,       None,            [Ok(()), Err(NotRecipient), Err(NotRecipient), Ok(()),     Err(NotParty), Err(NotParty)]),
        (Supervisor,       Some(RECIPIENT), [Ok(()), Err(NotRecipient), Err(NotRecipient), Ok(()),     Err(NotParty), Err(NotParty)]),
        (DutyOfficer,      None,            [Ok(()), Err(NotRecipient), Err(NotRecipient), Err(RoleMayNot),  Err(NotParty), Err(NotParty)]),
        (Admin,            None,            [Ok(()), Err(NotRecipient), Err(NotRecipient), Err(RoleMayNot),  Err(NotParty), Err(NotParty)]),
    ];
    for (role, dept, expected) in table {
        let p = who(*role, *dept);
        for (action, want) in Action::ON_RECORDS.into_iter().zip(expected) {
            assert_eq!(
                check(&p, action, RECORD),
                *want,
                "{role:?} of {dept:?} doing {action:?}"
            );
        }
    }
}

#[test]
fn everyone_records_are_seen_by_all_and_acted_on_by_none() {
    for role in Role::ALL {
        let p = who(role, role.department_kind().map(|_| OTHER));
        assert_eq!(check(&p, See, Audience::Everyone), Ok(()));
        assert_eq!(check(&p, Claim, Audience::Everyone), Err(NotRecipient));
        assert_eq!(check(&p, Reply, Audience::Everyone), Err(NotParty));
    }
}

/// Pushing and administration concern no record: only the role (and for staff, having
/// a department) decides.
#[test]
fn pushing_and_administering() {
    use DepartmentKind::{Approval, Supervision};
    #[rustfmt::skip]
    let table = [
        // role, department, Push(Approval), Push(Supervision), Administer
        (ApprovalStaff,    Some(SENDER), [true,  false, false]),
        (SupervisionStaff, Some(OTHER),  [false, true,  false]),
        (SupervisionStaff, None,         [false, false, false]),
        (Supervisor,       None,         [false, false, false]),
        (DutyOfficer,      None,         [false, false, false]),
        (Admin,            None,         [false, false, true]),
    ];
    for (role, dept, expected) in table {
        let p = who(role, dept);
        let actions = [Push(Approval), Push(Supervision), Administer];
        for (action, want) in actions.into_iter().zip(expected) {
            let got = check(&p, action, Audience::Everyone);
            let refused = Err(RoleMayNot);
            assert_eq!(
                got,
                if want { Ok(()) } else { refused },
                "{role:?} {action:?}"
            );
        }
    }
}

/// Only the duty officer and the admin issue the bulletin; no department does.
#[test]
fn issuing_the_bulletin() {
    #[rustfmt::skip]
    let table = [
        (ApprovalStaff,    Some(SENDER), false),
        (SupervisionStaff, Some(OTHER),  false),
        (Supervisor,       None,         false),
        (DutyOfficer,      None,         true),
        (Admin,            None,         true),
    ];
    for (role, dept, want) in table {
        let got = check(&who(role, dept), IssueBulletin, Audience::Everyone);
        assert_eq!(got, if want { Ok(()) } else { Err(RoleMayNot) }, "{role:?}");
        assert_eq!(role_may(role, IssueBulletin), want, "{role:?} offered");
    }
}

/// What the console offers each role (before a record is chosen).
#[test]
fn roles_offered() {
    for role in [ApprovalStaff, SupervisionStaff] {
        assert!(
            Action::ON_RECORDS.into_iter().all(|a| role_may(role, a)),
            "{role:?}"
        );
    }
    assert!(role_may(Supervisor, Escalate));
    assert!(role_may(Supervisor, See));
    for role in [Supervisor, DutyOfficer, Admin] {
        for a in [Claim, RaiseFeedback, Reply, Resolve] {
            assert!(!role_may(role, a), "{role:?} {a:?}");
        }
    }
    assert!(!role_may(DutyOfficer, Escalate));
    assert!(!role_may(Admin, Escalate));
}

/// The expert roster of department 3, kept by the bureau 1; drawing concerns the bureau.
#[test]
fn roster_and_draws() {
    #[rustfmt::skip]
    let table = [
        // role, department, ManageRoster, Draw
        (SupervisionStaff, Some(RECIPIENT), Ok(()),          Err(RoleMayNot)),
        (ApprovalStaff,    Some(SENDER),    Ok(()),          Ok(())),
        (SupervisionStaff, Some(OTHER),     Err(Hidden),     Err(RoleMayNot)),
        (ApprovalStaff,    Some(OTHER),     Err(Hidden),     Ok(())),
        (Supervisor,       None,            Err(RoleMayNot), Err(RoleMayNot)),
        (DutyOfficer,      None,            Err(RoleMayNot), Err(RoleMayNot)),
        (Admin,            None,            Ok(()),          Err(RoleMayNot)),
    ];
    for (role, dept, roster, draw) in table {
        let p = who(role, dept);
        assert_eq!(check(&p, ManageRoster, RECORD), roster, "{role:?} {dept:?}");
        assert_eq!(
            check(&p, Draw, Audience::Everyone),
            draw,
            "{role:?} {dept:?}"
        );
    }
}

/// Joint work: a participant (3) of an event the bureau (1) organises, an outsider (2).
#[test]
fn joint_work() {
    #[rustfmt::skip]
    type JointRow = (Role, Option<i64>, [Result<(), Refusal>; 4]);
    let table: &[JointRow] = &[
        // role, department: Schedule, Override, Organise, Participate
        (
            ApprovalStaff,
            Some(SENDER),
            [Ok(()), Err(RoleMayNot), Ok(()), Err(NotParticipant)],
        ),
        (
            SupervisionStaff,
            Some(RECIPIENT),
            [Err(RoleMayNot), Err(RoleMayNot), Err(NotOrganiser), Ok(())],
        ),
        (
            SupervisionStaff,
            Some(OTHER),
            [Err(RoleMayNot), Err(RoleMayNot), Err(Hidden), Err(Hidden)],
        ),
        (
            ApprovalStaff,
            None,
            [Err(RoleMayNot), Err(RoleMayNot), Err(Hidden), Err(Hidden)],
        ),
        (
            Supervisor,
            None,
            [
                Err(RoleMayNot),
                Err(RoleMayNot),
                Err(NotOrganiser),
                Err(NotParticipant),
            ],
        ),
        (
            Admin,
            None,
            [
                Err(RoleMayNot),
                Ok(()),
                Err(NotOrganiser),
                Err(NotParticipant),
            ],
        ),
    ];
    for (role, dept, [schedule, over, organise, participate]) in table {
        let p = who(*role, *dept);
        assert_eq!(
            check(&p, ScheduleJointWork, Audience::Everyone),
            *schedule,
            "{role:?} schedule"
        );
        assert_eq!(
            check(&p, OverrideNotice, Audience::Everyone),
            *over,
            "{role:?} override"
        );
        assert_eq!(
            check(&p, OrganiseJointWork, RECORD),
            *organise,
            "{role:?} organise"
        );
        assert_eq!(
            check(&p, Participate, RECORD),
            *participate,
            "{role:?} participate"
        );
    }
}

/// The catalogue (everyone's record) and a verification task of the bureau 1 whose
/// licence department 3 supervises (its audience for department 3: recipient 3, sender 1;
/// for the bureau: itself on both sides).
#[test]
fn catalogue_and_verifications() {
    let own = Audience::Between {
        recipient: SENDER,
        sender: SENDER,
    };
    #[rustfmt::skip]
    let table = [
        // role, department, MaintainCatalogue, RecordVerification on the bureau's own task
        (ApprovalStaff,    Some(SENDER),    Ok(()),          Ok(())),
        (SupervisionStaff, Some(RECIPIENT), Err(RoleMayNot), Err(Hidden)),
        (Supervisor,       None,            Err(RoleMayNot), Err(RoleMayNot)),
        (DutyOfficer,      None,            Err(RoleMayNot), Err(RoleMayNot)),
        (Admin,            None,            Ok(()),          Err(RoleMayNot)),
    ];
    for (role, dept, catalogue, record) in table {
        let p = who(role, dept);
        assert_eq!(
            check(&p, MaintainCatalogue, Audience::Everyone),
            catalogue,
            "{role:?}"
        );
        assert_eq!(check(&p, RecordVerification, own), record, "{role:?}");
    }
    // The supervising department sees the task but may not record its result.
    let p = who(SupervisionStaff, Some(RECIPIENT));
    assert_eq!(check(&p, See, RECORD), Ok(()));
    assert_eq!(check(&p, RecordVerification, RECORD), Err(RoleMayNot));
    assert!(role_may(ApprovalStaff, RecordVerification));
    assert!(!role_may(SupervisionStaff, RecordVerification));
}

/// The licence register: the bureau and the roles that see all read all of it; a
/// credit-status push is filed by a department that supervises a licence of the holder
/// (the licence: supervised by 3, issued by 1).
#[test]
fn register_and_credit_filing() {
    #[rustfmt::skip]
    let table = [
        // role, department, ReadRegister, FileCreditStatus
        (ApprovalStaff,    Some(SENDER),    Ok(()),          Err(NotRecipient)),
        (SupervisionStaff, Some(RECIPIENT), Err(RoleMayNot), Ok(())),
        (SupervisionStaff, Some(OTHER),     Err(RoleMayNot), Err(Hidden)),
        (ApprovalStaff,    None,            Err(RoleMayNot), Err(Hidden)),
        (Supervisor,       None,            Ok(()),          Err(NotRecipient)),
        (DutyOfficer,      None,            Ok(()),          Err(NotRecipient)),
        (Admin,            None,            Ok(()),          Err(NotRecipient)),
    ];
    for (role, dept, read, file) in table {
        let p = who(role, dept);
        assert_eq!(
            check(&p, ReadRegister, Audience::Everyone),
            read,
            "{role:?} read"
        );
        assert_eq!(check(&p, FileCreditStatus, RECORD), file, "{role:?} file");
    }
}

/// Licence-action letters: filed by a department that supervises the licence (3, issued
/// by 1); decided by the bureau's staff on a letter addressed to it.
#[test]
fn license_action_letters() {
    let to_bureau = Audience::Between {
        recipient: SENDER,
        sender: RECIPIENT,
    };
    #[rustfmt::skip]
    let table = [
        // role, department, FileLicenseAction on the licence, DecideLicenseAction on the letter
        (ApprovalStaff,    Some(SENDER),    Err(RoleMayNot), Ok(())),
        (SupervisionStaff, Some(RECIPIENT), Ok(()),          Err(RoleMayNot)),
        (SupervisionStaff, Some(OTHER),     Err(Hidden),     Err(Hidden)),
        (Supervisor,       None,            Err(RoleMayNot), Err(RoleMayNot)),
        (Admin,            None,            Err(RoleMayNot), Err(RoleMayNot)),
    ];
    for (role, dept, file, decide) in table {
        let p = who(role, dept);
        assert_eq!(check(&p, FileLicenseAction, RECORD), file, "{role:?} file");
        assert_eq!(
            check(&p, DecideLicenseAction, to_bureau),
            decide,
            "{role:?} decide"
        );
    }
    assert!(role_may(ApprovalStaff, DecideLicenseAction));
    assert!(!role_may(SupervisionStaff, DecideLicenseAction));
}

#[test]
fn audience_columns_round_trip() {
    for a in [Audience::Everyone, RECORD] {
        let (x, y) = a.columns();
        assert_eq!(Audience::from_columns(x, y), a);
    }
    assert_eq!(
        Audience::from_columns(Some(4), None),
        Audience::Between {
            recipient: 4,
            sender: 4
        }
    );
}

/// Inquiry letters and legacy cases: the bureau (1, sender) and a department (3,
/// recipient) are the parties; 2 is an outsider.
#[test]
fn letters_and_legacy_cases() {
    type CaseRow = (Role, Option<i64>, [Result<(), Refusal>; 6]);
    #[rustfmt::skip]
    let table: &[CaseRow] = &[
        // role, department: SendInquiry, OpenLegacyCase, ReviewLegacyCase, RecordRectification, DecideLegacyCase, Reply
        (ApprovalStaff,    Some(SENDER),    [Ok(()), Ok(()), Err(NotRecipient), Ok(()), Ok(()), Ok(())]),
        (SupervisionStaff, Some(RECIPIENT), [Ok(()), Err(RoleMayNot), Ok(()), Ok(()), Err(NotOrganiser), Ok(())]),
        (SupervisionStaff, Some(OTHER),     [Ok(()), Err(RoleMayNot), Err(Hidden), Err(Hidden), Err(Hidden), Err(Hidden)]),
        (SupervisionStaff, None,            [Err(RoleMayNot), Err(RoleMayNot), Err(Hidden), Err(Hidden), Err(Hidden), Err(Hidden)]),
        (Supervisor,       None,            [Err(RoleMayNot), Err(RoleMayNot), Err(NotRecipient), Err(NotParty), Err(NotOrganiser), Err(NotParty)]),
        (Admin,            None,            [Err(RoleMayNot), Err(RoleMayNot), Err(NotRecipient), Err(NotParty), Err(NotOrganiser), Err(NotParty)]),
    ];
    for (role, dept, [send, open, review, rectify, decide, reply]) in table {
        let p = who(*role, *dept);
        assert_eq!(
            check(&p, SendInquiry, Audience::Everyone),
            *send,
            "{role:?} {dept:?} send"
        );
        assert_eq!(
            check(&p, OpenLegacyCase, Audience::Everyone),
            *open,
            "{role:?} {dept:?} open"
        );
        assert_eq!(
            check(&p, ReviewLegacyCase, RECORD),
            *review,
            "{role:?} {dept:?} review"
        );
        assert_eq!(
            check(&p, RecordRectification, RECORD),
            *rectify,
            "{role:?} {dept:?} rectify"
        );
        assert_eq!(
            check(&p, DecideLegacyCase, RECORD),
            *decide,
            "{role:?} {dept:?} decide"
        );
        assert_eq!(check(&p, Reply, RECORD), *reply, "{role:?} {dept:?} reply");
    }
}

/// The month-end oversight actions: duty officers and admins only, whatever the department.
#[test]
fn month_end_oversight() {
    #[rustfmt::skip]
    let table = [
        // role, department, ReadAuditChain and AnnotateLedger
        (ApprovalStaff,    Some(SENDER), false),
        (SupervisionStaff, Some(OTHER),  false),
        (Supervisor,       None,         false),
        (DutyOfficer,      None,         true),
        (Admin,            None,         true),
    ];
    for (role, dept, want) in table {
        let p = who(role, dept);
        for action in [ReadAuditChain, AnnotateLedger] {
            let got = check(&p, action, Audience::Everyone);
            assert_eq!(got.is_ok(), want, "{role:?} {action:?}");
            if !want {
                assert_eq!(got, Err(RoleMayNot), "{role:?} {action:?}");
            }
        }
    }
}
