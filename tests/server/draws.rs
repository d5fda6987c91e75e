//! Verifiable random draws of experts for joint events (art. 10(3); docs/DRAWS.md):
//! candidates and exclusions, redraws, verification (and a tampered record), access, the
//! command-line verifier, and the same draw recomputed on another database.

use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;
use crate::experts::expert;

both_backends!(
    candidates_and_exclusions,
    redraw_and_verification,
    draw_access,
    cli_verifies_stored_and_exported_records,
    no_draw_once_the_event_has_begun
);

/// An inspection on Tuesday 1 December 2026 (lawful notice from Thursday 26 November) with
/// market and health taking part; its id.
pub async fn inspection(app: &TestApp, departments: &[&str]) -> i64 {
    let body = serde_json::json!({
        "kind": "inspection", "title": "某化工企业新建项目联合踏勘",
        "starts_at": "2026-12-01T09:00:00+08:00", "place": "高青县经济开发区",
        "departments": departments,
    });
    let v: serde_json::Value = app
        .approval
        .post("/api/v1/joint-events", &body)
        .await
        .unwrap();
    v["id"].as_i64().unwrap()
}

async fn add(c: &Client, name: &str, dept: &str, until: &str) -> Expert {
    c.nominate_expert(&expert(name, dept, ExpertPool::SiteInspection, until))
        .await
        .unwrap()
}

/// The site-inspection pool of the tests: one of each reason to be left out.
/// Returns (market ok, health ok, emergency ok) ids.
async fn pool(app: &TestApp) -> (i64, i64, i64) {
    let a = add(&app.approval, "市监甲", "market", "2028-12-31").await;
    // Qualified until the day before the event: not a candidate.
    add(&app.approval, "市监乙", "market", "2026-11-30").await;
    let c = add(&app.approval, "卫健甲", "health", "2028-12-31").await;
    // Unavailable on the event's day.
    let d = add(&app.approval, "卫健乙", "health", "2028-12-31").await;
    let off = ExpertAvailability {
        unavailable_until: parse_strict_date("2026-12-01"),
        reason: Some("培训".into()),
    };
    app.health
        .set_expert_availability(d.id, &off)
        .await
        .unwrap();
    let e = add(&app.approval, "应急甲", "emergency", "2028-12-31").await;
    // Withdrawn.
    let f = add(&app.approval, "应急乙", "emergency", "2028-12-31").await;
    app.approval.withdraw_expert(f.id, "调离").await.unwrap();
    // Another pool.
    app.approval
        .nominate_expert(&expert(
            "智囊甲",
            "market",
            ExpertPool::ThinkTank,
            "2028-12-31",
        ))
        .await
        .unwrap();
    (a.id, c.id, e.id)
}

fn ids(c: &[DrawCandidate]) -> Vec<i64> {
    c.iter().map(|c| c.id).collect()
}

fn draw(count: u32) -> NewDraw {
    NewDraw {
        count,
        pool: None,
        exclude_departments: vec![],
        reason: None,
    }
}

async fn candidates_and_exclusions(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let (a, c, e) = pool(&app).await;
    let ev = inspection(&app, &["market", "health"]).await;
    // Too many asked, none asked, an unknown department: 422 naming the field, nothing written.
    for (body, field) in [
        (r#"{"count": 4}"#, "count"),
        (r#"{"count": 0}"#, "count"),
        (
            r#"{"count": 1, "exclude_departments": ["market", "nowhere"]}"#,
            "exclude_departments[1]",
        ),
        (r#"{"count": 1, "pool": "panel"}"#, "pool"),
        (r#"{"count": 1, "reason": " "}"#, "reason"),
        (r#"{"count": -1}"#, "count"),
    ] {
        let path = format!("/api/v1/joint-events/{ev}/draws");
        let (status, v) = app
            .request(
                reqwest::Method::POST,
                &path,
                app.approval.token(),
                Some(body),
            )
            .await;
        assert_eq!(
            (status, v["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {v}"
        );
    }
    assert_eq!(app.count("draws").await, 0);
    // The inspection draws from the site-inspection pool: the qualified, available, active.
    let mut d = draw(2);
    d.exclude_departments = vec!["market".into()];
    let made = app.approval.make_draw(ev, &d).await.unwrap();
    assert_eq!(
        ids(&made.candidates),
        [c, e],
        "canonical order, market excluded"
    );
    assert_eq!(made.pool, ExpertPool::SiteInspection);
    assert_eq!(made.algorithm, "chacha20-fisher-yates-v1");
    assert_eq!(made.seed.len(), 64);
    assert_eq!(made.exclude_departments, ["market"]);
    let mut drawn: Vec<i64> = made.drawn.iter().map(|x| x.id).collect();
    drawn.sort();
    assert_eq!(drawn, [c, e]);
    assert_eq!(made.event_date.to_string(), "2026-12-01");
    // Without exclusions: every department's eligible member, and the reason now required.
    let e2 = app.approval.make_draw(ev, &draw(1)).await.unwrap_err();
    assert_eq!(e2.code(), Some("invalid_field"));
    let mut again = draw(3);
    again.reason = Some("被抽中专家因回避申请退出".into());
    let redraw = app.approval.make_draw(ev, &again).await.unwrap();
    assert_eq!(ids(&redraw.candidates), [a, c, e]);
    assert_eq!(redraw.drawn.len(), 3);
    // The think-tank on request.
    let mut tt = draw(1);
    tt.pool = Some(ExpertPool::ThinkTank);
    tt.reason = Some("改为智囊团论证".into());
    let t = app.approval.make_draw(ev, &tt).await.unwrap();
    assert_eq!(t.candidates.len(), 1);
    assert_eq!(t.drawn[0].name, "智囊甲");
    app.finish().await;
}

async fn redraw_and_verification(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    pool(&app).await;
    let ev = inspection(&app, &["market", "health"]).await;
    // The commitment of the first draw was recorded when the event was scheduled.
    let before = app.approval.event_draws(ev).await.unwrap();
    let next = before.next.clone().unwrap();
    assert_eq!(next.sequence, 1);
    assert!(before.draws.is_empty());
    app.set_clock("2026-11-27T09:00:00+08:00").await;
    let first = app.approval.make_draw(ev, &draw(2)).await.unwrap();
    assert_eq!(first.sequence, 1);
    assert_eq!(
        first.commitment, next.commitment,
        "the draw reveals the committed secret"
    );
    let v = app.market.draw_verification(first.id).await.unwrap();
    assert!(
        v.matches && v.commitment_matches && v.seed_matches && v.committed_before,
        "{v:?}"
    );
    assert_eq!(v.recomputed, v.recorded);
    assert_eq!(
        v.recorded,
        first.drawn.iter().map(|x| x.id).collect::<Vec<_>>()
    );
    // A redraw: a new record with its reason; the first stays as it was.
    let mut again = draw(2);
    again.reason = Some("专家回避".into());
    let second = app.approval.make_draw(ev, &again).await.unwrap();
    assert_eq!(
        (second.sequence, second.reason.as_deref()),
        (2, Some("专家回避"))
    );
    assert_ne!(second.seed, first.seed);
    // The bureau person who drew is named to the bureau; a participant sees the department.
    let all = app.health.event_draws(ev).await.unwrap();
    assert_eq!(all.draws[0].made_by, "行政审批服务局");
    let named = |d: &Draw| Draw {
        made_by: "行政审批服务局".into(),
        ..d.clone()
    };
    assert_eq!(all.draws, [named(&first), named(&second)]);
    assert_eq!(first.made_by, "shenpi1");
    assert_eq!(all.next.unwrap().sequence, 3);
    assert!(
        app.approval
            .draw_verification(second.id)
            .await
            .unwrap()
            .matches
    );
    // Each draw is announced to every participant and the bureau.
    assert_eq!(app.count("events WHERE kind = 'draw.made'").await, 2 * 3);
    // A tampered record no longer matches: the drawn order, a candidate, the secret.
    let swapped: Vec<DrawnExpert> = first.drawn.iter().rev().cloned().collect();
    tamper(
        &app,
        first.id,
        "drawn",
        &serde_json::to_string(&swapped).unwrap(),
    )
    .await;
    let v = app.market.draw_verification(first.id).await.unwrap();
    assert!(!v.matches, "{v:?}");
    assert_eq!(v.recorded, swapped.iter().map(|x| x.id).collect::<Vec<_>>());
    assert_ne!(v.recomputed, v.recorded);
    // A drawn candidate struck from the list (the result no longer follows from it).
    let fewer: Vec<&DrawCandidate> = second
        .candidates
        .iter()
        .filter(|c| c.id != second.drawn[1].id)
        .collect();
    tamper(
        &app,
        second.id,
        "candidates",
        &serde_json::to_string(&fewer).unwrap(),
    )
    .await;
    assert!(
        !app.market
            .draw_verification(second.id)
            .await
            .unwrap()
            .matches
    );
    tamper(
        &app,
        second.id,
        "candidates",
        &serde_json::to_string(&second.candidates).unwrap(),
    )
    .await;
    assert!(
        app.market
            .draw_verification(second.id)
            .await
            .unwrap()
            .matches
    );
    tamper(&app, second.id, "secret", &"0".repeat(64)).await;
    let v = app.market.draw_verification(second.id).await.unwrap();
    assert!(!v.matches && !v.commitment_matches);
    app.finish().await;
}

/// Change one column of a stored draw behind the server's back.
pub async fn tamper(app: &TestApp, id: i64, column: &str, value: &str) {
    let sql = format!("UPDATE draws SET {column} = $1 WHERE id = $2");
    let q = sqlx::AssertSqlSafe(sql);
    let done = match app.state().db.pool() {
        shenguan::db::Pool::Sqlite(p) => sqlx::query(q)
            .bind(value)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()),
        shenguan::db::Pool::Postgres(p) => sqlx::query(q)
            .bind(value)
            .bind(id)
            .execute(p)
            .await
            .map(|r| r.rows_affected()),
    };
    assert_eq!(done.unwrap(), 1);
}

async fn draw_access(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    pool(&app).await;
    let ev = inspection(&app, &["market"]).await;
    // Only the bureau draws.
    for c in [&app.market, &app.supervisor, &app.admin, &app.duty] {
        assert_eq!(
            refused_status(c.make_draw(ev, &draw(1)).await).as_u16(),
            403
        );
    }
    // A department that does not take part does not see the event or its draws.
    assert_eq!(
        refused_status(app.health.make_draw(ev, &draw(1)).await).as_u16(),
        404
    );
    let d = app.approval.make_draw(ev, &draw(2)).await.unwrap();
    assert_eq!(refused_status(app.health.draw(d.id).await).as_u16(), 404);
    assert_eq!(
        refused_status(app.health.draw_verification(d.id).await).as_u16(),
        404
    );
    assert_eq!(
        refused_status(app.health.event_draws(ev).await).as_u16(),
        404
    );
    assert_eq!(refused_status(app.market.draw(999_999).await).as_u16(), 404);
    // Participants see who was drawn, whatever their department; supervisors see all.
    let seen = app.market.draw(d.id).await.unwrap();
    assert_eq!(seen.drawn, d.drawn);
    assert!(seen.drawn.iter().all(|x| !x.name.is_empty()));
    assert!(
        app.supervisor
            .draw_verification(d.id)
            .await
            .unwrap()
            .matches
    );
    // A cancelled event is not drawn for.
    let ev2 = inspection(&app, &["market"]).await;
    let cancel = serde_json::json!({"reason": "项目撤回"});
    let _: serde_json::Value = app
        .approval
        .post(&format!("/api/v1/joint-events/{ev2}/cancel"), &cancel)
        .await
        .unwrap();
    let e = app.approval.make_draw(ev2, &draw(1)).await.unwrap_err();
    assert_eq!(e.code(), Some("event_cancelled"));
    app.finish().await;
}

fn shenguan(args: &[&str], env: &[(&str, &str)]) -> (bool, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shenguan"))
        .args(args)
        .envs(env.iter().copied())
        // No saved login of the machine's user is read.
        .env("HOME", std::env::temp_dir())
        .env("XDG_CONFIG_HOME", std::env::temp_dir().join("sg-no-config"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

async fn cli_verifies_stored_and_exported_records(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    pool(&app).await;
    let ev = inspection(&app, &["market", "health"]).await;
    let d = app.approval.make_draw(ev, &draw(2)).await.unwrap();
    let id = d.id.to_string();
    // Through the API with the caller's token.
    let token = app.market.token().unwrap().to_string();
    let env = [
        ("SHENGUAN_TOKEN", token.as_str()),
        ("SHENGUAN_SERVER", app.url.as_str()),
    ];
    let (ok, out, err) = shenguan(&["draw", "verify", &id], &env);
    assert!(ok, "{out}{err}");
    assert!(out.contains("MATCH") && out.contains(&d.seed), "{out}");
    // Straight from the database.
    let (ok, out, err) = shenguan(
        &["draw", "verify", &id, "--database", &app.db.url, "--json"],
        &[],
    );
    assert!(ok, "{out}{err}");
    let v: DrawVerification = serde_json::from_str(&out).unwrap();
    assert!(v.matches);
    // An exported record, with nothing else; then the same record tampered with.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("draw.json");
    std::fs::write(&file, serde_json::to_string(&d).unwrap()).unwrap();
    let path = file.to_str().unwrap();
    assert!(shenguan(&["draw", "verify", "--record", path], &[]).0);
    let mut bad = d.clone();
    bad.candidates.reverse();
    std::fs::write(&file, serde_json::to_string(&bad).unwrap()).unwrap();
    let (ok, out, _) = shenguan(&["draw", "verify", "--record", path], &[]);
    assert!(!ok && out.contains("MISMATCH"), "{out}");
    // Stored data tampered with: the database check fails too.
    tamper(&app, d.id, "seed", &"1".repeat(64)).await;
    let (ok, _, err) = shenguan(&["draw", "verify", &id, "--database", &app.db.url], &[]);
    assert!(!ok, "{err}");
    let (ok, _, _) = shenguan(
        &["draw", "verify", "424242", "--database", &app.db.url],
        &[],
    );
    assert!(!ok);
    app.finish().await;
}

/// The same draw recomputed from its record on another database: made and stored on SQLite,
/// its record copied into PostgreSQL (an identical county: same experts, same event), and
/// verified there by the PostgreSQL server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_draw_recomputed_on_another_database() {
    let Some(pg) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let lite = TestApp::spawn(Backend::Sqlite).await.unwrap();
    assert_eq!(pool(&lite).await, pool(&pg).await, "the two counties match");
    let ev = inspection(&lite, &["market", "health"]).await;
    assert_eq!(inspection(&pg, &["market", "health"]).await, ev);
    let d = lite.approval.make_draw(ev, &draw(2)).await.unwrap();
    let record: Draw = lite.market.draw(d.id).await.unwrap();
    let shenguan::db::Pool::Postgres(p) = pg.state().db.pool() else {
        unreachable!()
    };
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO draws (event_id, sequence, pool, event_date, exclude_departments, reason, algorithm, \
         commitment, committed_at, secret, seed, candidates, drawn, made_by, made_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(record.event_id)
    .bind(i64::from(record.sequence))
    .bind(record.pool.as_str())
    .bind(record.event_date.to_string())
    .bind(serde_json::to_string(&record.exclude_departments).unwrap())
    .bind(record.reason.as_deref())
    .bind(&record.algorithm)
    .bind(&record.commitment)
    .bind(record.committed_at.timestamp_millis())
    .bind(&record.secret)
    .bind(&record.seed)
    .bind(serde_json::to_string(&record.candidates).unwrap())
    .bind(serde_json::to_string(&record.drawn).unwrap())
    .bind(&record.made_by)
    .bind(record.made_at.timestamp_millis())
    .fetch_one(p)
    .await
    .unwrap();
    let on_pg = pg.market.draw_verification(id).await.unwrap();
    let on_lite = lite.market.draw_verification(d.id).await.unwrap();
    assert!(on_pg.matches, "{on_pg:?}");
    assert_eq!(on_pg.recomputed, on_lite.recomputed);
    assert_eq!(
        on_pg.recomputed,
        record.drawn.iter().map(|x| x.id).collect::<Vec<_>>()
    );
    lite.finish().await;
    pg.finish().await;
}

/// Experts are drawn for an event still ahead: from its start instant a draw is a 409
/// `event_started` and nothing is written; a second before it the draw is still made.
async fn no_draw_once_the_event_has_begun(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    pool(&app).await;
    let ev = inspection(&app, &["market", "health"]).await;
    let path = format!("/api/v1/joint-events/{ev}/draws");
    let tok = app.approval.token().unwrap().to_string();
    app.set_clock("2026-12-01T08:59:59+08:00").await;
    let (s, v) = app
        .request(
            reqwest::Method::POST,
            &path,
            Some(&tok),
            Some(r#"{"count": 1}"#),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    app.set_clock("2026-12-01T09:00:00+08:00").await;
    let before = app.count("draws").await;
    let body = r#"{"count": 1, "reason": "专家临时有事"}"#;
    let (s, v) = app
        .request(reqwest::Method::POST, &path, Some(&tok), Some(body))
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (409, Some("event_started")),
        "{v}"
    );
    assert_eq!(app.count("draws").await, before);
    app.finish().await;
}
