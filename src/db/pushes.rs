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

pub enum PushOutcome {
    Created(Box<Push>),
    /// The same key and body were seen before: the original answer, byte for byte.
    Replayed {
        status: u16,
        body: String,
    },
}

/// Insert a push and one delivery per recipient in the current transaction, emitting each
/// `delivery.created`: `insert_push!(tx, fx, db, &PushInsert, actor_name)` → `Push`. Used by
/// [`create`] and by the revocation of an approval (`db::verifications`).
macro_rules! insert_push {
    ($tx:ident, $fx:ident, $db:ident, $p:expr, $actor:expr) => {{
        let p: &$crate::db::pushes::PushInsert = $p;
        let actor: &str = $actor;
        let content = serde_json::to_string(&p.content)?;
        let (push_id,): (i64,) = sqlx::query_as(
            "INSERT INTO pushes (kind, source_department_id, title, counterparty_name, license_no, important, content, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
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
        .fetch_one(&mut *$tx)
        .await?;
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
            };
            let delivery = row.to_api($db);
            $fx.event($crate::api::event_types::DELIVERY_CREATED, row.audience(), &delivery, p.received_at);
            deliveries.push(delivery);
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
        push
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
                    let push = insert_push!(tx, fx, db, &*p, &actor.name);
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
