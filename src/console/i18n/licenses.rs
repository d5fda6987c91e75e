//! The licence and holder lookup's text (issue 10), one literal per language.

use crate::api::{Admission, CreditStatus, LicenseState};

/// Text of the lookup overlay and the admission marks in the queue and details.
#[derive(Debug)]
pub struct LicenseStrings {
    /// Queue mark of a delivery whose holder is under restricted admission (限制准入).
    pub restricted_mark: &'static str,
    /// … under strict admission (严格准入).
    pub strict_mark: &'static str,
    pub admission_normal: &'static str,
    pub admission_restricted: &'static str,
    pub admission_strict: &'static str,
    pub state_active: &'static str,
    pub state_changed: &'static str,
    pub state_withdrawn: &'static str,
    pub state_revoked: &'static str,
    pub state_cancelled: &'static str,
    pub state_expired: &'static str,
    pub credit_abnormal: &'static str,
    pub credit_dishonest: &'static str,
    pub credit_cleared: &'static str,
    /// Details: the push's admission acknowledgement (`{}` regime, `{}` reason).
    pub d_admission: &'static str,
    pub lookup_title: &'static str,
    pub lookup_prompt: &'static str,
    /// `{}` the confirm key, `{}` the cancel key.
    pub lookup_hint: &'static str,
    pub lookup_searching: &'static str,
    /// `{}` the query.
    pub lookup_none: &'static str,
    pub sec_holder: &'static str,
    pub sec_credit: &'static str,
    pub sec_licenses: &'static str,
    /// `{}` the licence number.
    pub sec_history: &'static str,
    pub f_holder: &'static str,
    pub f_standing: &'static str,
    pub f_reason: &'static str,
    pub in_force: &'static str,
    pub not_in_force: &'static str,
    pub ev_approved: &'static str,
    pub ev_reissued: &'static str,
    pub ev_commitment: &'static str,
    pub ev_verification_passed: &'static str,
    pub ev_verification_failed: &'static str,
    pub ev_changed: &'static str,
    pub ev_withdrawn: &'static str,
    pub ev_revoked: &'static str,
    pub ev_cancelled: &'static str,
    pub long_term: &'static str,
}

impl LicenseStrings {
    pub fn admission(&self, a: Admission) -> &'static str {
        match a {
            Admission::Normal => self.admission_normal,
            Admission::Restricted => self.admission_restricted,
            Admission::Strict => self.admission_strict,
        }
    }
    pub fn state(&self, s: LicenseState) -> &'static str {
        match s {
            LicenseState::Active => self.state_active,
            LicenseState::Changed => self.state_changed,
            LicenseState::Withdrawn => self.state_withdrawn,
            LicenseState::Revoked => self.state_revoked,
            LicenseState::Cancelled => self.state_cancelled,
            LicenseState::Expired => self.state_expired,
        }
    }
    pub fn credit(&self, c: CreditStatus) -> &'static str {
        match c {
            CreditStatus::AbnormalOperation => self.credit_abnormal,
            CreditStatus::Dishonest => self.credit_dishonest,
            CreditStatus::Cleared => self.credit_cleared,
        }
    }
    /// A history event's label: the licence's whole life (approval, re-issue, commitment,
    /// verification results, letters' state changes, revocation); an unknown event as recorded.
    pub fn event<'a>(&self, e: &'a str) -> &'a str {
        match e {
            "approved" => self.ev_approved,
            "reissued" => self.ev_reissued,
            "commitment" => self.ev_commitment,
            "verification_passed" => self.ev_verification_passed,
            "verification_failed" => self.ev_verification_failed,
            "changed" => self.ev_changed,
            "withdrawn" => self.ev_withdrawn,
            "revoked" => self.ev_revoked,
            "cancelled" => self.ev_cancelled,
            other => other,
        }
    }
}

pub static ZH: LicenseStrings = LicenseStrings {
    restricted_mark: "限",
    strict_mark: "严",
    admission_normal: "正常准入",
    admission_restricted: "限制准入",
    admission_strict: "严格准入",
    state_active: "有效",
    state_changed: "已变更",
    state_withdrawn: "已撤回",
    state_revoked: "已撤销",
    state_cancelled: "已注销",
    state_expired: "已过期",
    credit_abnormal: "经营异常名录",
    credit_dishonest: "严重失信主体名单",
    credit_cleared: "已移出（信用修复）",
    d_admission: "准入管理",
    lookup_title: "查询许可证 / 行政相对人",
    lookup_prompt: "许可证编号、信用代码或名称：",
    lookup_hint: "{} 查询 · {} 关闭 · ↑↓ 滚动",
    lookup_searching: "查询中…",
    lookup_none: "未找到与“{}”相关的许可证",
    sec_holder: "行政相对人",
    sec_credit: "信用记录",
    sec_licenses: "许可证",
    sec_history: "许可证 {} 的历史",
    f_holder: "名称 / 代码",
    f_standing: "准入",
    f_reason: "依据",
    in_force: "有效",
    not_in_force: "已失效",
    ev_approved: "审批推送",
    ev_reissued: "换发 / 变更",
    ev_commitment: "告知承诺（待核查）",
    ev_verification_passed: "承诺核查通过",
    ev_verification_failed: "承诺核查未通过（整改）",
    ev_changed: "函告变更",
    ev_withdrawn: "撤回",
    ev_revoked: "撤销",
    ev_cancelled: "注销",
    long_term: "长期",
};

pub static EN: LicenseStrings = LicenseStrings {
    restricted_mark: "R",
    strict_mark: "S",
    admission_normal: "normal admission",
    admission_restricted: "restricted admission",
    admission_strict: "strict admission",
    state_active: "active",
    state_changed: "changed",
    state_withdrawn: "withdrawn",
    state_revoked: "revoked",
    state_cancelled: "cancelled",
    state_expired: "expired",
    credit_abnormal: "abnormal operation list",
    credit_dishonest: "dishonest list",
    credit_cleared: "cleared (credit repaired)",
    d_admission: "Admission",
    lookup_title: "Look up a licence / holder",
    lookup_prompt: "Licence number, credit code or name: ",
    lookup_hint: "{} search · {} close · ↑↓ scroll",
    lookup_searching: "Searching…",
    lookup_none: "No licence matches “{}”",
    sec_holder: "Holder",
    sec_credit: "Credit records",
    sec_licenses: "Licences",
    sec_history: "History of licence {}",
    f_holder: "Name / code",
    f_standing: "Admission",
    f_reason: "Because of",
    in_force: "in force",
    not_in_force: "ended",
    ev_approved: "approval push",
    ev_reissued: "re-issued / changed",
    ev_commitment: "commitment (to be verified)",
    ev_verification_passed: "commitment verified",
    ev_verification_failed: "verification failed (rectify)",
    ev_changed: "changed on a letter",
    ev_withdrawn: "withdrawn",
    ev_revoked: "revoked",
    ev_cancelled: "cancelled",
    long_term: "no expiry",
};
