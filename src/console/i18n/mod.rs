//! User-facing text: 简体中文 by default, English with `--lang en`.
//!
//! One struct literal per language ([`zh`], [`en`]), so a string missing in one language is a
//! compile error; the labels of enums are picked by exhaustive matches, so a new variant without
//! its label is one too. This module depends on no other part of the console.
//! Templates use `{}` placeholders filled in order by [`fill`].

use std::str::FromStr;

mod cases;
mod credit;
mod en;
mod joint;
mod letters;
mod licenses;
mod zh;

pub use cases::CaseStrings;
pub use credit::CreditStrings;
pub use joint::JointStrings;
pub use letters::LetterStrings;
pub use licenses::LicenseStrings;

pub use en::EN;
pub use zh::ZH;

use crate::api::{DeliveryStatus, DisputeStatus, DutyKind, PushMode, Role, SupervisionCategory};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" | "chinese" | "中文" => Ok(Lang::Zh),
            "en" | "en-us" | "en_us" | "english" => Ok(Lang::En),
            other => Err(format!("unknown language `{other}` (zh, en)")),
        }
    }
}

impl Lang {
    pub fn strings(self) -> &'static Strings {
        match self {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

/// Fills `{}` placeholders in order.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    let mut i = 0;
    while let Some(p) = rest.find("{}") {
        out.push_str(&rest[..p]);
        out.push_str(args.get(i).copied().unwrap_or(""));
        i += 1;
        rest = &rest[p + 2..];
    }
    out.push_str(rest);
    out
}

/// A command's name: `long` in the help overlay and in messages, `short` in the command bar.
#[derive(Debug, Clone, Copy)]
pub struct CommandText {
    pub long: &'static str,
    pub short: &'static str,
}

/// Every command's name (`Command::text` picks one by an exhaustive match).
#[derive(Debug)]
pub struct CommandTexts {
    pub quit: CommandText,
    pub next_pane: CommandText,
    pub prev_pane: CommandText,
    pub up: CommandText,
    pub down: CommandText,
    pub page_up: CommandText,
    pub page_down: CommandText,
    pub home: CommandText,
    pub end: CommandText,
    pub claim: CommandText,
    pub reply: CommandText,
    pub escalate: CommandText,
    pub acknowledge: CommandText,
    pub sign: CommandText,
    pub dissent: CommandText,
    pub details: CommandText,
    pub filter: CommandText,
    pub prev_month: CommandText,
    pub next_month: CommandText,
    pub refresh: CommandText,
    pub issue_bulletin: CommandText,
    pub export_bulletin: CommandText,
    pub toggle_live: CommandText,
    pub lookup: CommandText,
    pub help: CommandText,
    pub send: CommandText,
    pub toggle: CommandText,
    pub confirm: CommandText,
    pub cancel: CommandText,
}

/// The month-end screen's texts (月度统计 as the duty officer's screen).
#[derive(Debug)]
pub struct MonthEndTexts {
    /// "Issued, version {}, {}" (version, issue instant).
    pub issued: &'static str,
    /// The live figures while an issued version exists.
    pub live_beside: &'static str,
    /// The live figures of a month never issued.
    pub live_only: &'static str,
    pub ranking: &'static str,
    pub col_rank: &'static str,
    pub col_hours: &'static str,
    pub col_trend: &'static str,
    /// "Issue the bulletin of {}?" and what it means.
    pub confirm_issue: &'static str,
    pub confirm_issue_note: &'static str,
    /// "{} confirm · {} cancel" (keys).
    pub confirm_keys: &'static str,
    /// "Bulletin {} version {} issued".
    pub st_issued: &'static str,
    pub st_issuing: &'static str,
    /// "Exported to {}".
    pub st_exported: &'static str,
    pub st_exporting: &'static str,
    pub st_show_live: &'static str,
    pub st_show_issued: &'static str,
    /// "{}: late items and ledger records".
    pub drill_title: &'static str,
    pub drill_ledger: &'static str,
    pub drill_late_uploads: &'static str,
    pub drill_none: &'static str,
    /// "{} on time, {} late, rate {}".
    pub drill_summary: &'static str,
}

pub struct Strings {
    /// The language these strings are in.
    pub lang: Lang,
    pub app_title: &'static str,
    pub readonly_tag: &'static str,
    pub pane_unclaimed: &'static str,
    pub pane_disputes: &'static str,
    pub pane_inspections: &'static str,
    pub pane_monthly: &'static str,

    pub col_department: &'static str,
    pub col_unit: &'static str,
    pub col_item: &'static str,
    pub col_counterparty: &'static str,
    pub col_source: &'static str,
    pub col_deadline: &'static str,
    pub col_remaining: &'static str,
    pub col_subject: &'static str,
    pub col_raised_by: &'static str,
    pub col_answering: &'static str,
    pub col_due: &'static str,
    pub col_last: &'static str,
    pub col_when: &'static str,
    pub col_kind: &'static str,
    pub col_place: &'static str,
    pub col_departments: &'static str,
    pub col_experts: &'static str,
    pub col_signoff: &'static str,
    pub col_received: &'static str,
    pub col_on_time: &'static str,
    pub col_auto: &'static str,
    pub col_pending: &'static str,
    pub col_rate: &'static str,
    pub col_avg: &'static str,
    pub col_disputes: &'static str,
    pub chart_title: &'static str,
    /// The month-end screen (issued bulletin vs live figures).
    pub month_end: MonthEndTexts,

    pub empty_unclaimed: &'static str,
    pub empty_filtered: &'static str,
    pub empty_disputes: &'static str,
    pub empty_inspections: &'static str,
    pub empty_monthly: &'static str,
    pub loading: &'static str,
    pub more_loading: &'static str,

    pub overdue: &'static str,
    pub day_unit: &'static str,
    pub hour_unit: &'static str,
    pub minute_unit: &'static str,
    pub provisional: &'static str,
    pub important_mark: &'static str,
    pub escalated_mark: &'static str,
    pub none: &'static str,

    pub kind_inspection: &'static str,
    pub kind_review: &'static str,
    pub kind_hearing: &'static str,
    pub kind_meeting: &'static str,

    pub conn_connecting: &'static str,
    pub conn_live: &'static str,
    pub conn_reconnecting: &'static str,
    pub server_time: &'static str,
    pub rows_count: &'static str,

    pub st_claiming: &'static str,
    pub st_claimed: &'static str,
    pub st_sending: &'static str,
    pub st_feedback_sent: &'static str,
    pub st_reply_sent: &'static str,
    pub st_escalated: &'static str,
    pub st_refused: &'static str,
    pub st_readonly: &'static str,
    pub st_role: &'static str,
    pub st_nothing_selected: &'static str,
    pub st_not_here: &'static str,
    pub st_new_delivery: &'static str,
    pub st_claimed_by: &'static str,
    pub st_auto_claimed: &'static str,
    pub st_dispute_opened: &'static str,
    pub st_dispute_replied: &'static str,
    pub st_refreshing: &'static str,
    pub st_load_failed: &'static str,
    pub st_empty_text: &'static str,
    pub st_cancelled: &'static str,
    pub st_filter: &'static str,
    pub st_filter_cleared: &'static str,
    pub st_month: &'static str,
    pub st_reconnected: &'static str,
    pub unauthorized: &'static str,
    pub session_idle: &'static str,

    pub dlg_feedback: &'static str,
    pub dlg_reply: &'static str,
    pub dlg_escalate: &'static str,
    pub dlg_hint: &'static str,
    pub dlg_discard: &'static str,
    pub dlg_placeholder: &'static str,
    pub filter_prompt: &'static str,
    pub filter_hint: &'static str,

    pub help_title: &'static str,
    pub help_keymap: &'static str,
    pub details_title: &'static str,
    pub details_loading: &'static str,
    pub overlay_hint: &'static str,

    pub d_delivery: &'static str,
    pub d_push: &'static str,
    pub d_status: &'static str,
    pub d_received_at: &'static str,
    pub d_claim_deadline: &'static str,
    pub d_feedback_deadline: &'static str,
    pub d_claimed: &'static str,
    pub d_item_name: &'static str,
    pub d_counterparty: &'static str,
    pub d_credit_code: &'static str,
    pub d_id_number: &'static str,
    pub d_contact: &'static str,
    pub d_license_no: &'static str,
    pub d_license_date: &'static str,
    pub d_valid_until: &'static str,
    /// A licence without expiry (`valid_until: "长期"`).
    pub d_no_expiry: &'static str,
    pub d_mode: &'static str,
    pub d_comprehensive: &'static str,
    pub d_commitment: &'static str,
    pub d_recipients: &'static str,
    pub d_created: &'static str,
    pub d_category: &'static str,
    pub d_title: &'static str,
    pub d_body: &'static str,
    pub d_related_license: &'static str,
    pub d_penalty: &'static str,
    pub d_threads: &'static str,
    pub d_escalations: &'static str,
    pub d_history: &'static str,
    pub d_answer_due: &'static str,
    pub d_resolved: &'static str,

    pub status_pending: &'static str,
    pub status_claimed: &'static str,
    pub status_auto_claimed: &'static str,

    /// Queue tags of the kinds of duty (short: they prefix the row's item).
    pub duty_license_action_decision: &'static str,
    pub duty_verification: &'static str,
    pub duty_reverification: &'static str,
    pub duty_notice_ack: &'static str,
    pub duty_report_signature: &'static str,
    pub duty_inquiry_reply: &'static str,
    pub duty_legacy_opinion: &'static str,
    pub duty_legacy_verification: &'static str,
    pub duty_legacy_decision: &'static str,
    /// A duty whose deadline passed and that is still to be done.
    pub overdue_mark: &'static str,
    /// A new duty arrived: kind, title.
    pub st_duty_new: &'static str,
    /// A duty's deadline passed: kind, title.
    pub st_duty_overdue: &'static str,
    /// A duty ended by its rule at the deadline (e.g. deemed consent): kind, title.
    pub st_duty_lapsed: &'static str,
    /// The primary key on a duty whose action the console does not offer: kind, title.
    pub st_duty_no_action: &'static str,

    pub cat_penalty: &'static str,
    pub cat_training: &'static str,
    pub cat_regulation_change: &'static str,
    pub cat_credit_status: &'static str,

    pub dispute_open: &'static str,
    pub dispute_resolved: &'static str,

    pub role_approval_staff: &'static str,
    pub role_supervision_staff: &'static str,
    pub role_supervisor: &'static str,
    pub role_duty_officer: &'static str,
    pub role_admin: &'static str,

    pub mode_standard: &'static str,
    pub mode_one_industry_one_license: &'static str,
    pub mode_notify_commit: &'static str,

    /// The signed-in person in the header: name, department, role.
    pub who_in_department: &'static str,
    /// The same without a department: name, role.
    pub who: &'static str,

    pub commands: CommandTexts,
    /// The joint-work pane.
    pub joint: &'static JointStrings,
    /// The inquiry-letter and legacy-case dialogs.
    pub cases: &'static CaseStrings,
    /// Commitment verification (art. 8).
    pub credit: &'static CreditStrings,
    pub letters: &'static LetterStrings,
    /// The licence and holder lookup, and the admission marks.
    pub licenses: &'static LicenseStrings,
}

impl Strings {
    /// The label of a supervision push's category.
    pub fn supervision_category(&self, c: SupervisionCategory) -> &'static str {
        match c {
            SupervisionCategory::Penalty => self.cat_penalty,
            SupervisionCategory::Training => self.cat_training,
            SupervisionCategory::RegulationChange => self.cat_regulation_change,
            SupervisionCategory::CreditStatus => self.cat_credit_status,
        }
    }

    pub fn delivery_status(&self, st: DeliveryStatus) -> &'static str {
        match st {
            DeliveryStatus::Pending => self.status_pending,
            DeliveryStatus::Claimed => self.status_claimed,
            DeliveryStatus::AutoClaimed => self.status_auto_claimed,
        }
    }

    /// The queue tag of a kind of duty.
    pub fn duty_kind(&self, k: DutyKind) -> &'static str {
        match k {
            DutyKind::LicenseActionDecision => self.duty_license_action_decision,
            DutyKind::Verification => self.duty_verification,
            DutyKind::Reverification => self.duty_reverification,
            DutyKind::NoticeAck => self.duty_notice_ack,
            DutyKind::ReportSignature => self.duty_report_signature,
            DutyKind::InquiryReply => self.duty_inquiry_reply,
            DutyKind::LegacyOpinion => self.duty_legacy_opinion,
            DutyKind::LegacyVerification => self.duty_legacy_verification,
            DutyKind::LegacyDecision => self.duty_legacy_decision,
        }
    }

    pub fn dispute_status(&self, st: DisputeStatus) -> &'static str {
        match st {
            DisputeStatus::Open => self.dispute_open,
            DisputeStatus::Resolved => self.dispute_resolved,
        }
    }

    pub fn role(&self, role: Role) -> &'static str {
        match role {
            Role::ApprovalStaff => self.role_approval_staff,
            Role::SupervisionStaff => self.role_supervision_staff,
            Role::Supervisor => self.role_supervisor,
            Role::DutyOfficer => self.role_duty_officer,
            Role::Admin => self.role_admin,
        }
    }

    pub fn push_mode(&self, mode: PushMode) -> &'static str {
        match mode {
            PushMode::Standard => self.mode_standard,
            PushMode::OneIndustryOneLicense => self.mode_one_industry_one_license,
            PushMode::NotifyCommit => self.mode_notify_commit,
        }
    }
}
