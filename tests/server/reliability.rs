use std::collections::{HashMap, HashSet};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use shenguan::api::*;
use shenguan::client::{Client, StreamItem};
use shenguan::domain::Principal;
use tokio::io::AsyncBufReadExt;

use crate::both_backends;
use crate::common::*;

both_backends!(claims_racing_the_sweeper_change_each_delivery_once);

async fn count_where(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

async fn claims_racing_the_sweeper_change_each_delivery_once(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let mut ids = vec![];
    for _ in 0..30 {
        ids.extend(
            app.push(&["market", "health"])
                .await
                .deliveries
                .iter()
                .map(|d| d.id),
        );
    }
    let deadline = app.push(&["market"]).await.deliveries[0]
        .claim_deadline
        .timestamp_millis();
    let db = app.state().db.clone();
    let actor = Principal {
        user_id: Some(2),
        api_key_id: None,
        name: "racer".into(),
        role: Role::SupervisionStaff,
        department_id: None,
    };
    // Claims made a millisecond before the deadline race sweeps at the deadline.
    let mut tasks = vec![];
    for id in &ids {
        let (db2, actor, id) = (db.clone(), actor.clone(), *id);
        tasks.push(tokio::spawn(async move {
            let seen = shenguan::db::deliveries::get(&db2, id)
                .await
                .unwrap()
                .unwrap();
            shenguan::db::deliveries::claim(&db2, &actor, seen, deadline - 1)
                .await
                .is_ok()
        }));
        if id % 10 == 0 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                shenguan::db::deliveries::auto_claim_batch(&db, deadline)
                    .await
                    .is_ok()
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    shenguan::db::deliveries::auto_claim_batch(&db, deadline)
        .await
        .unwrap();
    let claimed = count_where(&app, "deliveries WHERE status = 'claimed'").await;
    let auto = count_where(&app, "deliveries WHERE status = 'auto_claimed'").await;
    assert_eq!(
        claimed + auto,
        ids.len() as i64 + 1,
        "every delivery decided"
    );
    assert!(auto >= 1);
    // Exactly one state-change event per delivery, and accountability only for auto-claims.
    let changes = count_where(
        &app,
        "events WHERE kind IN ('delivery.claimed', 'delivery.auto_claimed')",
    )
    .await;
    assert_eq!(changes, ids.len() as i64 + 1);
    assert_eq!(count_where(&app, "accountability").await, auto);
    let claimed_events = count_where(&app, "events WHERE kind = 'delivery.claimed'").await;
    assert_eq!(claimed_events, claimed);
    app.finish().await;
}

/// PostgreSQL: two instances over one database sweep at once; every overdue delivery is
/// auto-claimed exactly once, and subscribers of both instances see every event.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_on_one_postgres() {
    let Some(db) = TestDb::new(Backend::Postgres).await else {
        return;
    };
    let url = db.url.clone();
    let app = TestApp::spawn_on(db, test_config).await;
    let second = shenguan::server::start(test_config(&url), None)
        .await
        .unwrap();
    let b_url = second.url();
    // Sessions live in the database: the same token works on either instance.
    let sup_b = Client::new(&b_url, app.supervisor.token().map(String::from));
    let admin_b = Client::new(&b_url, app.admin.token().map(String::from));
    let approval_b = Client::new(&b_url, app.approval.token().map(String::from));
    admin_b.set_test_clock(t0()).await.unwrap();
    let mut streams = vec![];
    for c in [&app.supervisor, &sup_b] {
        let mut s = c.events(None);
        assert!(matches!(
            tokio::time::timeout(Duration::from_secs(5), s.next()).await,
            Ok(Some(StreamItem::Connected))
        ));
        streams.push(s);
    }
    let mut expected = 0;
    for i in 0..40 {
        let c = if i % 2 == 0 {
            &app.approval
        } else {
            &approval_b
        };
        c.create_approval_push(&approval_push(&["market", "health"]), None)
            .await
            .unwrap();
        expected += 2;
    }
    // Both reach 09:00, then 15:00, of the deadlines' last working day at the same moment,
    // each sweeping: one reminder per delivery per time.
    for (t, times) in [
        ("2026-11-27T09:00:00+08:00", 1),
        ("2026-11-27T15:00:00+08:00", 2),
    ] {
        let t = at(t);
        let (ra, rb) = tokio::join!(app.admin.set_test_clock(t), admin_b.set_test_clock(t));
        ra.unwrap();
        rb.unwrap();
        assert_eq!(
            app.count("events WHERE kind = 'delivery.reminder'").await,
            times * expected,
            "each reminder once"
        );
    }
    // Both instances move past the deadline at the same moment, each sweeping.
    let late = at("2026-11-30T09:00:00+08:00");
    let (ra, rb) = tokio::join!(app.admin.set_test_clock(late), admin_b.set_test_clock(late));
    ra.unwrap();
    rb.unwrap();
    assert_eq!(
        app.count("deliveries WHERE status = 'auto_claimed'").await,
        expected
    );
    assert_eq!(
        app.count("accountability WHERE rule = 'claim_overdue'")
            .await,
        expected
    );
    assert_eq!(
        app.count("events WHERE kind = 'delivery.auto_claimed'")
            .await,
        expected,
        "one event per auto-claim"
    );
    // Each instance's subscriber sees all 80 creations, 160 reminders and 80 auto-claims, no
    // duplicates.
    for (n, s) in streams.iter_mut().enumerate() {
        let mut seen = HashSet::new();
        let mut kinds: HashMap<String, i64> = HashMap::new();
        while seen.len() < (expected * 4) as usize {
            match tokio::time::timeout(Duration::from_secs(10), s.next()).await {
                Ok(Some(StreamItem::Event(e))) => {
                    assert!(seen.insert(e.id), "instance {n} sent event {} twice", e.id);
                    *kinds.entry(e.kind).or_default() += 1;
                }
                Ok(Some(StreamItem::Connected)) => {}
                other => panic!(
                    "instance {n}: stream ended early after {} events: {other:?}",
                    seen.len()
                ),
            }
        }
        assert_eq!(kinds["delivery.created"], expected);
        assert_eq!(kinds["delivery.auto_claimed"], expected);
        assert_eq!(kinds["delivery.reminder"], 2 * expected);
    }
    drop(streams);
    // A department created through one instance reaches the other's cache through the event
    // log: the other's next supervision push is delivered to it too.
    create_department(
        &app.admin,
        "approval2",
        "第二审批服务中心",
        DepartmentKind::Approval,
    )
    .await;
    let market_b = Client::new(&b_url, app.market.token().map(String::from));
    let note = NewSupervisionPush {
        category: SupervisionCategory::Training,
        title: "食品安全培训".into(),
        body: "12月3日上午9点，县市场监管局会议室。".into(),
        counterparty: None,
        related_license_no: None,
        penalty: None,
        commitment_breach: None,
        credit: None,
        important: false,
    };
    let mut reached = false;
    for _ in 0..50 {
        let push = market_b.create_supervision_push(&note).await.unwrap();
        if push.deliveries.iter().any(|d| d.department == "approval2") {
            reached = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        reached,
        "instance B never learned of the new approval department"
    );
    let listed: Vec<Department> = sup_b.departments().await.unwrap();
    assert!(listed.iter().any(|d| d.code == "approval2"));
    second.shutdown().await;
    app.finish().await;
}

struct Child {
    child: tokio::process::Child,
    url: String,
}

async fn start_binary(db_url: &str) -> Child {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args([
            "server",
            "--listen",
            "127.0.0.1:0",
            "--test-clock",
            "--test-clock-start",
            "2026-11-26T10:00:00+08:00",
            "--database",
            db_url,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let url = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(url.starts_with("http://"), "{url}");
    Child { child, url }
}

/// SQLite: kill -9 the server during a burst of pushes. Every push answered 201 is there
/// after a restart, and retrying every push with its Idempotency-Key never duplicates.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_during_pushes_loses_nothing_answered() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    shenguan::admin::bootstrap_at(
        &db.url,
        "admin",
        "管理员",
        PASSWORD,
        t0().with_timezone(&chrono::Utc),
    )
    .await
    .unwrap();
    let mut srv = start_binary(&db.url).await;
    let anon = Client::new(&srv.url, None);
    let admin = login(&anon, "admin").await;
    for (code, name, kind) in [
        ("approval", "行政审批服务局", DepartmentKind::Approval),
        ("market", "市场监督管理局", DepartmentKind::Supervision),
    ] {
        create_department(&admin, code, name, kind).await;
    }
    create_user(&admin, "shenpi1", Role::ApprovalStaff, Some("approval")).await;
    let staff = login(&anon, "shenpi1").await;
    let token = staff.token().unwrap().to_string();

    let answered = Arc::new(tokio::sync::Mutex::new(HashMap::<String, Push>::new()));
    let mut workers = vec![];
    for w in 0..8 {
        let (c, answered) = (staff.clone(), answered.clone());
        workers.push(tokio::spawn(async move {
            for i in 0..10_000 {
                let key = format!("burst-{w}-{i}");
                match c
                    .create_approval_push(&approval_push(&["market"]), Some(&key))
                    .await
                {
                    Ok(p) => {
                        answered.lock().await.insert(key, p);
                    }
                    Err(_) => return i, // the server died: this key's fate is unknown
                }
            }
            10_000
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    srv.child.start_kill().unwrap(); // SIGKILL
    srv.child.wait().await.unwrap();
    // Worker w attempted keys 0..=n_w (the last one's fate unknown).
    let mut attempted = vec![];
    for w in workers {
        attempted.push(w.await.unwrap());
    }
    let answered = answered.lock().await.clone();
    assert!(
        answered.len() > 10,
        "the burst made progress before the kill ({})",
        answered.len()
    );

    let srv2 = start_binary(&db.url).await;
    let c = Client::new(&srv2.url, Some(token));
    for (key, p) in &answered {
        let back: Push = c
            .get(&format!("/api/v1/pushes/{}", p.id))
            .await
            .unwrap_or_else(|e| panic!("push {key} lost: {e}"));
        assert_eq!(&back, p);
    }
    // Retry every attempted key: answered ones replay, the unknown ones are created once.
    let mut ids = HashSet::new();
    for (w, n) in attempted.iter().enumerate() {
        for i in 0..=*n {
            let key = format!("burst-{w}-{i}");
            let p = c
                .create_approval_push(&approval_push(&["market"]), Some(&key))
                .await
                .unwrap();
            if let Some(orig) = answered.get(&key) {
                assert_eq!(p.id, orig.id, "{key} replayed");
            }
            assert!(ids.insert(p.id), "{key} duplicated push {}", p.id);
        }
    }
    let store = shenguan::db::Db::connect(&db.url).await.unwrap();
    let shenguan::db::Pool::Sqlite(pool) = store.pool() else {
        unreachable!()
    };
    let (pushes,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pushes")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        pushes as usize,
        ids.len(),
        "exactly one push per key, none lost, none doubled"
    );
    store.close().await;
    drop(srv2);
    db.cleanup().await;
}

/// Without --test-clock the clock endpoint does not exist.
#[tokio::test]
async fn test_clock_is_404_without_the_flag() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let app = TestApp::spawn_on(db, |url| {
        ServerConfigExt::without_test_clock(test_config(url))
    })
    .await;
    assert_eq!(refused_status(app.admin.set_test_clock(t0()).await), 404);
    app.finish().await;
}

trait ServerConfigExt {
    fn without_test_clock(self) -> Self;
}
impl ServerConfigExt for shenguan::server::ServerConfig {
    fn without_test_clock(mut self) -> Self {
        self.test_clock = false;
        self
    }
}
