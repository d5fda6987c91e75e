//! The joint-work pane's text (联合踏勘, arts. 9–11), one literal per language.

/// Text of the joint-work pane, its commands' messages and its dialogs.
#[derive(Debug)]
pub struct JointStrings {
    /// Column: the notice's acknowledgements (`2/3`).
    pub col_ack: &'static str,
    /// Sign-off cell: no report recorded yet.
    pub no_report: &'static str,
    /// Sign-off cell: every participant signed.
    pub final_mark: &'static str,
    /// Marks a cancelled event.
    pub cancelled: &'static str,
    /// Marks a notice given under an emergency override.
    pub emergency: &'static str,
    /// Acknowledgement cell: my department still has to acknowledge.
    pub ack_mine: &'static str,
    pub st_acknowledging: &'static str,
    pub st_acknowledged: &'static str,
    pub st_signed: &'static str,
    pub st_already_acknowledged: &'static str,
    pub st_already_signed: &'static str,
    pub st_not_participant: &'static str,
    pub st_no_report: &'static str,
    /// Another department's change arrived on the stream: `{}` the title.
    pub st_changed: &'static str,
    pub st_scheduled: &'static str,
    pub dlg_sign: &'static str,
    pub dlg_dissent: &'static str,
}

pub static ZH: JointStrings = JointStrings {
    col_ack: "签收",
    no_report: "未出报告",
    final_mark: "已定稿",
    cancelled: "已取消",
    emergency: "紧急",
    ack_mine: "待签收",
    st_acknowledging: "正在签收：{}",
    st_acknowledged: "已签收通知：{}",
    st_signed: "已在报告上签字：{}",
    st_already_acknowledged: "本部门已签收：{}",
    st_already_signed: "本部门已签字：{}",
    st_not_participant: "本部门未参加：{}",
    st_no_report: "报告尚未录入：{}",
    st_changed: "联合工作有变动：{}",
    st_scheduled: "新的联合工作通知：{}",
    dlg_sign: "同意并签字：{}（意见可不填）",
    dlg_dissent: "不同意：{}（须写明理由）",
};

pub static EN: JointStrings = JointStrings {
    col_ack: "Ack",
    no_report: "no report",
    final_mark: "final",
    cancelled: "cancelled",
    emergency: "urgent",
    ack_mine: "to ack",
    st_acknowledging: "Acknowledging: {}",
    st_acknowledged: "Notice acknowledged: {}",
    st_signed: "Report signed: {}",
    st_already_acknowledged: "Already acknowledged by your department: {}",
    st_already_signed: "Already signed by your department: {}",
    st_not_participant: "Your department does not take part: {}",
    st_no_report: "No report recorded yet: {}",
    st_changed: "Joint work changed: {}",
    st_scheduled: "New joint work notice: {}",
    dlg_sign: "Agree and sign: {} (comment optional)",
    dlg_dissent: "Dissent: {} (say why)",
};
