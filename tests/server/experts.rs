//! The expert registry (art. 10(1)–(3)): limits per department, who nominates, who sees
//! whom, withdrawal, replacement, availability, history.

use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;

both_backends!(registry_limits_and_history, registry_access_and_bad_input);

pub fn expert(name: &str, dept: &str, pool: ExpertPool, until: &str) -> NewExpert {
    NewExpert {
        name: name.into(),
        department: dept.into(),
        pool,
        qualification: "注册安全工程师".into(),
        qualified_until: parse_strict_date(until).unwrap(),
        replaces: None,
        reason: None,
    }
}

pub async fn nominate(c: &Client, name: &str, dept: &str, pool: ExpertPool) -> Expert {
    c.nominate_expert(&expert(name, dept, pool, "2028-12-31"))
        .await
        .unwrap()
}

fn summary(r: &ExpertRoster, dept: &str, pool: ExpertPool) -> DepartmentRoster {
    r.departments
        .iter()
        .find(|d| d.department == dept && d.pool == pool)
        .cloned()
        .unwrap()
}

async fn registry_limits_and_history(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    use ExpertPool::*;
    // Think-tank: 2–3 per department.
    let a = nominate(&app.market, "张工", "market", ThinkTank).await;
    assert_eq!(
        (a.status, a.department.as_str()),
        (ExpertStatus::Active, "market")
    );
    let r = app
        .market
        .experts(Some(ThinkTank), Some("market"))
        .await
        .unwrap();
    let s = summary(&r, "market", ThinkTank);
    assert_eq!(
        (s.active, s.minimum, s.maximum, s.below_minimum),
        (1, 2, 3, true)
    );
    nominate(&app.market, "李工", "market", ThinkTank).await;
    let c = nominate(&app.market2, "王工", "market", ThinkTank).await;
    let before = app.count("experts").await;
    let e = app
        .market
        .nominate_expert(&expert("赵工", "market", ThinkTank, "2028-12-31"))
        .await
        .unwrap_err();
    assert_eq!(
        (e.status().map(|s| s.as_u16()), e.code()),
        (Some(409), Some("pool_full"))
    );
    assert_eq!(
        app.count("experts").await,
        before,
        "a refused nomination writes nothing"
    );
    // Site inspection: 1–2, counted apart from the think-tank.
    nominate(&app.market, "钱工", "market", SiteInspection).await;
    nominate(&app.market, "孙工", "market", SiteInspection).await;
    let e = app
        .market
        .nominate_expert(&expert("周工", "market", SiteInspection, "2028-12-31"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("pool_full"));
    // A replacement withdraws the old member in the same change: the full pool stays full.
    let mut repl = expert("吴工", "market", ThinkTank, "2029-06-30");
    repl.replaces = Some(c.id);
    let e = app.market.nominate_expert(&repl).await.unwrap_err();
    assert_eq!(
        e.code(),
        Some("invalid_field"),
        "a replacement needs a reason"
    );
    repl.reason = Some("调离本单位".into());
    let new = app.market.nominate_expert(&repl).await.unwrap();
    assert_eq!(new.replaces, Some(c.id));
    let old = app.market.expert(c.id).await.unwrap();
    assert_eq!(old.expert.status, ExpertStatus::Withdrawn);
    assert_eq!(old.expert.withdraw_reason.as_deref(), Some("调离本单位"));
    let r = app.market.experts(Some(ThinkTank), None).await.unwrap();
    assert_eq!(summary(&r, "market", ThinkTank).active, 3);
    // Withdrawing: the department falls below its minimum, and every department sees it.
    let w = app.market.withdraw_expert(a.id, "退休").await.unwrap();
    assert_eq!(w.status, ExpertStatus::Withdrawn);
    app.market
        .withdraw_expert(new.id, "长期病假")
        .await
        .unwrap();
    let r = app.health.experts(Some(ThinkTank), None).await.unwrap();
    let s = summary(&r, "market", ThinkTank);
    assert_eq!((s.active, s.below_minimum), (1, true));
    assert!(summary(&r, "health", ThinkTank).below_minimum);
    assert!(r.departments.iter().all(|d| d.pool == ThinkTank));
    assert!(r.departments.iter().all(|d| d.department != "approval"));
    let e = app.market.withdraw_expert(a.id, "再次").await.unwrap_err();
    assert_eq!(e.code(), Some("expert_withdrawn"));
    // Availability, and the whole history of a member.
    let avail = ExpertAvailability {
        unavailable_until: parse_strict_date("2026-12-10"),
        reason: Some("出差".into()),
    };
    let x = app
        .market
        .set_expert_availability(new.id, &avail)
        .await
        .unwrap_err();
    assert_eq!(x.code(), Some("expert_withdrawn"));
    assert!(r.experts.is_empty(), "health sees no market member");
    let site = app
        .market
        .experts(Some(SiteInspection), None)
        .await
        .unwrap();
    let one = site.experts[0].id;
    let got = app
        .market
        .set_expert_availability(one, &avail)
        .await
        .unwrap();
    assert_eq!(got.unavailable_until, parse_strict_date("2026-12-10"));
    let h = app.market.expert(one).await.unwrap().history;
    let changes: Vec<&str> = h.iter().map(|c| c.change.as_str()).collect();
    assert_eq!(changes, ["nominated", "availability"]);
    assert_eq!(h[0].actor, "market1");
    let h = app.market.expert(c.id).await.unwrap().history;
    let changes: Vec<&str> = h.iter().map(|c| c.change.as_str()).collect();
    assert_eq!(changes, ["nominated", "replaced"]);
    // Every change is an audit line and an `expert.*` event.
    let changes = app.count("expert_changes").await;
    assert_eq!(changes, 10);
    assert_eq!(
        app.count("audit_log WHERE action LIKE 'expert.%'").await,
        changes
    );
    assert_eq!(
        app.count("events WHERE kind LIKE 'expert.%'").await,
        changes,
        "one event per change"
    );
    app.finish().await;
}

async fn registry_access_and_bad_input(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    use ExpertPool::*;
    // A department nominates only its own members; the bureau and an admin record for any.
    let e = app
        .market
        .nominate_expert(&expert("张工", "health", ThinkTank, "2028-12-31"))
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403));
    for c in [&app.supervisor, &app.duty] {
        let e = c
            .nominate_expert(&expert("张工", "health", ThinkTank, "2028-12-31"))
            .await
            .unwrap_err();
        assert_eq!(e.status().map(|s| s.as_u16()), Some(403));
    }
    let h = nominate(&app.approval, "卫健专家甲", "health", ThinkTank).await;
    nominate(&app.admin, "卫健专家乙", "health", SiteInspection).await;
    let m = nominate(&app.market, "市监专家", "market", ThinkTank).await;
    // Who sees whom: own department, the bureau, the roles that see all.
    let names = |r: ExpertRoster| r.experts.into_iter().map(|e| e.name).collect::<Vec<_>>();
    assert_eq!(
        names(app.market.experts(None, None).await.unwrap()),
        ["市监专家"]
    );
    assert_eq!(
        names(app.health.experts(None, None).await.unwrap()).len(),
        2
    );
    assert_eq!(
        names(app.approval.experts(None, None).await.unwrap()).len(),
        3
    );
    assert_eq!(
        names(app.supervisor.experts(None, None).await.unwrap()).len(),
        3
    );
    assert!(names(app.market.experts(None, Some("health")).await.unwrap()).is_empty());
    assert_eq!(
        refused_status(app.market.expert(h.id).await).as_u16(),
        404,
        "another department's member is not there"
    );
    assert_eq!(
        refused_status(app.market.withdraw_expert(h.id, "x").await).as_u16(),
        404
    );
    assert_eq!(
        refused_status(app.supervisor.withdraw_expert(m.id, "x").await).as_u16(),
        403
    );
    app.approval
        .withdraw_expert(m.id, "部门申请退出")
        .await
        .unwrap();
    // Bad input: a clear 4xx naming the field, nothing written.
    let before = (
        app.count("experts").await,
        app.count("expert_changes").await,
    );
    let tok = app.market.token();
    for (body, field) in [
        (
            r#"{"name":" ","department":"market","pool":"think_tank","qualification":"q","qualified_until":"2028-01-01"}"#,
            "name",
        ),
        (
            r#"{"name":"n","department":"market","pool":"think_tank","qualification":"","qualified_until":"2028-01-01"}"#,
            "qualification",
        ),
        (
            r#"{"name":"n","department":"market","pool":"think_tank","qualification":"q","qualified_until":"2026-11-25"}"#,
            "qualified_until",
        ),
        (
            r#"{"name":"n","department":"market","pool":"think_tank","qualification":"q","qualified_until":"2028-1-01"}"#,
            "qualified_until",
        ),
        (
            r#"{"name":"n","department":"nowhere","pool":"think_tank","qualification":"q","qualified_until":"2028-01-01"}"#,
            "department",
        ),
        (
            r#"{"name":"n","department":"approval","pool":"think_tank","qualification":"q","qualified_until":"2028-01-01"}"#,
            "department",
        ),
        (
            r#"{"name":"n","department":"market","pool":"panel","qualification":"q","qualified_until":"2028-01-01"}"#,
            "pool",
        ),
        (
            r#"{"name":"n","department":"market","pool":"think_tank","qualification":"q","qualified_until":"2028-01-01","reason":"r"}"#,
            "reason",
        ),
        (
            r#"{"name":"n","department":"market","pool":"think_tank","qualification":"q","qualified_until":"2028-01-01","replaces":999,"reason":"r"}"#,
            "replaces",
        ),
        (
            r#"{"name":"n","department":"market","pool":"think_tank","qualification":"q"}"#,
            "qualified_until",
        ),
    ] {
        let (status, v) = app
            .request(reqwest::Method::POST, "/api/v1/experts", tok, Some(body))
            .await;
        assert_eq!(status, 422, "{body}: {v}");
        assert_eq!(v["error"]["field"], field, "{body}: {v}");
    }
    let (status, v) = app
        .request(
            reqwest::Method::GET,
            "/api/v1/experts?pool=panel",
            tok,
            None,
        )
        .await;
    assert_eq!((status, v["error"]["field"].as_str()), (400, Some("pool")));
    let (status, _) = app
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/experts/{}/withdraw", h.id),
            app.health.token(),
            Some(r#"{"reason":""}"#),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        (
            app.count("experts").await,
            app.count("expert_changes").await
        ),
        before
    );
    app.finish().await;
}
