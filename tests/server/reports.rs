use reqwest::Method;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

/// The router's answer to a path it does not serve.
const NO_SUCH_ENDPOINT: &str = "没有这个接口 / no such endpoint";

both_backends!(
    monthly_statistics,
    calendar_import_and_deadline_endpoint,
    operations_endpoints
);

async fn monthly_statistics(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // November: market gets 3 (2 claimed after 1 h and 3 h, 1 auto-claimed); health 1 pending.
    app.set_clock("2026-11-26T09:00:00+08:00").await;
    let a = app.push(&["market"]).await.deliveries[0].id;
    let b2 = app.push(&["market"]).await.deliveries[0].id;
    app.set_clock("2026-11-23T09:00:00+08:00").await;
    app.push(&["market"]).await; // Mon: deadline Wed 25 00:00 → auto-claimed below
    app.set_clock("2026-11-26T10:00:00+08:00").await;
    app.market.claim(a).await.unwrap();
    app.set_clock("2026-11-26T12:00:00+08:00").await;
    app.market.claim(b2).await.unwrap();
    app.set_clock("2026-11-30T10:00:00+08:00").await; // Mon: deadline Wed 2 Dec 00:00
    let d = app.push(&["health"]).await.deliveries[0].id;
    app.health.feedback(d, "请补充承诺书").await.unwrap();
    // December: one for market, not counted in November.
    app.set_clock("2026-12-01T09:00:00+08:00").await;
    app.push(&["market"]).await;

    let stats = app.duty.monthly_stats("2026-11").await.unwrap();
    assert_eq!(stats.month, "2026-11");
    let line = |code: &str| {
        stats
            .departments
            .iter()
            .find(|d| d.department == code)
            .unwrap()
            .clone()
    };
    let m = line("market");
    assert_eq!(
        (m.received, m.claimed_on_time, m.auto_claimed, m.pending),
        (3, 2, 1, 0)
    );
    assert!((m.on_time_rate.unwrap() - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(m.avg_claim_seconds, Some(7200.0), "(1 h + 3 h) / 2");
    assert_eq!(m.name, "市场监督管理局");
    let h = line("health");
    assert_eq!((h.received, h.pending, h.disputes_opened), (1, 1, 1));
    assert_eq!(h.on_time_rate, None, "nothing decided yet");
    let e = line("emergency");
    assert_eq!((e.received, e.avg_claim_seconds), (0, None));
    assert_eq!(stats.departments.len(), 4, "every department has a line");
    let dec = app.market.monthly_stats("2026-12").await.unwrap();
    assert_eq!(
        dec.departments
            .iter()
            .find(|d| d.department == "market")
            .unwrap()
            .received,
        1
    );
    for bad in ["2026-13", "2026-1", "26-11", "november"] {
        let (s, v) = app
            .request(
                Method::GET,
                &format!("/api/v1/stats/monthly?month={bad}"),
                app.duty.token(),
                None,
            )
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (400, Some("month")),
            "{bad}"
        );
    }
    let (s, _) = app
        .request(Method::GET, "/api/v1/stats/monthly", app.duty.token(), None)
        .await;
    assert_eq!(s, 400);
    app.finish().await;
}

async fn calendar_import_and_deadline_endpoint(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let q = |from: &str, n: &str| {
        format!(
            "/api/v1/calendar/deadline?from={}&working_days={n}",
            urlencode(from)
        )
    };
    let (s, v) = app
        .request(
            Method::GET,
            &q("2026-12-31T10:00:00+08:00", "1"),
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["deadline"], "2027-01-05T00:00:00+08:00");
    assert_eq!(v["provisional"], true);
    // An admin loads the 2027 notice (here: 元旦 1–3 Jan, Mon 4 Jan off too).
    let year = crate::calendar_lifecycle::notice_2027();
    let days = year.days.clone();
    assert_eq!(
        refused_status(
            app.market
                .post::<CalendarInfo, _>("/api/v1/calendar/years", &year)
                .await
        ),
        403
    );
    let bad = CalendarYear {
        year: 2027,
        days: vec![days[0].clone(), days[0].clone()],
        force: true,
    };
    let r = app
        .admin
        .post::<CalendarInfo, _>("/api/v1/calendar/years", &bad)
        .await;
    assert_eq!(refused_status(r), 422);
    let info: CalendarInfo = app
        .admin
        .post("/api/v1/calendar/years", &year)
        .await
        .unwrap();
    assert_eq!(
        info.published_years,
        vec![2021, 2022, 2023, 2024, 2025, 2026, 2027]
    );
    let (_, v) = app
        .request(
            Method::GET,
            &q("2026-12-31T10:00:00+08:00", "1"),
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(v["deadline"], "2027-01-06T00:00:00+08:00");
    assert_eq!(v["provisional"], false);
    // New pushes use it at once.
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let d = &app.push(&["market"]).await.deliveries[0];
    assert_eq!(d.claim_deadline, at("2027-01-06T00:00:00+08:00"));
    assert!(!d.deadline_provisional);
    for (from, n, field) in [
        ("yesterday", "1", "from"),
        ("2026-12-31T10:00:00+08:00", "0", "working_days"),
        ("2026-12-31T10:00:00+08:00", "-1", "working_days"),
    ] {
        let (s, v) = app
            .request(Method::GET, &q(from, n), app.market.token(), None)
            .await;
        assert_eq!(
            (s, v["error"]["field"].as_str()),
            (400, Some(field)),
            "{from} {n}: {v}"
        );
    }
    app.finish().await;
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

async fn operations_endpoints(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let h = app.anon.health().await.unwrap();
    assert_eq!(h.status, "ok");
    assert_eq!(
        h.database,
        if b == Backend::Sqlite {
            "sqlite"
        } else {
            "postgres"
        }
    );
    assert_eq!(h.now, t0(), "the server reports its (test) clock");
    app.push(&["market"]).await;
    let (s, body) = app.request(Method::GET, "/metrics", None, None).await;
    assert_eq!(s, 200);
    let text = body.as_str().unwrap();
    assert!(text.contains("shenguan_pushes_created_total 1"), "{text}");
    let (s, v) = app
        .request(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!((s, v["error"]["code"].as_str()), (404, Some("not_found")));
    assert_eq!(v["error"]["message"].as_str(), Some(NO_SUCH_ENDPOINT));
    // The router and the document are split from one route list: every documented
    // operation is served (no fallback 404, no 405), and there are as many as ever.
    let (_, doc) = app
        .request(Method::GET, "/api/v1/openapi.json", None, None)
        .await;
    let paths = doc["paths"].as_object().unwrap();
    let mut operations = 0;
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (s, v) = app.request(m, &path.replace("{id}", "1"), None, None).await;
            let fallback = s == 404 && v["error"]["message"].as_str() == Some(NO_SUCH_ENDPOINT);
            assert!(
                s != 405 && !fallback,
                "{method} {path} documented but not served: {s}"
            );
            operations += 1;
        }
    }
    // The duty core adds 2 operations on 2 paths, the bulletins 4 on 3, joint work 9 on 8,
    // experts and draws 9 on 7, the audit head and ledger annotations 2 on 2, inquiry
    // letters 4 on 3, legacy cases 7 on 6, the credit catalogue and verifications 7 on 6,
    // licences and holders 4 on 4, licence-action letters 5 on 4.
    assert_eq!(
        operations,
        35 + 2 + 4 + 9 + 9 + 2 + 4 + 7 + 7 + 4 + 5,
        "every operation of every path"
    );
    assert_eq!(
        paths.len(),
        33 + 2 + 3 + 8 + 7 + 2 + 3 + 6 + 6 + 4 + 4,
        "no undocumented extras, none missing"
    );
    assert!(doc["components"]["schemas"]["NewApprovalPush"].is_object());
    app.finish().await;
}
