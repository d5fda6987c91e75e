//! Everything that can happen to the console, as data.
//!
//! A [`Command`] is what a key is bound to in a keymap (`keymaps/*.toml` names them in
//! `snake_case`). An [`Action`] is anything fed to [`crate::console::App::update`]: a command,
//! a raw key (for text input), a clock tick, a server event, or the result of a request.

use chrono::{DateTime, FixedOffset};
use crossterm::event::KeyEvent;

use super::i18n::{CommandText, Strings};
use super::model::Inspection;
use crate::api::{
    Bulletin, BulletinIssued, Delivery, DeliveryDetail, Dispute, Escalation, Me, MonthlyStats, Page,
};
use crate::client::StreamItem;

/// Where a command is looked up: `Normal` while browsing panes, `Modal` inside a text box,
/// the filter line, a confirmation, or an overlay (help, details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Normal,
    Modal,
}

macro_rules! commands {
    ($( $variant:ident => $name:literal, $ctx:ident, $mutating:literal; )*) => {
        /// A bindable command. Every one of them can be remapped.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command { $( $variant, )* }

        impl Command {
            /// Every command, in the order the help overlay lists them.
            pub const ALL: &'static [Command] = &[ $( Command::$variant, )* ];

            /// The name used in keymap files.
            pub fn name(self) -> &'static str {
                match self { $( Command::$variant => $name, )* }
            }

            pub fn from_name(name: &str) -> Option<Command> {
                match name { $( $name => Some(Command::$variant), )* _ => None }
            }

            pub fn context(self) -> Context {
                match self { $( Command::$variant => Context::$ctx, )* }
            }

            /// Commands that change something on the server; `--readonly` refuses them.
            pub fn is_mutating(self) -> bool {
                match self { $( Command::$variant => $mutating, )* }
            }
        }
    };
}

commands! {
    Quit => "quit", Normal, false;
    NextPane => "next_pane", Normal, false;
    PrevPane => "prev_pane", Normal, false;
    Up => "up", Normal, false;
    Down => "down", Normal, false;
    PageUp => "page_up", Normal, false;
    PageDown => "page_down", Normal, false;
    Home => "home", Normal, false;
    End => "end", Normal, false;
    Claim => "claim", Normal, true;
    Reply => "reply", Normal, true;
    Escalate => "escalate", Normal, true;
    Acknowledge => "acknowledge", Normal, true;
    Sign => "sign", Normal, true;
    Dissent => "dissent", Normal, true;
    Details => "details", Normal, false;
    Filter => "filter", Normal, false;
    PrevMonth => "prev_month", Normal, false;
    NextMonth => "next_month", Normal, false;
    Refresh => "refresh", Normal, false;
    IssueBulletin => "issue_bulletin", Normal, true;
    ExportBulletin => "export_bulletin", Normal, false;
    ToggleLive => "toggle_live", Normal, false;
    Lookup => "lookup", Normal, false;
    Help => "help", Normal, false;
    Send => "send", Modal, false;
    Toggle => "toggle", Modal, false;
    Confirm => "confirm", Modal, false;
    Cancel => "cancel", Modal, false;
}

impl Command {
    /// This command's name in the interface language.
    pub fn text(self, s: &Strings) -> CommandText {
        let c = &s.commands;
        match self {
            Command::Quit => c.quit,
            Command::NextPane => c.next_pane,
            Command::PrevPane => c.prev_pane,
            Command::Up => c.up,
            Command::Down => c.down,
            Command::PageUp => c.page_up,
            Command::PageDown => c.page_down,
            Command::Home => c.home,
            Command::End => c.end,
            Command::Claim => c.claim,
            Command::Reply => c.reply,
            Command::Escalate => c.escalate,
            Command::Acknowledge => c.acknowledge,
            Command::Sign => c.sign,
            Command::Dissent => c.dissent,
            Command::Details => c.details,
            Command::Filter => c.filter,
            Command::PrevMonth => c.prev_month,
            Command::NextMonth => c.next_month,
            Command::Refresh => c.refresh,
            Command::IssueBulletin => c.issue_bulletin,
            Command::ExportBulletin => c.export_bulletin,
            Command::ToggleLive => c.toggle_live,
            Command::Lookup => c.lookup,
            Command::Help => c.help,
            Command::Send => c.send,
            Command::Toggle => c.toggle,
            Command::Confirm => c.confirm,
            Command::Cancel => c.cancel,
        }
    }

    /// The name in the help overlay and in messages.
    pub fn label(self, s: &Strings) -> &'static str {
        self.text(s).long
    }

    /// The name in the command bar.
    pub fn short_label(self, s: &Strings) -> &'static str {
        self.text(s).short
    }
}

/// The outcome of a request made on behalf of the user: the server's answer, or its message.
pub type Outcome<T> = Result<T, RequestError>;

/// A refused or failed request, reduced to what the UI needs.
#[derive(Debug, Clone, PartialEq)]
pub enum RequestError {
    /// The token was refused (expired or revoked).
    Unauthorized,
    /// The session ended for being idle too long (the server's `session_idle`).
    SessionIdle,
    /// Any other error, with the server's (bilingual) message or a transport description.
    Failed(String),
}

impl From<crate::client::ClientError> for RequestError {
    fn from(e: crate::client::ClientError) -> Self {
        use crate::client::ClientError;
        match e {
            ClientError::Api { status, body } if status == reqwest::StatusCode::UNAUTHORIZED => {
                if body.error.code == crate::api::SESSION_IDLE {
                    RequestError::SessionIdle
                } else {
                    RequestError::Unauthorized
                }
            }
            ClientError::Api { body, .. } => RequestError::Failed(body.error.message),
            other => RequestError::Failed(other.to_string()),
        }
    }
}

#[derive(Debug)]
pub enum Action {
    /// A bound command (from the keymap, or sent directly by tests).
    Command(Command),
    /// A key press; resolved through the keymap, or typed into a text field.
    Key(KeyEvent),
    /// Bracketed paste into a text field.
    Paste(String),
    /// The per-second tick, carrying the current *server* time (local clock + measured skew).
    Tick(DateTime<FixedOffset>),
    /// The terminal was resized (only forces a redraw).
    Resize,
    /// Something from the server's event stream.
    Stream(StreamItem),
    /// Who we are (loaded at start-up).
    Me(Me),
    /// A page of pending deliveries (`first` = a fresh load replacing what is shown).
    Deliveries {
        page: Outcome<Page<Delivery>>,
        first: bool,
    },
    /// A page of outstanding duties (`first` = a fresh load replacing those shown).
    Duties {
        page: Outcome<Page<crate::api::Duty>>,
        first: bool,
    },
    Disputes(Outcome<Page<Dispute>>),
    Monthly {
        month: String,
        stats: Outcome<MonthlyStats>,
    },
    /// The shown month's issued bulletin (`None`: not issued) and its live draft.
    Bulletins {
        month: String,
        issued: Outcome<Option<Box<Bulletin>>>,
        live: Outcome<Box<Bulletin>>,
    },
    /// The live statistics of the 12 months ending with `month`, oldest first.
    Trend {
        month: String,
        months: Outcome<Vec<MonthlyStats>>,
    },
    /// The answer to issuing a bulletin.
    Issued(Outcome<BulletinIssued>),
    /// An export was written: its absolute path.
    Exported(Outcome<String>),
    Detail(Outcome<Box<DeliveryDetail>>),
    Claimed {
        id: i64,
        result: Outcome<Delivery>,
    },
    FeedbackSent {
        delivery_id: i64,
        result: Outcome<Dispute>,
    },
    ReplySent {
        dispute_id: i64,
        result: Outcome<Dispute>,
    },
    Escalated {
        delivery_id: i64,
        result: Outcome<Escalation>,
    },
    /// Department names, for showing codes as names.
    Departments(Vec<crate::api::Department>),
    /// Joint work as the pane shows it (tests feed it directly).
    Inspections(Vec<Inspection>),
    /// Joint work loaded from the server (`GET /api/v1/joint-events`).
    JointEvents(Outcome<crate::api::JointEventList>),
    /// The answer to a lookup (licences, the first one's history, its holder's standing).
    LookedUp(Outcome<Box<super::model::LookupResult>>),
    /// The answer to acknowledging a notice or signing a report.
    JointDone {
        event_id: i64,
        result: Outcome<Box<crate::api::JointEvent>>,
    },
    /// The answer to answering an inquiry letter.
    InquiryReplied {
        letter_id: i64,
        result: Outcome<Box<crate::api::InquiryLetter>>,
    },
    /// The answer to a step of a legacy case.
    LegacyDone {
        case_id: i64,
        result: Outcome<Box<crate::api::LegacyCase>>,
    },
    /// The answer to recording a verification result.
    VerificationDone {
        task_id: i64,
        result: Outcome<Box<crate::api::VerificationTask>>,
    },
    /// The answer to a licence-action letter's decision.
    LetterDecided {
        action_id: i64,
        result: Outcome<Box<crate::api::LicenseAction>>,
    },
}

/// A request the event loop performs for the app; its result comes back as an [`Action`].
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    LoadDeliveries {
        cursor: Option<String>,
    },
    LoadDuties {
        cursor: Option<String>,
    },
    LoadDisputes,
    LoadDepartments,
    LoadMonthly {
        month: String,
    },
    /// Issue the bulletin of `month` (after the user confirmed).
    IssueBulletin {
        month: String,
    },
    /// Write the shown bulletin as XLSX in the working directory: `version` the issued
    /// version, `None` the live draft.
    ExportBulletin {
        month: String,
        version: Option<i32>,
    },
    LoadDetail {
        id: i64,
    },
    Claim {
        id: i64,
    },
    Feedback {
        delivery_id: i64,
        body: String,
    },
    Reply {
        dispute_id: i64,
        body: String,
    },
    Escalate {
        delivery_id: i64,
        reason: String,
    },
    LoadJointEvents,
    /// Look up licences and their holder by code, number or name (server-side `q`).
    Lookup {
        query: String,
    },
    Acknowledge {
        event_id: i64,
    },
    Sign {
        event_id: i64,
        agree: bool,
        comment: Option<String>,
    },
    /// Answer an inquiry letter for my department.
    InquiryReply {
        letter_id: i64,
        body: String,
    },
    /// Take a step of a legacy case.
    Legacy {
        case_id: i64,
        step: LegacyRequest,
    },
    /// Record a verification result (`POST /api/v1/verifications/{id}/result`).
    RecordVerification {
        task_id: i64,
        round: i32,
        pass: bool,
        findings: Option<String>,
    },
    /// Decide a licence-action letter (`POST /api/v1/license-actions/{id}/decision`).
    DecideLetter {
        action_id: i64,
        decision: crate::api::LicenseActionDecisionInput,
    },
    /// Several requests at once (e.g. refresh everything).
    Batch(Vec<Effect>),
    Quit,
}

/// A legacy case's step as the console sends it.
#[derive(Debug, Clone, PartialEq)]
pub enum LegacyRequest {
    Opinion(crate::api::LegacyOpinion),
    Verification(crate::api::LegacyVerification),
    Decision(crate::api::LegacyDecision),
}
