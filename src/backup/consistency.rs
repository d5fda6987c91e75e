//! The records of a database agree with each other: every delivery has its push and every
//! push its deliveries; each push has its `push.create` audit line and each delivery its
//! `delivery.created` event, and neither exists without its record. All are written in one
//! transaction (`write_tx!`), so a copy that disagrees is torn or tampered with.
//!
//! Each rule is a set difference (`EXCEPT`): one pass over each side, no per-row lookups, so
//! it stays fast on years of records. Events are never purged (db/retention.rs); a future
//! event retention would have to bound rule "delivery.created event" by age.

use super::{Conn, Outcome};

struct Rule {
    /// What an offending id is, in words.
    what: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Ids of deliveries named by `delivery.created` events.
macro_rules! created_event_ids {
    (sqlite) => {
        "SELECT CAST(json_extract(data, '$.id') AS INTEGER) FROM events WHERE kind = 'delivery.created'"
    };
    (postgres) => {
        "SELECT (data::json ->> 'id')::bigint FROM events WHERE kind = 'delivery.created'"
    };
}

macro_rules! both {
    ($sql:expr) => {
        ($sql, $sql)
    };
}

/// At most this many offending ids are listed per rule.
const SHOWN: usize = 20;

const RULES: &[Rule] = &[
    {
        let (sqlite, postgres) = both!(
            "SELECT push_id FROM deliveries EXCEPT SELECT id FROM pushes ORDER BY 1 LIMIT 21"
        );
        Rule {
            what: "push missing for its deliveries / 投递缺少推送",
            sqlite,
            postgres,
        }
    },
    {
        let (sqlite, postgres) = both!(
            "SELECT id FROM pushes EXCEPT SELECT push_id FROM deliveries ORDER BY 1 LIMIT 21"
        );
        Rule {
            what: "push without deliveries / 推送没有投递",
            sqlite,
            postgres,
        }
    },
    {
        let (sqlite, postgres) = both!(
            "SELECT id FROM pushes EXCEPT SELECT entity_id FROM audit_log \
             WHERE entity = 'push' AND action = 'push.create' ORDER BY 1 LIMIT 21"
        );
        Rule {
            what: "push without its push.create audit line / 推送缺少审计记录",
            sqlite,
            postgres,
        }
    },
    {
        let (sqlite, postgres) = both!(
            "SELECT entity_id FROM audit_log WHERE entity = 'push' AND action = 'push.create' \
             EXCEPT SELECT id FROM pushes ORDER BY 1 LIMIT 21"
        );
        Rule {
            what: "push.create audit line without its push / 审计记录所指推送不存在",
            sqlite,
            postgres,
        }
    },
    Rule {
        what: "delivery without its delivery.created event / 投递缺少事件",
        sqlite: concat!(
            "SELECT id FROM deliveries EXCEPT ",
            created_event_ids!(sqlite),
            " ORDER BY 1 LIMIT 21"
        ),
        postgres: concat!(
            "SELECT id FROM deliveries EXCEPT ",
            created_event_ids!(postgres),
            " ORDER BY 1 LIMIT 21"
        ),
    },
    Rule {
        what: "delivery.created event without its delivery / 事件所指投递不存在",
        sqlite: concat!(
            created_event_ids!(sqlite),
            " EXCEPT SELECT id FROM deliveries ORDER BY 1 LIMIT 21"
        ),
        postgres: concat!(
            created_event_ids!(postgres),
            " EXCEPT SELECT id FROM deliveries ORDER BY 1 LIMIT 21"
        ),
    },
];

const COUNTS: &str = "SELECT (SELECT COUNT(*) FROM pushes), (SELECT COUNT(*) FROM deliveries), \
     (SELECT COUNT(*) FROM events), (SELECT COUNT(*) FROM audit_log)";

pub(super) async fn check(conn: &mut Conn) -> anyhow::Result<Outcome> {
    let mut problems = Vec::new();
    for rule in RULES {
        let ids: Vec<(Option<i64>,)> = match conn {
            Conn::Sqlite(c) => sqlx::query_as(rule.sqlite).fetch_all(&mut *c).await?,
            Conn::Postgres(c) => sqlx::query_as(rule.postgres).fetch_all(&mut *c).await?,
        };
        if ids.is_empty() {
            continue;
        }
        let mut listed: Vec<String> = ids
            .iter()
            .take(SHOWN)
            .map(|(id,)| id.map_or("NULL".into(), |i| i.to_string()))
            .collect();
        if ids.len() > SHOWN {
            listed.push("…".into());
        }
        problems.push(format!("{}: {}", rule.what, listed.join(", ")));
    }
    if !problems.is_empty() {
        return Ok(Outcome::Failed(problems));
    }
    let (pushes, deliveries, events, audit): (i64, i64, i64, i64) = match conn {
        Conn::Sqlite(c) => sqlx::query_as(COUNTS).fetch_one(&mut *c).await?,
        Conn::Postgres(c) => sqlx::query_as(COUNTS).fetch_one(&mut *c).await?,
    };
    Ok(Outcome::Ok(format!(
        "{pushes} pushes, {deliveries} deliveries, {events} events, {audit} audit lines"
    )))
}
