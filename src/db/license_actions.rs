//! Licence-action letters (函告, art. 7(2)3): the request with its evidence files, the
//! bureau's `license_action_decision` duty, and the decision — the licence's state, its
//! history, and the decision pushed back as a delivery (`insert_push!`), in one transaction.
//!
//! Evidence is stored in the database (`license_action_files.content`, BLOB/BYTEA) on both
//! engines: a backup and a restore carry it with the letter, and the letter's access rules are
//! the file's, with no data directory to keep in step with the database.

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Audience, from_millis, to_cst};

use super::Db;

/// An evidence file as the handler received and checked it.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// A request as the handler checked it.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub license_no: String,
    pub action: LicenseActionKind,
    pub basis: LicenseActionBasis,
    pub reason: Option<String>,
    pub requester: i64,
    pub files: Vec<NewFile>,
    /// The decision's deadline: (working days, due, provisional), counted from now.
    pub due: (u32, i64, bool),
    /// The claim deadline of the push delivering the letter to the bureau, and whether it is
    /// provisional.
    pub claim: (i64, bool),
}

/// A decision as the handler checked it.
#[derive(Debug, Clone)]
pub struct Decision {
    pub outcome: LicenseActionOutcome,
    pub decision_no: Option<String>,
    pub decision_date: Option<chrono::NaiveDate>,
    pub effective_date: Option<chrono::NaiveDate>,
    pub reasons: Option<String>,
    /// The decision push's claim deadline and whether it is provisional.
    pub claim_deadline: i64,
    pub provisional: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionRow {
    pub id: i64,
    pub license_no: String,
    pub action: String,
    pub basis_decision_no: Option<String>,
    pub basis_decision_date: Option<String>,
    pub basis_facts: Option<String>,
    pub reason: Option<String>,
    pub requester_department_id: i64,
    pub bureau_department_id: i64,
    pub state: String,
    pub created_at: i64,
    pub decided_at: Option<i64>,
    pub decision_no: Option<String>,
    pub decision_date: Option<String>,
    pub effective_date: Option<String>,
    pub reasons: Option<String>,
    pub decision_push_id: Option<i64>,
    pub due_at: Option<i64>,
    pub provisional: Option<bool>,
}

macro_rules! action_select {
    () => {
        "SELECT a.id, a.license_no, a.action, a.basis_decision_no, a.basis_decision_date, a.basis_facts, a.reason, \
         a.requester_department_id, a.bureau_department_id, a.state, a.created_at, a.decided_at, a.decision_no, \
         a.decision_date, a.effective_date, a.reasons, a.decision_push_id, d.due_at AS due_at, d.provisional AS provisional \
         FROM license_actions a \
         LEFT JOIN duties d ON d.kind = 'license_action_decision' AND d.subject_id = a.id"
    };
}
pub(crate) use action_select;

type FileMeta = (i64, String, String, i64, String);

/// The letter with its evidence metadata and the departments its decision was pushed to
/// (`$conn`: `&mut *tx` or a pool).
macro_rules! load_action {
    ($conn:expr, $db:ident, $id:expr) => {{
        let id: i64 = $id;
        let row: Option<$crate::db::license_actions::ActionRow> =
            sqlx::query_as(concat!($crate::db::license_actions::action_select!(), " WHERE a.id = $1"))
                .bind(id)
                .fetch_optional($conn)
                .await?;
        match row {
            None => None,
            Some(row) => {
                let files: Vec<(i64, String, String, i64, String)> = sqlx::query_as(
                    "SELECT id, file_name, media_type, size_bytes, sha256 FROM license_action_files \
                     WHERE action_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all($conn)
                .await?;
                let notified: Vec<(i64,)> = sqlx::query_as(
                    "SELECT department_id FROM deliveries WHERE push_id = $1 ORDER BY department_id",
                )
                .bind(row.decision_push_id.unwrap_or(-1))
                .fetch_all($conn)
                .await?;
                Some($crate::db::license_actions::assemble(
                    $db,
                    row,
                    files,
                    notified.into_iter().map(|(d,)| d).collect(),
                )?)
            }
        }
    }};
}

/// A letter as the API shows it, with who may see it.
#[derive(Debug, Clone)]
pub struct LoadedAction {
    pub action: LicenseAction,
    pub requester: i64,
    pub bureau: i64,
    /// The departments the decision was pushed to.
    pub notified: Vec<i64>,
}

impl LoadedAction {
    /// The letter's audience for a principal of `dept`: the requester and the bureau are its
    /// parties (the bureau is the recipient who decides); a department its decision was pushed
    /// to receives it from the bureau; anyone else meets the parties' audience (hidden unless
    /// the role sees all).
    pub fn audience_for(&self, dept: Option<i64>) -> Audience {
        match dept {
            Some(d) if d == self.requester && d != self.bureau => Audience::Between {
                recipient: d,
                sender: self.bureau,
            },
            Some(d) if d != self.bureau && self.notified.contains(&d) => Audience::Between {
                recipient: d,
                sender: self.bureau,
            },
            _ => Audience::Between {
                recipient: self.bureau,
                sender: self.requester,
            },
        }
    }
}

fn corrupt(what: &'static str, v: &str) -> DbError {
    DbError::Corrupt {
        what,
        source: v.to_string().into(),
    }
}

fn date(what: &'static str, v: &Option<String>) -> DbResult<Option<chrono::NaiveDate>> {
    v.as_deref()
        .map(|s| parse_strict_date(s).ok_or_else(|| corrupt(what, s)))
        .transpose()
}

pub fn assemble(
    db: &Db,
    row: ActionRow,
    files: Vec<FileMeta>,
    notified: Vec<i64>,
) -> DbResult<LoadedAction> {
    let state = LicenseActionState::parse(&row.state)
        .ok_or_else(|| corrupt("licence action state", &row.state))?;
    let decision = match (state, row.decided_at) {
        (LicenseActionState::Pending, _) | (_, None) => None,
        (s, Some(at)) => Some(LicenseActionDecided {
            outcome: if s == LicenseActionState::Accepted {
                LicenseActionOutcome::Accept
            } else {
                LicenseActionOutcome::Reject
            },
            decided_at: to_cst(from_millis(at)),
            decision_no: row.decision_no.clone(),
            decision_date: date("decision date", &row.decision_date)?,
            effective_date: date("effective date", &row.effective_date)?,
            reasons: row.reasons.clone(),
            push_id: row.decision_push_id,
        }),
    };
    let action = LicenseAction {
        id: row.id,
        license_no: row.license_no.clone(),
        action: LicenseActionKind::parse(&row.action)
            .ok_or_else(|| corrupt("licence action", &row.action))?,
        basis: LicenseActionBasis {
            decision_no: row.basis_decision_no.clone(),
            decision_date: date("basis decision date", &row.basis_decision_date)?,
            facts: row.basis_facts.clone(),
        },
        reason: row.reason.clone(),
        department: db.dept_code(row.requester_department_id),
        bureau: db.dept_code(row.bureau_department_id),
        state,
        created_at: to_cst(from_millis(row.created_at)),
        due: row.due_at.map(|t| to_cst(from_millis(t))),
        provisional: row.provisional.unwrap_or(false),
        evidence: files
            .into_iter()
            .map(|(id, file_name, media_type, size, sha256)| EvidenceFile {
                id,
                file_name,
                media_type,
                size,
                sha256,
            })
            .collect(),
        decision,
    };
    Ok(LoadedAction {
        action,
        requester: row.requester_department_id,
        bureau: row.bureau_department_id,
        notified,
    })
}

/// Why a licence in this state (shown state on `today`) takes no action: `None` if it may.
fn ended(state: &str, valid_until: &str, today: chrono::NaiveDate) -> Option<String> {
    let shown = match (
        LicenseState::parse(state),
        valid_until.parse::<ValidUntil>(),
    ) {
        (Some(s), Ok(v)) => crate::db::licenses::shown_state(s, v, today),
        _ => return Some(state.to_string()),
    };
    matches!(
        shown,
        LicenseState::Withdrawn
            | LicenseState::Revoked
            | LicenseState::Cancelled
            | LicenseState::Expired
    )
    .then(|| shown.as_str().to_string())
}

fn license_ended(no: &str, state: &str) -> DbError {
    let zh = match state {
        "withdrawn" => "已撤回",
        "revoked" => "已撤销",
        "cancelled" => "已注销",
        "expired" => "已过期",
        _ => "已终止",
    };
    DbError::conflict(
        "license_ended",
        format!(
            "许可证 {no} {zh}，不能再变更、撤回、撤销或注销 / licence {no} is already {state}: it cannot be changed, withdrawn, revoked or cancelled"
        ),
    )
}

/// The department already has a pending letter of this kind for the licence.
fn letter_pending(no: &str, action: LicenseActionKind, pending: Option<i64>) -> DbError {
    let (zh_id, en_id) = match pending {
        Some(id) => (format!("（编号 {id}）"), format!(" (no. {id})")),
        None => (String::new(), String::new()),
    };
    DbError::conflict(
        "letter_pending",
        format!(
            "本部门对许可证 {no} 已有待审批局决定的{zh}函告{zh_id}，请勿重复提出 / your department already has a pending {en} letter{en_id} for licence {no}: wait for the bureau's decision",
            zh = action.zh(),
            en = action.as_str(),
        ),
    )
}

/// File a letter: the request, its evidence, and the bureau's duty, in one transaction.
/// The licence is read again inside it, so a licence that ended meanwhile is a 409.
pub async fn create(db: &Db, a: NewAction, actor: &str, now: i64) -> DbResult<LicenseAction> {
    let actor = actor.to_string();
    Ok(write_tx!(db, |tx, fx| {
        let lic: Option<(i64, i64, String, String, String, String)> = sqlx::query_as(
            "SELECT id, approval_department_id, state, valid_until, item_name, holder_name FROM licenses WHERE license_no = $1",
        )
        .bind(&a.license_no)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((license_id, bureau, state, valid_until, item_name, holder_name)) = lic else {
            return Err(DbError::NotFound {
                zh: "许可证",
                en: "licence",
            });
        };
        let today = to_cst(from_millis(now)).date_naive();
        if let Some(s) = ended(&state, &valid_until, today) {
            return Err(license_ended(&a.license_no, &s));
        }
        let pending: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM license_actions WHERE license_id = $1 AND requester_department_id = $2 \
             AND action = $3 AND state = 'pending'",
        )
        .bind(license_id)
        .bind(a.requester)
        .bind(a.action.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((pending,)) = pending {
            return Err(letter_pending(&a.license_no, a.action, Some(pending)));
        }
        // A filing racing this one past the check above meets the partial unique index.
        let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
            "INSERT INTO license_actions (license_id, license_no, action, basis_decision_no, basis_decision_date, \
             basis_facts, reason, requester_department_id, bureau_department_id, state, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11) RETURNING id",
        )
        .bind(license_id)
        .bind(&a.license_no)
        .bind(a.action.as_str())
        .bind(&a.basis.decision_no)
        .bind(a.basis.decision_date.map(|d| d.to_string()))
        .bind(&a.basis.facts)
        .bind(&a.reason)
        .bind(a.requester)
        .bind(bureau)
        .bind(now)
        .bind(&actor)
        .fetch_one(&mut *tx)
        .await;
        let (id,) = match inserted {
            Err(e) if crate::db::unique_violation(&e) => {
                return Err(letter_pending(&a.license_no, a.action, None));
            }
            other => other?,
        };
        for f in &a.files {
            sqlx::query(
                "INSERT INTO license_action_files (action_id, file_name, media_type, size_bytes, sha256, content, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&f.file_name)
            .bind(&f.media_type)
            .bind(f.bytes.len() as i64)
            .bind(&f.sha256)
            .bind(&f.bytes)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let (n, due_at, provisional) = a.due;
        crate::db::duties::open_duty!(
            tx,
            fx,
            db,
            crate::db::duties::NewDuty {
                kind: DutyKind::LicenseActionDecision,
                department_id: bureau,
                counterpart_department_id: Some(a.requester),
                person: None,
                subject_id: id,
                title: format!("{}许可证 {}（{item_name}）", a.action.zh(), a.license_no),
                origin_at: now,
                working_days: Some(n),
                due_at,
                provisional,
            },
            now,
            &actor
        );
        // Delivered to the bureau like any push: claimed within 1 working day, auto-claimed
        // and a ledger record when not.
        let insert = crate::db::pushes::PushInsert {
            kind: PushKind::Supervision,
            source_department_id: a.requester,
            content: PushContent::LicenseActionRequest(LicenseActionRequestNotice {
                license_action_request_id: id,
                request_license_no: a.license_no.clone(),
                action: a.action,
                basis: a.basis.clone(),
                reason: a.reason.clone(),
                item_name: item_name.clone(),
                holder_name: holder_name.clone(),
                evidence_files: a.files.len() as i64,
            }),
            title: format!(
                "函告：请求{}许可证 {}（{item_name}）",
                a.action.zh(),
                a.license_no
            ),
            counterparty_name: Some(holder_name.clone()),
            license_no: Some(a.license_no.clone()),
            important: a.action.ends_license(),
            recipients: vec![bureau],
            received_at: now,
            claim_deadline: a.claim.0,
            feedback_deadline: a.claim.0,
            provisional: a.claim.1,
            late_upload: None,
            commitment: None,
            breach: None,
        };
        crate::db::pushes::insert_push!(tx, fx, db, &insert, &actor, None, None).ok_or(
            crate::db::DbError::Bug("an unconditional push insert stored nothing"),
        )?;
        let Some(loaded) = load_action!(&mut *tx, db, id) else {
            return Err(DbError::Bug("a licence action vanished in its transaction"));
        };
        fx.event(
            event_types::LICENSE_ACTION_REQUESTED,
            Audience::Between {
                recipient: bureau,
                sender: a.requester,
            },
            &loaded.action,
            now,
        );
        fx.audit(
            now,
            &actor,
            "license_action.request",
            "license_action",
            Some(id),
            serde_json::json!({"license_no": a.license_no, "action": a.action, "files": a.files.len()}),
        );
        loaded.action
    }))
}

mod decide;
pub use decide::decide;

/// The letter with who may see it.
pub async fn get(db: &Db, id: i64) -> DbResult<Option<LoadedAction>> {
    Ok(read!(db, |c| load_action!(c, db, id)))
}

/// An evidence file's name, media type and bytes.
pub async fn evidence(
    db: &Db,
    action_id: i64,
    file_id: i64,
) -> DbResult<Option<(String, String, Vec<u8>)>> {
    Ok(read!(db, |c| {
        sqlx::query_as(
        "SELECT file_name, media_type, content FROM license_action_files WHERE id = $1 AND action_id = $2"
    )
    .bind(file_id)
    .bind(action_id)
    .fetch_optional(c)
    .await
    })?)
}

/// `GET /api/v1/license-actions` filters.
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    /// Only letters this department filed, decides, or received the decision of.
    pub department: Option<i64>,
    pub state: Option<LicenseActionState>,
    /// Keyset cursor: the id of the last row of the previous page (newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Letters, newest first.
pub async fn list(db: &Db, f: &ActionFilter) -> DbResult<Vec<LoadedAction>> {
    let ids: Vec<(i64,)> = read!(db, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT a.id FROM license_actions a WHERE 1 = 1");
        if let Some(d) = f.department {
            qb.push(" AND (a.requester_department_id = ")
                .push_bind(d)
                .push(" OR a.bureau_department_id = ")
                .push_bind(d)
                .push(" OR EXISTS (SELECT 1 FROM deliveries x WHERE x.push_id = a.decision_push_id AND x.department_id = ")
                .push_bind(d)
                .push("))");
        }
        if let Some(s) = f.state {
            qb.push(" AND a.state = ").push_bind(s.as_str());
        }
        if let Some(b) = f.before {
            qb.push(" AND a.id < ").push_bind(b);
        }
        qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(f.limit);
        qb.build_query_as::<(i64,)>().fetch_all(c).await
    })?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(a) = get(db, id).await? {
            out.push(a);
        }
    }
    Ok(out)
}

/// Monthly statistics: per department and kind, letters filed (by the requester) or received
/// (by the bureau) in `[from, to)`, and accepted / rejected in it.
pub async fn monthly_figures(
    db: &Db,
    from: i64,
    to: i64,
) -> DbResult<std::collections::HashMap<i64, Vec<LicenseActionFigures>>> {
    let rows: Vec<(i64, String, i64, i64, i64)> = read!(db, |c| {
        sqlx::query_as(
            "SELECT dept, action, SUM(req), SUM(acc), SUM(rej) FROM ( \
               SELECT requester_department_id AS dept, action, \
                 CASE WHEN created_at >= $1 AND created_at < $2 THEN 1 ELSE 0 END AS req, \
                 CASE WHEN decided_at >= $1 AND decided_at < $2 AND state = 'accepted' THEN 1 ELSE 0 END AS acc, \
                 CASE WHEN decided_at >= $1 AND decided_at < $2 AND state = 'rejected' THEN 1 ELSE 0 END AS rej \
               FROM license_actions WHERE (created_at >= $1 AND created_at < $2) OR (decided_at >= $1 AND decided_at < $2) \
               UNION ALL \
               SELECT bureau_department_id, action, \
                 CASE WHEN created_at >= $1 AND created_at < $2 THEN 1 ELSE 0 END, \
                 CASE WHEN decided_at >= $1 AND decided_at < $2 AND state = 'accepted' THEN 1 ELSE 0 END, \
                 CASE WHEN decided_at >= $1 AND decided_at < $2 AND state = 'rejected' THEN 1 ELSE 0 END \
               FROM license_actions WHERE (created_at >= $1 AND created_at < $2) OR (decided_at >= $1 AND decided_at < $2) \
             ) x GROUP BY dept, action ORDER BY dept, action",
        )
        .bind(from)
        .bind(to)
        .fetch_all(c)
        .await
    })?;
    let mut out: std::collections::HashMap<i64, Vec<LicenseActionFigures>> = Default::default();
    for (dept, action, requested, accepted, rejected) in rows {
        let action =
            LicenseActionKind::parse(&action).ok_or_else(|| corrupt("licence action", &action))?;
        out.entry(dept).or_default().push(LicenseActionFigures {
            action,
            requested,
            accepted,
            rejected,
        });
    }
    Ok(out)
}
