//! `shenguan audit verify`: walk the chain from record 1 to the head and name the first
//! record that does not match.

use std::str::FromStr;

use futures::TryStreamExt;

use super::{GENESIS, Record, record_hash, to_hex};
use crate::db::Pool;

/// The outcome of a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every record matches and the head names the last one.
    Holds { records: i64, head: String },
    /// The first place the chain does not hold.
    Broken(Break),
}

/// Where and how the chain breaks. `record` is the record number (`seq`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// No chain head: this database was never started by a version with the chain.
    NotChained,
    /// Record `record` is not where it should be: the next one found is `found` (deleted or
    /// moved; `None`: the log ends before the head).
    Missing { record: i64, found: Option<i64> },
    /// Record `record` does not carry the hash of the record before it (that one, or this
    /// one's place, was changed: a record moved, replaced or inserted).
    Unlinked { record: i64 },
    /// Record `record`'s own content does not give its stored hash (it was modified).
    Modified { record: i64 },
    /// The head names record `head` but the chain continues to `last` (records appended
    /// outside the chain), or names a different hash for the last record.
    Head { record: i64, head: i64 },
    /// A row with no place in the chain (inserted without a hash); `id` is its storage id.
    Outside { id: i64 },
}

impl Break {
    /// The record number the break is reported at (`None`: no record number applies).
    pub fn record(&self) -> Option<i64> {
        match self {
            Break::NotChained | Break::Outside { .. } => None,
            Break::Missing { record, .. }
            | Break::Unlinked { record }
            | Break::Modified { record }
            | Break::Head { record, .. } => Some(*record),
        }
    }
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Break::NotChained => write!(
                f,
                "没有审计链头：数据库尚未由带审计链的版本启动 / no chain head: the database was never started by a version with the audit chain"
            ),
            Break::Missing {
                record,
                found: Some(found),
            } => write!(
                f,
                "第 {record} 条记录缺失（下一条为第 {found} 条） / record {record} is missing (the next record found is {found}): deleted or moved"
            ),
            Break::Missing {
                record,
                found: None,
            } => write!(
                f,
                "第 {record} 条记录缺失（日志在链头之前结束） / record {record} is missing: the log ends before the chain head"
            ),
            Break::Unlinked { record } => write!(
                f,
                "第 {record} 条记录与前一条不相接 / record {record} does not carry the hash of record {}: a record was moved, replaced or inserted",
                record - 1
            ),
            Break::Modified { record } => write!(
                f,
                "第 {record} 条记录的内容与其哈希不符 / record {record} does not match its hash: it was modified"
            ),
            Break::Head { record, head } => write!(
                f,
                "链头（第 {head} 条）与日志不符，自第 {record} 条起 / the chain head (record {head}) does not match the log from record {record}"
            ),
            Break::Outside { id } => write!(
                f,
                "存储编号 {id} 的记录不在审计链中 / the row with storage id {id} is outside the chain (inserted without a hash)"
            ),
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Holds { records, head } => write!(
                f,
                "审计链完好：{records} 条记录，链头 {head} / audit chain holds: {records} records, head {head}"
            ),
            Verdict::Broken(b) => write!(f, "审计链断开 / audit chain broken: {b}"),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ChainRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    detail: String,
    prev_hash: Option<String>,
    hash: Option<String>,
}

/// The walk's state: the record expected next and the hash it must carry.
struct Walker {
    expected: i64,
    prev: [u8; 32],
    prev_hex: String,
}

impl Walker {
    fn new() -> Self {
        Self {
            expected: 1,
            prev: [0; 32],
            prev_hex: GENESIS.to_string(),
        }
    }

    fn step(&mut self, r: &ChainRow) -> Result<(), Break> {
        let record = self.expected;
        if r.seq != record {
            return Err(Break::Missing {
                record,
                found: Some(r.seq),
            });
        }
        if r.prev_hash.as_deref() != Some(self.prev_hex.as_str()) {
            return Err(Break::Unlinked { record });
        }
        let h = record_hash(
            &self.prev,
            &Record {
                seq: r.seq,
                at: r.at,
                actor: &r.actor,
                action: &r.action,
                entity: &r.entity,
                entity_id: r.entity_id,
                detail: &r.detail,
            },
        );
        let hex = to_hex(&h);
        if r.hash.as_deref() != Some(hex.as_str()) {
            return Err(Break::Modified { record });
        }
        self.prev = h;
        self.prev_hex = hex;
        self.expected += 1;
        Ok(())
    }

    /// Compare the end of the walk with the head row.
    fn finish(self, head: Option<(i64, String)>) -> Verdict {
        let last = self.expected - 1;
        let Some((head_seq, head_hash)) = head else {
            return Verdict::Broken(Break::NotChained);
        };
        if head_seq > last {
            return Verdict::Broken(Break::Missing {
                record: last + 1,
                found: None,
            });
        }
        if head_seq < last {
            return Verdict::Broken(Break::Head {
                record: head_seq + 1,
                head: head_seq,
            });
        }
        if head_hash != self.prev_hex {
            return Verdict::Broken(Break::Head {
                record: last,
                head: head_seq,
            });
        }
        Verdict::Holds {
            records: last,
            head: self.prev_hex,
        }
    }
}

const WALK: &str = "SELECT seq, at, actor, action, entity, entity_id, detail, prev_hash, hash \
                    FROM audit_log WHERE seq IS NOT NULL ORDER BY seq";
const OUTSIDE: &str = "SELECT MIN(id) FROM audit_log WHERE seq IS NULL";
const HEAD: &str = "SELECT seq, hash FROM audit_chain WHERE id = 1";

/// The walk, the rows outside the chain and the head, read in one snapshot so that records
/// appended meanwhile by a running server are not mistaken for a break.
macro_rules! walk {
    ($tx:expr) => {{
        let head: Option<(i64, String)> = sqlx::query_as(HEAD).fetch_optional($tx).await?;
        // No head: the log was never chained (every row would look "outside"); say so.
        if head.is_none() {
            return Ok(Verdict::Broken(Break::NotChained));
        }
        let mut walker = Walker::new();
        let mut broken = None;
        {
            let mut rows = sqlx::query_as::<_, ChainRow>(WALK).fetch($tx);
            while let Some(r) = rows.try_next().await? {
                if let Err(b) = walker.step(&r) {
                    broken = Some(b);
                    break;
                }
            }
        }
        match broken {
            Some(b) => Verdict::Broken(b),
            None => {
                let (outside,): (Option<i64>,) = sqlx::query_as(OUTSIDE).fetch_one($tx).await?;
                match outside {
                    Some(id) => Verdict::Broken(Break::Outside { id }),
                    None => walker.finish(head),
                }
            }
        }
    }};
}

/// Walk the chain on a pool of either database.
pub async fn verify(pool: &Pool) -> Result<Verdict, sqlx::Error> {
    match pool {
        Pool::Sqlite(p) => {
            // A deferred read transaction: one WAL snapshot for all three reads.
            let mut tx = p.begin().await?;
            let v = walk!(&mut *tx);
            tx.rollback().await?;
            Ok(v)
        }
        Pool::Postgres(p) => {
            let mut tx = p
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await?;
            let v = walk!(&mut *tx);
            tx.rollback().await?;
            Ok(v)
        }
    }
}

/// `shenguan audit verify --database URL`: open the database read-only (no migration, no
/// writer, a SQLite file is never created) and walk the chain.
pub async fn verify_url(url: &str) -> anyhow::Result<Verdict> {
    use anyhow::Context;
    let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let opts = sqlx::postgres::PgConnectOptions::from_str(url)?;
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .context("连接数据库失败 / cannot connect to the database")?;
        Pool::Postgres(pool)
    } else if url.starts_with("sqlite:") {
        let opts = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
            .create_if_missing(false)
            .read_only(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(opts)
            .await
            .context("打开数据库失败 / cannot open the database")?;
        Pool::Sqlite(pool)
    } else {
        anyhow::bail!("unsupported database URL (expected sqlite://… or postgres://…)");
    };
    let verdict = verify(&pool).await.context(
        "读取审计日志失败（数据库是否已迁移？） / cannot read the audit log (is the database migrated?)",
    );
    match &pool {
        Pool::Sqlite(p) => p.close().await,
        Pool::Postgres(p) => p.close().await,
    }
    verdict
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(seq: i64, prev: &str, detail: &str) -> (ChainRow, String) {
        let prev_bytes = super::super::from_hex(prev).unwrap();
        let r = Record {
            seq,
            at: 10,
            actor: "a",
            action: "x.y",
            entity: "x",
            entity_id: None,
            detail,
        };
        let hash = to_hex(&record_hash(&prev_bytes, &r));
        let row = ChainRow {
            seq,
            at: 10,
            actor: "a".into(),
            action: "x.y".into(),
            entity: "x".into(),
            entity_id: None,
            detail: detail.into(),
            prev_hash: Some(prev.into()),
            hash: Some(hash.clone()),
        };
        (row, hash)
    }

    fn chain(n: i64) -> (Vec<ChainRow>, String) {
        let mut prev = GENESIS.to_string();
        let mut rows = Vec::new();
        for seq in 1..=n {
            let (r, h) = row(seq, &prev, &format!("{{\"n\":{seq}}}"));
            rows.push(r);
            prev = h;
        }
        (rows, prev)
    }

    fn walk(rows: &[ChainRow], head: Option<(i64, String)>) -> Verdict {
        let mut w = Walker::new();
        for r in rows {
            if let Err(b) = w.step(r) {
                return Verdict::Broken(b);
            }
        }
        w.finish(head)
    }

    #[test]
    fn each_kind_of_tampering_is_named_at_its_record() {
        let (rows, head) = chain(5);
        let h = |s: i64| Some((s, head.clone()));
        assert_eq!(
            walk(&rows, h(5)),
            Verdict::Holds {
                records: 5,
                head: head.clone()
            }
        );
        assert_eq!(
            walk(&[], Some((0, GENESIS.into()))),
            Verdict::Holds {
                records: 0,
                head: GENESIS.into()
            }
        );
        assert_eq!(walk(&rows, None), Verdict::Broken(Break::NotChained));

        let (mut modified, _) = chain(5);
        modified[2].detail = "{\"n\":99}".into();
        assert_eq!(
            walk(&modified, h(5)),
            Verdict::Broken(Break::Modified { record: 3 })
        );

        let (mut deleted, _) = chain(5);
        deleted.remove(2);
        assert_eq!(
            walk(&deleted, h(5)),
            Verdict::Broken(Break::Missing {
                record: 3,
                found: Some(4)
            })
        );

        // Swapped places (seq numbers exchanged, rows sorted again).
        let (mut swapped, _) = chain(5);
        swapped[1].seq = 3;
        swapped[2].seq = 2;
        swapped.sort_by_key(|r| r.seq);
        assert_eq!(
            walk(&swapped, h(5)),
            Verdict::Broken(Break::Unlinked { record: 2 })
        );

        // The tail cut off, or a record appended without moving the head.
        assert_eq!(
            walk(&rows[..3], h(5)),
            Verdict::Broken(Break::Missing {
                record: 4,
                found: None
            })
        );
        assert_eq!(
            walk(&rows, Some((4, head.clone()))),
            Verdict::Broken(Break::Head { record: 5, head: 4 })
        );
        assert_eq!(
            walk(&rows, Some((5, GENESIS.into()))),
            Verdict::Broken(Break::Head { record: 5, head: 5 })
        );
    }
}
