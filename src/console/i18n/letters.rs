//! Text of licence-action letters (函告, art. 7(2)3), one literal per language.

use crate::api::{LicenseActionKind, LicenseActionOutcome};

/// The bureau's decision dialog and a decision's details.
#[derive(Debug)]
pub struct LetterStrings {
    /// Details: the section of a decision pushed to a department.
    pub d_decision: &'static str,
    /// Details: the section of a letter delivered to the bureau.
    pub d_request: &'static str,
    pub d_basis: &'static str,
    pub d_action: &'static str,
    pub d_outcome: &'static str,
    pub d_decision_no: &'static str,
    pub d_effective: &'static str,
    pub d_reasons: &'static str,
    pub change: &'static str,
    pub withdraw: &'static str,
    pub revoke: &'static str,
    pub cancel: &'static str,
    pub accept: &'static str,
    pub reject: &'static str,
    /// Decision dialog, accept: `{}` the duty's title. The first line is the decision number.
    pub dlg_accept: &'static str,
    /// Decision dialog, reject: `{}` the duty's title.
    pub dlg_reject: &'static str,
    pub dlg_toggle: &'static str,
    pub st_deciding: &'static str,
    pub st_accepted: &'static str,
    pub st_rejected: &'static str,
    pub st_not_bureau: &'static str,
}

impl LetterStrings {
    pub fn action(&self, a: LicenseActionKind) -> &'static str {
        match a {
            LicenseActionKind::Change => self.change,
            LicenseActionKind::Withdraw => self.withdraw,
            LicenseActionKind::Revoke => self.revoke,
            LicenseActionKind::Cancel => self.cancel,
        }
    }
    pub fn outcome(&self, o: LicenseActionOutcome) -> &'static str {
        match o {
            LicenseActionOutcome::Accept => self.accept,
            LicenseActionOutcome::Reject => self.reject,
        }
    }
}

pub static ZH: LetterStrings = LetterStrings {
    d_decision: "函告决定",
    d_request: "函告",
    d_basis: "依据",
    d_action: "请求事项",
    d_outcome: "决定",
    d_decision_no: "决定文号",
    d_effective: "生效日期",
    d_reasons: "理由",
    change: "变更",
    withdraw: "撤回",
    revoke: "撤销",
    cancel: "注销",
    accept: "同意",
    reject: "不同意",
    dlg_accept: "同意函告：{}（首行为决定文号）",
    dlg_reject: "不同意函告：{}（须写明理由）",
    dlg_toggle: "Tab 切换同意/不同意",
    st_deciding: "正在提交函告决定：{}",
    st_accepted: "已同意函告：{}",
    st_rejected: "已不同意函告：{}",
    st_not_bureau: "只有发证的审批部门可以决定函告：{}",
};

pub static EN: LetterStrings = LetterStrings {
    d_decision: "Letter decision",
    d_request: "Licence-action letter",
    d_basis: "Basis",
    d_action: "Requested action",
    d_outcome: "Decision",
    d_decision_no: "Decision no.",
    d_effective: "Effective",
    d_reasons: "Reasons",
    change: "change",
    withdraw: "withdraw",
    revoke: "revoke",
    cancel: "cancel",
    accept: "accepted",
    reject: "rejected",
    dlg_accept: "Accept the letter: {} (first line: decision no.)",
    dlg_reject: "Reject the letter: {} (give the reasons)",
    dlg_toggle: "Tab switches accept/reject",
    st_deciding: "Sending the letter decision: {}",
    st_accepted: "Letter accepted: {}",
    st_rejected: "Letter rejected: {}",
    st_not_bureau: "Only the issuing bureau decides letters: {}",
};
