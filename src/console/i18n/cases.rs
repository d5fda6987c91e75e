//! Text of the inquiry-letter and legacy-case dialogs (arts. 12–13), one literal per language.

/// The dialogs opened from an `inquiry_reply` or `legacy_*` row of the countdown queue, and
/// their messages.
#[derive(Debug)]
pub struct CaseStrings {
    /// `{}` the letter's subject.
    pub dlg_inquiry: &'static str,
    /// `{}` the current choice, `{}` the toggle key, `{}` the case (the
    /// choice first, so a narrow screen cuts the title, not the choice).
    pub dlg_opinion: &'static str,
    pub rectify_yes: &'static str,
    pub rectify_no: &'static str,
    /// `{}` pass or fail, `{}` the toggle key, `{}` the case.
    pub dlg_verification: &'static str,
    pub pass: &'static str,
    pub fail: &'static str,
    /// `{}` the case.
    pub dlg_decision: &'static str,
    /// `{}` the letter's subject.
    pub st_answered: &'static str,
    /// `{}` the case's title.
    pub st_step_done: &'static str,
}

pub static ZH: CaseStrings = CaseStrings {
    dlg_inquiry: "答复函询：{}（逾期未复视为同意）",
    dlg_opinion: "书面审核意见【{}，{} 切换】{}",
    rectify_yes: "要求整改",
    rectify_no: "无需整改",
    dlg_verification: "整改核验【{}，{} 切换】{}",
    pass: "合格",
    fail: "不合格",
    dlg_decision: "处理决定：{}",
    st_answered: "已答复函询：{}",
    st_step_done: "已提交：{}",
};

pub static EN: CaseStrings = CaseStrings {
    dlg_inquiry: "Answer the inquiry: {} (no answer in time is deemed consent)",
    dlg_opinion: "Review opinion [{}; {} toggles] {}",
    rectify_yes: "rectification required",
    rectify_no: "no rectification",
    dlg_verification: "Verify the rectification [{}; {} toggles] {}",
    pass: "pass",
    fail: "fail",
    dlg_decision: "Handling decision: {}",
    st_answered: "Inquiry answered: {}",
    st_step_done: "Submitted: {}",
};
