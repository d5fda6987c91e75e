//! The tamper-evident audit chain (issue 13 part 5; the encoding is specified in docs/AUDIT.md).
//!
//! Every `audit_log` record has a place in one linear chain: `seq` 1, 2, 3, … (the record
//! number), `prev_hash` (the hash of record `seq - 1`, or [`GENESIS`] for record 1) and
//! `hash` = SHA-256(`prev` ‖ canonical encoding of the record). `audit_chain` holds the head —
//! the last record's number and hash — and every append reads and moves it in the same
//! transaction: the SQLite writer's `BEGIN IMMEDIATE` batch, or on PostgreSQL a row lock on the
//! head (`FOR UPDATE`), so instances writing concurrently still build one chain with no fork.
//!
//! A rewrite of history that recomputes every later hash is caught by comparing with a head
//! that was published (every issued bulletin records one): the chain proves order and content
//! back to that head, not who may write to the database.

use sha2::{Digest, Sha256};

use super::{Db, DbResult, NewAudit, Pool};

mod verify;
pub use verify::{Break, Verdict, verify, verify_url};

/// The `prev_hash` of record 1: 32 zero bytes, in hex.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One record's chained fields, as hashed (docs/AUDIT.md, "Canonical encoding").
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub detail: &'a str,
}

const TAG_NULL: u8 = 0x00;
const TAG_INT: u8 = 0x01;
const TAG_TEXT: u8 = 0x02;

fn put_int(h: &mut Sha256, v: i64) {
    h.update([TAG_INT]);
    h.update(v.to_be_bytes());
}

fn put_text(h: &mut Sha256, s: &str) {
    h.update([TAG_TEXT]);
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

/// SHA-256 of `prev` (the previous record's hash, raw) followed by the record's fields in
/// their fixed order, each tagged: a length prefix on text and a tag on NULL make the encoding
/// unambiguous (no two different records encode to the same bytes).
pub fn record_hash(prev: &[u8; 32], r: &Record<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(prev);
    put_int(&mut h, r.seq);
    put_int(&mut h, r.at);
    put_text(&mut h, r.actor);
    put_text(&mut h, r.action);
    put_text(&mut h, r.entity);
    match r.entity_id {
        Some(id) => put_int(&mut h, id),
        None => h.update([TAG_NULL]),
    }
    put_text(&mut h, r.detail);
    h.finalize().into()
}

/// Lowercase hex, as stored.
pub fn to_hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// The 32 bytes of a stored hash (`None` unless exactly 64 lowercase hex digits).
pub fn from_hex(s: &str) -> Option<[u8; 32]> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

/// A record's place in the chain, to store with it.
#[derive(Debug, Clone)]
pub struct Link {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// Chain `lines`, in order, after the head `(seq, hash)`. Returns each line's link and the
/// new head. A head hash that is not 64 hex digits (a damaged head row) refuses the append:
/// writing on would fork the chain from a value nobody can check.
pub fn link(
    head: &(i64, String),
    lines: &[NewAudit],
) -> Result<(Vec<Link>, (i64, String)), sqlx::Error> {
    let mut prev = from_hex(&head.1).ok_or_else(|| {
        sqlx::Error::Protocol(format!(
            "audit_chain head hash is not 64 hex digits: {:?}",
            head.1
        ))
    })?;
    let mut prev_hex = head.1.clone();
    let mut seq = head.0;
    let mut links = Vec::with_capacity(lines.len());
    for a in lines {
        seq += 1;
        let h = record_hash(
            &prev,
            &Record {
                seq,
                at: a.at,
                actor: &a.actor,
                action: a.action,
                entity: a.entity,
                entity_id: a.entity_id,
                detail: &a.detail,
            },
        );
        let hex = to_hex(&h);
        links.push(Link {
            seq,
            prev_hash: std::mem::replace(&mut prev_hex, hex.clone()),
            hash: hex,
        });
        prev = h;
    }
    Ok((links, (seq, prev_hex)))
}

/// Append `$lines` (`&[NewAudit]`) to the chain on `$conn` inside the caller's transaction:
/// read and lock the head, insert the linked records, move the head. Used by `flush_effects!`.
macro_rules! append_audit {
    ($conn:expr, $lines:expr, $pg:expr) => {{
        let lines: &[$crate::db::NewAudit] = $lines;
        if !lines.is_empty() {
            // On PostgreSQL the row lock is held to commit: the next instance's append waits
            // and then reads the head this one wrote.
            let head_sql = if $pg {
                "SELECT seq, hash FROM audit_chain WHERE id = 1 FOR UPDATE"
            } else {
                "SELECT seq, hash FROM audit_chain WHERE id = 1"
            };
            let head: (i64, String) = sqlx::query_as(head_sql).fetch_one($conn).await?;
            let (links, new_head) = $crate::db::audit::link(&head, lines)?;
            let rows: Vec<_> = lines.iter().zip(&links).collect();
            for chunk in rows.chunks(1000) {
                let mut qb = sqlx::QueryBuilder::new(
                    "INSERT INTO audit_log (at, actor, action, entity, entity_id, detail, seq, prev_hash, hash) ",
                );
                qb.push_values(chunk, |mut b, (a, l)| {
                    b.push_bind(a.at)
                        .push_bind(&a.actor)
                        .push_bind(a.action)
                        .push_bind(a.entity)
                        .push_bind(a.entity_id)
                        .push_bind(&a.detail)
                        .push_bind(l.seq)
                        .push_bind(&l.prev_hash)
                        .push_bind(&l.hash);
                });
                qb.build().execute($conn).await?;
            }
            sqlx::query("UPDATE audit_chain SET seq = $1, hash = $2 WHERE id = 1")
                .bind(new_head.0)
                .bind(&new_head.1)
                .execute($conn)
                .await?;
        }
    }};
}

/// The chain head: the number and hash of the last record (`(0, GENESIS)` before the first).
/// What a bulletin records so that a later rewrite of history is detectable.
pub async fn head(db: &Db) -> DbResult<(i64, String)> {
    let row: Option<(i64, String)> = read!(db, |c| sqlx::query_as(
        "SELECT seq, hash FROM audit_chain WHERE id = 1"
    )
    .fetch_optional(c)
    .await)?;
    Ok(row.unwrap_or_else(|| (0, GENESIS.to_string())))
}

#[derive(sqlx::FromRow)]
struct LegacyRow {
    id: i64,
    at: i64,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    detail: String,
}

macro_rules! adopt_body {
    ($conn:expr) => {{
        let exists: Option<(i64,)> = sqlx::query_as("SELECT seq FROM audit_chain WHERE id = 1")
            .fetch_optional($conn)
            .await?;
        if exists.is_none() {
            let mut prev = [0u8; 32];
            let mut prev_hex = GENESIS.to_string();
            let mut seq = 0i64;
            let mut after = i64::MIN;
            loop {
                let rows: Vec<LegacyRow> = sqlx::query_as(
                    "SELECT id, at, actor, action, entity, entity_id, detail FROM audit_log \
                     WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(ADOPT_BATCH)
                .fetch_all($conn)
                .await?;
                let Some(last) = rows.last() else { break };
                after = last.id;
                let mut qb = sqlx::QueryBuilder::new(
                    "UPDATE audit_log SET seq = v.column2, prev_hash = v.column3, hash = v.column4 FROM (",
                );
                let mut links = Vec::with_capacity(rows.len());
                for r in &rows {
                    seq += 1;
                    let h = record_hash(
                        &prev,
                        &Record {
                            seq,
                            at: r.at,
                            actor: &r.actor,
                            action: &r.action,
                            entity: &r.entity,
                            entity_id: r.entity_id,
                            detail: &r.detail,
                        },
                    );
                    let hex = to_hex(&h);
                    links.push((r.id, seq, std::mem::replace(&mut prev_hex, hex.clone()), hex));
                    prev = h;
                }
                qb.push_values(&links, |mut b, (id, seq, p, h)| {
                    b.push_bind(*id).push_bind(*seq).push_bind(p).push_bind(h);
                });
                qb.push(") AS v WHERE audit_log.id = v.column1");
                qb.build().execute($conn).await?;
            }
            sqlx::query("INSERT INTO audit_chain (id, seq, hash) VALUES (1, $1, $2)")
                .bind(seq)
                .bind(&prev_hex)
                .execute($conn)
                .await?;
            if seq > 0 {
                tracing::info!(records = seq, head = %prev_hex, "audit log chained");
            }
        }
    }};
}

/// Records chained per statement when adopting an existing log.
const ADOPT_BATCH: i64 = 2_000;

/// Chain the records written before the chain existed, once: at the first start-up after
/// migration 0019 (no head row yet), every record, in id order, then create the head row. Runs
/// in one transaction that holds the write lock (SQLite `BEGIN IMMEDIATE`; on PostgreSQL an
/// advisory lock, so instances starting together adopt once). Once the head row exists this
/// never runs again: a record inserted later without a hash stays outside the chain and
/// `verify` reports it.
pub(crate) async fn adopt(pool: &Pool) -> Result<(), sqlx::Error> {
    match pool {
        Pool::Sqlite(p) => {
            let mut tx = p.begin_with("BEGIN IMMEDIATE").await?;
            adopt_body!(&mut *tx);
            tx.commit().await
        }
        Pool::Postgres(p) => {
            let mut tx = p.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock(7240002)")
                .execute(&mut *tx)
                .await?;
            adopt_body!(&mut *tx);
            tx.commit().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encoding is fixed: a known record hashes to a known value (docs/AUDIT.md gives the
    /// same example), so a change to it cannot pass unnoticed.
    #[test]
    fn a_known_record_hashes_to_the_documented_value() {
        let r = Record {
            seq: 1,
            at: 1_764_460_800_000,
            actor: "admin",
            action: "user.create",
            entity: "user",
            entity_id: Some(1),
            detail: "{}",
        };
        let h = to_hex(&record_hash(&[0; 32], &r));
        assert_eq!(
            h,
            "8ccb71d9b5a86f3bb55c1dd78555e3200d9a0802902fadcb10fbfe994f699276"
        );
        assert_eq!(from_hex(&h).map(|b| to_hex(&b)), Some(h));
    }

    #[test]
    fn every_field_and_null_changes_the_hash() {
        let base = Record {
            seq: 7,
            at: 1,
            actor: "a",
            action: "b",
            entity: "c",
            entity_id: None,
            detail: "d",
        };
        let h = |r: Record<'_>| record_hash(&[1; 32], &r);
        let variants = [
            Record { seq: 8, ..base },
            Record { at: 2, ..base },
            Record {
                actor: "ab",
                action: "",
                ..base
            },
            Record {
                entity_id: Some(0),
                ..base
            },
            Record {
                detail: "d ",
                ..base
            },
        ];
        for v in variants {
            assert_ne!(h(v), h(base), "{v:?}");
        }
        assert_ne!(
            record_hash(&[2; 32], &base),
            h(base),
            "the previous hash counts"
        );
        assert!(from_hex("ABCD").is_none());
        assert!(from_hex(&"G".repeat(64)).is_none());
    }
}
