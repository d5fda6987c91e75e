//! Pushes (art. 7(1) approval, 7(2) supervision): one push, one delivery per recipient, and
//! the `Idempotency-Key` record — all in one transaction.

use crate::api::*;
use crate::db::{DbError, DbResult};
use crate::domain::{Principal, from_millis, to_cst};

use super::rows::{DELIVERY_COLUMNS, DeliveryRow, PushRow};
use super::{Db, unique_violation};

#[derive(Debug, Clone)]
pub struct PushInsert {
    pub kind: PushKind,
    pub source_department_id: i64,
    pub content: PushContent,
    pub title: String,
    pub counterparty_name: Option<String>,
    pub license_no: Option<String>,
    pub important: bool,
    pub recipients: Vec<i64>,
    pub received_at: i64,
    pub claim_deadline: i64,
    pub feedback_deadline: i64,
    pub provisional: bool,
    /// The upload deadline this push missed (an approval push uploaded late): written to
    /// the ledger with the push.
    pub late_upload: Option<i64>,
    /// A notify-and-commit approval: its catalogue item and, for a post-verification item,
    /// the verification task to open (`db::verifications`).
    pub commitment: Option<crate::db::verifications::CommitmentInsert>,
    /// A supervision push reporting a broken commitment or false materials: the approval it
    /// revokes in the same transaction.
    pub breach: Option<crate::db::verifications::BreachInsert>,
}

/// An `Idempotency-Key` as scoped to its principal, with the request's fingerprint (stored).
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    pub principal: String,
    pub key: String,
    pub request_hash: String,
    /// SHA-256 of the body's bytes: what records stored before the canonical fingerprint hold,
    /// so a retry of such a request still gets its original answer.
    pub raw_hash: String,
}

impl PushInsert {
    /// The approval push's admission acknowledgement (`restricted` / `strict`).
    pub fn acknowledged_mode(&self) -> Option<String> {
        match &self.content {
            PushContent::Approval(a) => a.admission.as_ref().map(|x| x.mode.as_str().to_string()),
            PushContent::Supervision(_)
            | PushContent::Revocation(_)
            | PushContent::LicenseAction(_)
            | PushContent::LicenseActionRequest(_) => None,
        }
    }
}

/// The regime a credit-status push leaves its holder under on `today` (its own listing
/// counted): `restricted` / `strict`, or `None` for normal admission.
fn standing_after(
    rows: &[super::credit::CreditRow],
    credit: &CreditInfo,
    today: chrono::NaiveDate,
) -> DbResult<Option<String>> {
    let mut all = super::credit::listings(rows)?;
    all.push(crate::domain::admission::Listing {
        id: i64::MAX,
        status: credit.status,
        authority: credit.authority.clone(),
        decision_no: credit.decision_no.clone(),
        start_date: credit.start_date,
        end_date: credit.end_date,
    });
    Ok(match crate::domain::admission::standing(&all, today).0 {
        Admission::Normal => None,
        a => Some(a.as_str().to_string()),
    })
}

/// Refuse an approval push whose admission acknowledgement does not match the holder's
/// standing on the day of receipt (art. 7(2)1): 409 naming the credit record.
fn check_admission(
    push: &NewApprovalPush,
    rows: &[super::credit::CreditRow],
    today: chrono::NaiveDate,
) -> DbResult<()> {
    let (standing, reasons) =
        crate::domain::admission::standing(&super::credit::listings(rows)?, today);
    let given = push.admission.as_ref().map(|a| a.mode.admission());
    let record = reasons
        .first()
        .map(|r| format!("{}（{}）", r.decision_no, r.authority))
        .unwrap_or_default();
    match (standing, given) {
        (Admission::Normal, None) => Ok(()),
        (Admission::Normal, Some(_)) => Err(DbError::conflict(
            "admission_not_required",
            "该行政相对人现无失信或经营异常记录，无需准入确认 / the holder is under normal admission: no acknowledgement is needed",
        )),
        (s, None) => Err(DbError::conflict(
            "admission_required",
            format!(
                "该行政相对人处于{}管理（{record}），须填写 admission / the holder is under {} admission ({record}): an admission acknowledgement is required",
                admission_zh(s),
                s.as_str()
            ),
        )),
        (s, Some(g)) if s != g => Err(DbError::conflict(
            "admission_mismatch",
            format!(
                "该行政相对人处于{}管理（{record}），admission.mode 应为 {} / the holder is under {} admission ({record}): admission.mode must be {}",
                admission_zh(s),
                s.as_str(),
                s.as_str(),
                s.as_str()
            ),
        )),
        _ => Ok(()),
    }
}

fn admission_zh(a: Admission) -> &'static str {
    match a {
        Admission::Normal => "正常准入",
        Admission::Restricted => "限制准入",
        Admission::Strict => "严格准入",
    }
}

pub enum PushOutcome {
    Created(Box<Push>),
    /// The same key and body were seen before: the original answer, byte for byte.
    Replayed {
        status: u16,
        body: String,
    },
}

/// Insert a push and one delivery per recipient in the current transaction, emitting each
/// `delivery.created`, then recording it in the licence or credit register (their events follow
/// the deliveries'): `insert_push!(tx, fx, db, &PushInsert, actor_name, admission_mode,
/// unlisted_holder)` → `Option<Push>`. `admission_mode`: an approval's acknowledgement, or the
/// regime a credit-status push leaves its holder under (the recipients' queue mark).
/// `unlisted_holder`: a holder code the push may only be stored for if it has no credit record
/// at all — `None` (nothing written) when it has one, so the caller judges admission in full;
/// the common case so costs no statement of its own. Used by [`create`] and by the revocation
/// of an approval (`db::verifications`).
macro_rules! insert_push {
    ($tx:ident, $fx:ident, $db:ident, $p:expr, $actor:expr, $admission:expr, $unlisted:expr) => {{
        let p: &$crate::db::pushes::PushInsert = $p;
        let actor: &str = $actor;
        let admission_mode: Option<String> = $admission;
        let unlisted: Option<&str> = $unlisted;
        let content = serde_json::to_string(&p.content)?;
        let inserted: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO pushes (kind, source_department_id, title, counterparty_name, license_no, important, content, created_at, created_by, admission_mode) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             WHERE $11 IS NULL OR NOT EXISTS (SELECT 1 FROM credit_records WHERE holder_code = $11) RETURNING id",
        )
        .bind(p.kind.as_str())
        .bind(p.source_department_id)
        .bind(&p.title)
        .bind(&p.counterparty_name)
        .bind(&p.license_no)
        .bind(p.important)
        .bind(&content)
        .bind(p.received_at)
        .bind(actor)
        .bind(&admission_mode)
        .bind(unlisted)
        .fetch_optional(&mut *$tx)
        .await?;
        match inserted {
        None => None,
        Some((push_id,)) => {
        // One statement for all recipients (each department appears once).
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO deliveries (push_id, department_id, source_department_id, status, received_at, claim_deadline, feedback_deadline, deadline_provisional, escalated) ",
        );
        qb.push_values(&p.recipients, |mut b, dept| {
            b.push_bind(push_id)
                .push_bind(*dept)
                .push_bind(p.source_department_id)
                .push("'pending'")
                .push_bind(p.received_at)
                .push_bind(p.claim_deadline)
                .push_bind(p.feedback_deadline)
                .push_bind(p.provisional)
                .push("FALSE");
        });
        qb.push(" RETURNING id, department_id");
        let ids: std::collections::HashMap<i64, i64> = qb
            .build_query_as::<(i64, i64)>()
            .fetch_all(&mut *$tx)
            .await?
            .into_iter()
            .map(|(id, dept)| (dept, id))
            .collect();
        let mut deliveries = Vec::with_capacity(p.recipients.len());
        for dept in &p.recipients {
            let id = *ids.get(dept).ok_or_else(|| {
                $crate::db::DbError::Bug("a delivery insert returned no id")
            })?;
            let row = $crate::db::rows::DeliveryRow {
                id,
                push_id,
                push_kind: p.kind,
                department_id: *dept,
                source_department_id: p.source_department_id,
                title: p.title.clone(),
                counterparty_name: p.counterparty_name.clone(),
                license_no: p.license_no.clone(),
                important: p.important,
                status: $crate::api::DeliveryStatus::Pending,
                received_at: p.received_at,
                claim_deadline: p.claim_deadline,
                feedback_deadline: p.feedback_deadline,
                deadline_provisional: p.provisional,
                claimed_at: None,
                claimed_by: None,
                escalated: false,
                admission_mode: admission_mode.clone(),
            };
            let delivery = row.to_api($db);
            $fx.event($crate::api::event_types::DELIVERY_CREATED, row.audience(), &delivery, p.received_at);
            deliveries.push(delivery);
        }
        // The register follows the push, and its events follow the deliveries'.
        match &p.content {
            $crate::api::PushContent::Approval(a) => {
                let w = $crate::db::licenses::LicenseWrite {
                    license_no: a.license_no.clone(),
                    item_name: a.item_name.clone(),
                    holder_code: $crate::db::credit::holder_code(&a.counterparty).unwrap_or_default(),
                    holder_name: a.counterparty.name.clone(),
                    issue_date: a.license_date,
                    valid_until: a.valid_until,
                    approval_department_id: p.source_department_id,
                    push_id,
                    recipients: p.recipients.clone(),
                    at: p.received_at,
                    actor: actor.to_string(),
                };
                $crate::db::licenses::record_license!($tx, $fx, $db, &w);
            }
            $crate::api::PushContent::Supervision(sp) => {
                $crate::db::credit::record_credit!($tx, push_id, p.source_department_id, sp, p.received_at);
            }
            // The revocation's effect on the licence is `revoke_for_false_commitment!`'s.
            $crate::api::PushContent::Revocation(_) => {}
            // The decision's effect on the licence is `db::license_actions::decide`'s.
            $crate::api::PushContent::LicenseAction(_) => {}
            $crate::api::PushContent::LicenseActionRequest(_) => {}
        }
        let push = $crate::api::Push {
            id: push_id,
            kind: p.kind,
            source_department: $db.dept_code(p.source_department_id),
            created_at: $crate::domain::to_cst($crate::domain::from_millis(p.received_at)),
            created_by: actor.to_string(),
            content: p.content.clone(),
            deliveries,
            catalogue_version: p.commitment.as_ref().map(|c| c.catalogue_version),
        };
        Some(push)
        }
        }
    }};
}
pub(crate) use insert_push;

pub async fn create(
    db: &Db,
    actor: &Principal,
    p: PushInsert,
    idem: Option<&IdempotencyKey>,
) -> DbResult<PushOutcome> {
    // Shared, not copied, with the writer (and with the one retry after a race).
    let p = std::sync::Arc::new(p);
    match try_create(db, actor, &p, idem).await {
        // Two requests with one key raced (PostgreSQL): the loser rolled back; now the
        // winner's record is committed and the replay path answers.
        Err(Race) if idem.is_some() => try_create(db, actor, &p, idem).await.map_err(|_| {
            DbError::conflict(
                "idempotency_in_progress",
                "同一幂等键的请求正在处理 / a request with this Idempotency-Key is in progress",
            )
        })?,
        Err(Race) => Err(DbError::Bug("unique violation without idempotency key")),
        Ok(r) => r,
    }
}

struct Race;
const RACE: &str = "idempotency_race";

async fn try_create(
    db: &Db,
    actor: &Principal,
    p: &std::sync::Arc<PushInsert>,
    idem: Option<&IdempotencyKey>,
) -> Result<DbResult<PushOutcome>, Race> {
    let (actor, p, idem) = (actor.clone(), p.clone(), idem.cloned());
    let res: DbResult<PushOutcome> = async {
        Ok(write_tx!(db, |tx, fx| {
            let mut replay = None;
            if let Some(k) = &idem {
                let found: Option<(String, i64, String)> = sqlx::query_as(
                    "SELECT request_hash, status, body FROM idempotency WHERE principal = $1 AND key = $2",
                )
                .bind(&k.principal)
                .bind(&k.key)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((hash, status, body)) = found {
                    if hash != k.request_hash && hash != k.raw_hash {
                        return Err(DbError::Invalid {
                            code: "idempotency_key_reused",
                            message: "此幂等键已用于不同的请求 / Idempotency-Key was already used with a different body".into(),
                            field: Some("Idempotency-Key".into()),
                        });
                    }
                    replay = Some(PushOutcome::Replayed { status: status as u16, body });
                }
            }
            match replay {
                Some(r) => r,
                None => {
                    // Admission is judged in the push's own transaction, so a listing filed
                    // meanwhile cannot slip between the check and the write. The push's
                    // `admission_mode`: an approval's acknowledgement, or the regime a
                    // credit-status push leaves its holder under (the recipients' queue mark).
                    let mut admission_mode = p.acknowledged_mode();
                    let holder = match &p.content {
                        PushContent::Approval(a) => super::credit::holder_code(&a.counterparty),
                        PushContent::Supervision(sp) if sp.credit.is_some() => {
                            sp.counterparty.as_ref().and_then(super::credit::holder_code)
                        }
                        PushContent::Supervision(_)
                        | PushContent::Revocation(_)
                        | PushContent::LicenseAction(_)
            | PushContent::LicenseActionRequest(_) => None,
                    };
                    // An approval without an acknowledgement is first stored on the condition
                    // that its holder has no credit record (most have none: no statement of
                    // its own); otherwise, and for the other pushes with a holder, admission
                    // is judged from the records and the push stored unconditionally.
                    let fast = match &p.content {
                        PushContent::Approval(a) if a.admission.is_none() => holder.clone(),
                        _ => None,
                    };
                    let first = match fast.as_deref() {
                        Some(code) => insert_push!(tx, fx, db, &*p, &actor.name, None, Some(code)),
                        None => None,
                    };
                    let push = match first {
                        Some(push) => push,
                        None => {
                            if let Some(code) = holder {
                                let rows: Vec<super::credit::CreditRow> =
                                    sqlx::query_as(super::credit::HOLDER_RECORDS)
                                        .bind(&code)
                                        .fetch_all(&mut *tx)
                                        .await?;
                                let today = to_cst(from_millis(p.received_at)).date_naive();
                                match &p.content {
                                    PushContent::Approval(a) => check_admission(a, &rows, today)?,
                                    PushContent::Supervision(sp) => {
                                        if let Some(c) = &sp.credit {
                                            admission_mode = standing_after(&rows, c, today)?;
                                        }
                                    }
                                    PushContent::Revocation(_)
                                    | PushContent::LicenseAction(_)
                                    | PushContent::LicenseActionRequest(_) => {}
                                }
                            }
                            insert_push!(tx, fx, db, &*p, &actor.name, admission_mode, None)
                                .ok_or(DbError::Bug("an unconditional push insert stored nothing"))?
                        }
                    };
                    if let Some(c) = &p.commitment {
                        crate::db::verifications::open_verification!(tx, fx, db, push.id, &*p, c, &actor.name);
                    }
                    if let Some(b) = &p.breach {
                        crate::db::verifications::revoke_for_false_commitment!(
                            tx, fx, db, b.task_id, b.reason.into(), None, Some(push.id), &b.plan, &actor.name
                        );
                    }
                    let push_id = push.id;
                    if let Some(due) = p.late_upload {
                        sqlx::query(
                            "INSERT INTO accountability (department_id, rule, article, push_id, person, item, received_at, occurred_at) \
                             VALUES ($1, 'upload_late', '7(1)1', $2, $3, $4, $5, $6)",
                        )
                        .bind(p.source_department_id)
                        .bind(push_id)
                        .bind(&actor.name)
                        .bind(&p.title)
                        .bind(p.received_at)
                        .bind(due)
                        .execute(&mut *tx)
                        .await?;
                    }
                    fx.audit(
                        p.received_at,
                        &actor.name,
                        "push.create",
                        "push",
                        Some(push_id),
                        serde_json::json!({"kind": p.kind.as_str(), "recipients": p.recipients}),
                    );
                    if let Some(k) = &idem {
                        sqlx::query(
                            "INSERT INTO idempotency (principal, key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(&k.principal)
                        .bind(&k.key)
                        .bind(&k.request_hash)
                        .bind(201i64)
                        .bind(serde_json::to_string(&push)?)
                        .bind(p.received_at)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| if unique_violation(&e) { DbError::conflict(RACE, "") } else { e.into() })?;
                    }
                    PushOutcome::Created(Box::new(push))
                }
            }
        }))
    }
    .await;
    match res {
        Err(DbError::Conflict { code: RACE, .. }) => Err(Race),
        other => Ok(other),
    }
}

/// A push with all its deliveries (for the delivery detail view).
pub async fn get(db: &Db, push_id: i64) -> DbResult<Option<Push>> {
    let row: Option<PushRow> = read!(db, |c| {
        sqlx::query_as(
        "SELECT id, kind, source_department_id, content, created_at, created_by FROM pushes WHERE id = $1"
    )
    .bind(push_id)
    .fetch_optional(c)
    .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM deliveries d JOIN pushes p ON p.id = d.push_id WHERE d.push_id = $1 ORDER BY d.id"
    );
    let deliveries: Vec<DeliveryRow> =
        read!(db, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(push_id)
            .fetch_all(c)
            .await)?;
    let content: PushContent = serde_json::from_str(&row.content)?;
    let version: Option<(i32,)> = read!(db, |c| sqlx::query_as(
        "SELECT catalogue_version FROM push_commitments WHERE push_id = $1"
    )
    .bind(push_id)
    .fetch_optional(c)
    .await)?;
    Ok(Some(Push {
        id: row.id,
        kind: row.kind,
        source_department: db.dept_code(row.source_department_id),
        created_at: to_cst(from_millis(row.created_at)),
        created_by: row.created_by,
        content,
        deliveries: deliveries.iter().map(|d| d.to_api(db)).collect(),
        catalogue_version: version.map(|(v,)| v),
    }))
}
