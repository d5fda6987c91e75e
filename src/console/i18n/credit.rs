//! Text of commitment verification (信用审批核验, art. 8), one literal per language.

use crate::api::RevocationReason;

/// Verification results, their dialogs, and a revocation decision's details.
#[derive(Debug)]
pub struct CreditStrings {
    /// Details: the section of a revocation decision pushed to a supervising department.
    pub d_revocation: &'static str,
    pub d_reason: &'static str,
    pub d_findings: &'static str,
    pub reason_reverification_failed: &'static str,
    pub reason_broken_commitment: &'static str,
    pub reason_false_materials: &'static str,
    /// Result dialog, pass: `{}` the duty's title.
    pub dlg_pass: &'static str,
    /// Result dialog, fail: `{}` the duty's title.
    pub dlg_fail: &'static str,
    /// The dialog's hint line: how to switch between pass and fail.
    pub dlg_toggle: &'static str,
    pub st_recording: &'static str,
    pub st_passed: &'static str,
    pub st_failed: &'static str,
    pub st_revoked: &'static str,
    pub st_not_bureau: &'static str,
}

impl CreditStrings {
    pub fn reason(&self, r: RevocationReason) -> &'static str {
        match r {
            RevocationReason::ReverificationFailed => self.reason_reverification_failed,
            RevocationReason::BrokenCommitment => self.reason_broken_commitment,
            RevocationReason::FalseMaterials => self.reason_false_materials,
        }
    }
}

pub static ZH: CreditStrings = CreditStrings {
    d_revocation: "撤销审批决定",
    d_reason: "撤销原因",
    d_findings: "核验发现",
    reason_reverification_failed: "限期整改后仍未达到条件",
    reason_broken_commitment: "违反承诺约定",
    reason_false_materials: "提供虚假材料",
    dlg_pass: "核验通过：{}（说明可不填）",
    dlg_fail: "核验不通过：{}（须写明发现的问题）",
    dlg_toggle: "Tab 切换通过/不通过",
    st_recording: "正在记录核验结果：{}",
    st_passed: "已记录核验通过：{}",
    st_failed: "已记录核验不通过，进入整改：{}",
    st_revoked: "复核仍未通过，已撤销审批决定：{}",
    st_not_bureau: "只有审批部门可以记录核验结果：{}",
};

pub static EN: CreditStrings = CreditStrings {
    d_revocation: "Revocation decision",
    d_reason: "Reason",
    d_findings: "Findings",
    reason_reverification_failed: "still not compliant after rectification",
    reason_broken_commitment: "broken commitment",
    reason_false_materials: "false materials",
    dlg_pass: "Verification passed: {} (note optional)",
    dlg_fail: "Verification failed: {} (say what was found)",
    dlg_toggle: "Tab switches pass/fail",
    st_recording: "Recording the verification result: {}",
    st_passed: "Verification passed: {}",
    st_failed: "Verification failed, rectification opened: {}",
    st_revoked: "Failed again: approval revoked: {}",
    st_not_bureau: "Only the approval bureau records verification results: {}",
};
