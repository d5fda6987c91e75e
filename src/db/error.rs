//! What storage fails with. No HTTP here: the server maps each kind to a status
//! (`server::error`) and keeps this error, with its own cause, as the source.

use std::sync::Arc;

use crate::domain::calendar::CalendarError;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A statement or the connection failed. A stored value that does not decode (a corrupt
    /// enum column) is one too: sqlx's `ColumnDecode`, naming the column.
    #[error("database error")]
    Sql(#[from] sqlx::Error),
    /// A stored JSON document does not parse, or a value does not serialise.
    #[error("stored JSON")]
    Json(#[from] serde_json::Error),
    /// A stored value is not valid (a corrupt row that decoded as text).
    #[error("corrupt stored {what}")]
    Corrupt {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The stored holiday calendar does not load.
    #[error("stored holiday calendar")]
    Calendar(#[from] CalendarError),
    /// No such record (`zh`, `en`: what it is called in each language).
    #[error("no such {en}")]
    NotFound { zh: &'static str, en: &'static str },
    /// The record is not in a state that allows this (a rule of the domain, e.g. already
    /// claimed). `message` is for people, Chinese first.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The request does not fit what is stored (e.g. an `Idempotency-Key` reused with
    /// another body).
    #[error("{message}")]
    Invalid {
        code: &'static str,
        message: String,
        field: Option<String>,
    },
    /// The SQLite writer has stopped: nothing was written.
    #[error("the database writer has stopped")]
    WriterStopped,
    /// A group commit failed: nothing of this write was stored.
    #[error("group commit failed")]
    CommitFailed(#[source] Arc<sqlx::Error>),
    /// The write panicked (caught by the writer; its savepoint was rolled back).
    #[error("a write failed unexpectedly")]
    WritePanicked,
    /// An invariant of ours does not hold.
    #[error("{0}")]
    Bug(&'static str),
}

pub type DbResult<T> = Result<T, DbError>;

/// A stored value that must parse: `None` is [`DbError::Corrupt`] naming what and the raw
/// value (never a default: a corrupt row must not pass for a valid one).
pub fn stored<T>(what: &'static str, raw: &str, parsed: Option<T>) -> DbResult<T> {
    parsed.ok_or_else(|| DbError::Corrupt {
        what,
        source: raw.to_string().into(),
    })
}

impl DbError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// Whether retrying later may succeed (the pool is exhausted or the writer is down).
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            Self::Sql(sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed)
                | Self::WriterStopped
                | Self::CommitFailed(_)
        )
    }
}

/// An error and its sources, `outer: inner: innermost` (what the log shows).
/// Every log line that reports a failure uses it: `DbError` and `AppError` say only their
/// own layer in `Display` and keep the cause as `source`.
pub struct Chain<'a>(pub &'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(e) = source {
            write!(f, ": {e}")?;
            source = e.source();
        }
        Ok(())
    }
}
