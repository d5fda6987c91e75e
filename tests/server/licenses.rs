//! The licence register (issue 10 part 1): every approval push creates its licence or
//! re-issues it, with its history; the list's filters and pages; a department sees only the
//! licences it supervises; `expired` follows the server's date; racing pushes with one number
//! both succeed.

use futures::StreamExt;
use futures::future::join_all;
use reqwest::Method;
use shenguan::api::*;
use shenguan::client::Client;

use crate::both_backends;
use crate::common::*;
use crate::events::next_event;

both_backends!(
    a_push_creates_the_licence_and_a_reissue_changes_it,
    the_list_filters_and_pages,
    another_departments_licence_is_not_found,
    racing_pushes_with_one_number_both_succeed,
    the_console_lookup_finds_by_number_code_and_name,
);

/// An approval push for licence `no` of holder `seed` (a valid credit code derived from it).
pub fn licence_push(no: &str, seed: u64, holder: &str, recipients: &[&str]) -> NewApprovalPush {
    let mut p = approval_push(recipients);
    p.license_no = no.into();
    p.counterparty.credit_code = Some(shenguan::demo::credit_code(seed));
    p.counterparty.name = holder.into();
    p
}

pub async fn licence(c: &Client, no: &str) -> License {
    c.license(no).await.unwrap()
}

async fn a_push_creates_the_licence_and_a_reissue_changes_it(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // `license.*` events are an opt-in topic: an existing subscriber's stream is unchanged.
    let mut market = app.market.events_with(None, "license");
    let mut plain = app.market.events(None);
    for s in [&mut market, &mut plain] {
        match tokio::time::timeout(std::time::Duration::from_secs(5), s.next()).await {
            Ok(Some(shenguan::client::StreamItem::Connected)) => {}
            other => panic!("stream did not connect: {other:?}"),
        }
    }
    let (st, v) = app
        .request(
            Method::GET,
            "/api/v1/events?topics=gossip",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(st, 400, "{v}");
    assert_eq!(v["error"]["field"], "topics");
    let first = app.push(&["market", "health"]).await;
    let e = next_event(&mut plain, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    assert_eq!(
        next_event(&mut plain, std::time::Duration::from_millis(700)).await,
        None
    );
    // The delivery comes first on the stream, then the licence.
    let e = next_event(&mut market, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    let e = next_event(&mut market, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e.kind, event_types::LICENSE_CREATED);
    assert_eq!(e.data["license_no"], "JY13703220000001");

    let l = licence(&app.market, "JY13703220000001").await;
    assert_eq!(l.state, LicenseState::Active);
    assert_eq!(l.holder_code, "91350100M000100Y43");
    assert_eq!(l.holder_name, "高青县示例餐饮有限公司");
    assert_eq!(l.item_name, "食品经营许可");
    assert_eq!(l.valid_until.to_string(), "2031-08-31");
    assert_eq!(l.departments, ["market", "health"]);
    assert_eq!(l.approval_department, "approval");
    assert_eq!(l.source_push_id, first.id);
    let h = l.history.unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].event, "approved");
    assert_eq!(h[0].push_id, Some(first.id));
    // Another department sees the bureau, not its people; the bureau sees its own.
    assert_eq!(h[0].actor, "行政审批服务局");
    let own = licence(&app.approval, "JY13703220000001").await;
    assert_eq!(own.history.unwrap()[0].actor, "shenpi1");

    // Re-issued (延续) with a new validity, now also to emergency.
    app.set_clock("2026-11-27T09:00:00+08:00").await;
    let mut p = approval_push(&["market", "emergency"]);
    p.valid_until = ValidUntil::Indefinite;
    let second = app.approval.create_approval_push(&p, None).await.unwrap();
    // (Moving the clock reminded market of the first delivery.)
    let mut e = next_event(&mut market, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    while e.kind == event_types::DELIVERY_REMINDER {
        e = next_event(&mut market, std::time::Duration::from_secs(5))
            .await
            .unwrap();
    }
    assert_eq!(e.kind, event_types::DELIVERY_CREATED);
    let e = next_event(&mut market, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(e.kind, event_types::LICENSE_CHANGED);
    let l = licence(&app.approval, "JY13703220000001").await;
    assert_eq!(l.state, LicenseState::Changed);
    assert_eq!(l.valid_until, ValidUntil::Indefinite);
    assert_eq!(l.source_push_id, second.id);
    assert_eq!(l.departments, ["market", "health", "emergency"]);
    let h = l.history.unwrap();
    let events: Vec<_> = h.iter().map(|e| e.event.as_str()).collect();
    assert_eq!(events, ["approved", "reissued"]);
    assert_eq!(h[1].push_id, Some(second.id));
    assert_eq!(h[1].state, LicenseState::Changed);
    assert_eq!(app.count("licenses").await, 1);

    // A licence valid until a date is `expired` the day after it, judged on the server's date.
    let mut p = licence_push("JY2", 2, "高青县乙公司", &["market"]);
    p.valid_until = "2026-11-30".parse().unwrap();
    app.approval.create_approval_push(&p, None).await.unwrap();
    app.set_clock("2026-11-30T23:59:00+08:00").await;
    assert_eq!(
        licence(&app.market, "JY2").await.state,
        LicenseState::Active
    );
    app.set_clock("2026-12-01T00:00:00+08:00").await;
    assert_eq!(
        licence(&app.market, "JY2").await.state,
        LicenseState::Expired
    );
    app.finish().await;
}

async fn page(c: &Client, query: &str) -> Page<License> {
    c.get(&format!("/api/v1/licenses{query}")).await.unwrap()
}

fn numbers(p: &Page<License>) -> Vec<&str> {
    p.items.iter().map(|l| l.license_no.as_str()).collect()
}

async fn the_list_filters_and_pages(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    for (no, seed, holder) in [
        ("JY-A1", 1, "甲餐饮有限公司"),
        ("JY-A2", 1, "甲餐饮有限公司"),
        ("JY-B1", 2, "乙超市有限公司"),
    ] {
        let p = licence_push(no, seed, holder, &["market"]);
        app.approval.create_approval_push(&p, None).await.unwrap();
    }
    let mut p = licence_push("JY-C1", 3, "丙药店", &["market"]);
    p.valid_until = "2026-11-26".parse().unwrap();
    app.approval.create_approval_push(&p, None).await.unwrap();
    // Newest first, two a page.
    let first = page(&app.market, "?limit=2").await;
    assert_eq!(numbers(&first), ["JY-C1", "JY-B1"]);
    let cursor = first.next_cursor.clone().expect("a second page");
    let second = page(&app.market, &format!("?limit=2&cursor={cursor}")).await;
    assert_eq!(numbers(&second), ["JY-A2", "JY-A1"]);
    assert!(second.next_cursor.is_none());
    // By holder, by text (number, name, code), by state.
    let holder = shenguan::demo::credit_code(1);
    let by_holder = page(&app.market, &format!("?holder={holder}")).await;
    assert_eq!(numbers(&by_holder), ["JY-A2", "JY-A1"]);
    assert_eq!(numbers(&page(&app.market, "?q=B1").await), ["JY-B1"]);
    let by_name = page(&app.market, &format!("?q={}", "乙超市")).await;
    assert_eq!(numbers(&by_name), ["JY-B1"]);
    assert_eq!(
        numbers(&page(&app.market, "?q=%25").await),
        Vec::<&str>::new()
    );
    app.set_clock("2026-11-27T09:00:00+08:00").await;
    assert_eq!(
        numbers(&page(&app.market, "?state=expired").await),
        ["JY-C1"]
    );
    let active = page(&app.market, "?state=active").await;
    assert_eq!(numbers(&active), ["JY-B1", "JY-A2", "JY-A1"]);
    // Bad parameters name themselves.
    for (q, field) in [
        ("?state=gone", "state"),
        ("?limit=0", "limit"),
        ("?cursor=x", "cursor"),
    ] {
        let (st, v) = app
            .request(
                Method::GET,
                &format!("/api/v1/licenses{q}"),
                app.market.token(),
                None,
            )
            .await;
        assert_eq!(st, 400, "{q}: {v}");
        assert_eq!(v["error"]["field"], field);
    }
    app.finish().await;
}

async fn another_departments_licence_is_not_found(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let p = licence_push("JY-M", 1, "甲公司", &["market"]);
    app.approval.create_approval_push(&p, None).await.unwrap();
    let p = licence_push("JY-H", 2, "乙公司", &["health"]);
    app.approval.create_approval_push(&p, None).await.unwrap();
    assert_eq!(numbers(&page(&app.market, "").await), ["JY-M"]);
    assert_eq!(numbers(&page(&app.health, "").await), ["JY-H"]);
    assert_eq!(refused_status(app.market.license("JY-H").await), 404);
    assert_eq!(refused_status(app.health.license("JY-M").await), 404);
    assert_eq!(refused_status(app.market.license("JY-none").await), 404);
    // The bureau and the roles that see all read the whole register.
    for c in [&app.approval, &app.supervisor, &app.duty, &app.admin] {
        assert_eq!(numbers(&page(c, "").await), ["JY-H", "JY-M"]);
        assert_eq!(licence(c, "JY-M").await.license_no, "JY-M");
    }
    app.finish().await;
}

/// Pushes racing with one licence number (two server instances on PostgreSQL): every one is
/// a 201, there is one licence, and its history has one line per push.
async fn racing_pushes_with_one_number_both_succeed(b: Backend) {
    let Some(db) = TestDb::new(b).await else {
        return;
    };
    let url = db.url.clone();
    let app = TestApp::spawn_on(db, test_config).await;
    let second = match b {
        Backend::Postgres => Some(
            shenguan::server::start(test_config(&url), None)
                .await
                .unwrap(),
        ),
        Backend::Sqlite => None,
    };
    let other = second
        .as_ref()
        .map(|s| Client::new(&s.url(), app.approval.token().map(String::from)));
    let n = 12;
    let pushes = (0..n).map(|i| {
        let c = match (&other, i % 2) {
            (Some(o), 1) => o,
            _ => &app.approval,
        };
        async move {
            c.create_approval_push(&approval_push(&["market"]), None)
                .await
        }
    });
    for r in join_all(pushes).await {
        r.expect("every racing push is a 201");
    }
    assert_eq!(app.count("licenses").await, 1);
    let l = licence(&app.approval, "JY13703220000001").await;
    let h = l.history.unwrap();
    assert_eq!(h.len(), n);
    assert_eq!(h.iter().filter(|e| e.event == "approved").count(), 1);
    assert_eq!(l.state, LicenseState::Changed);
    if let Some(s) = second {
        s.shutdown().await;
    }
    app.finish().await;
}

/// The console's lookup (`console::app::lookup`) against a real server: by number, by code,
/// by a part of the name; a department finds only what it supervises.
async fn the_console_lookup_finds_by_number_code_and_name(b: Backend) {
    use shenguan::console::app::lookup;
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    for (no, seed, holder) in [
        ("JY-L1", 7, "高青县庚餐饮有限公司"),
        ("JY-L2", 7, "高青县庚餐饮有限公司"),
        ("JY-L3", 8, "高青县辛商店"),
    ] {
        let p = licence_push(no, seed, holder, &["market"]);
        app.approval.create_approval_push(&p, None).await.unwrap();
    }
    let by_no = lookup(&app.market, "JY-L2").await.unwrap();
    assert_eq!(numbers_of(&by_no.licenses), ["JY-L2"]);
    assert_eq!(
        by_no
            .license
            .as_ref()
            .unwrap()
            .history
            .as_ref()
            .unwrap()
            .len(),
        1
    );
    let holder = by_no.holder.expect("market supervises the holder");
    assert_eq!(holder.admission, Admission::Normal);
    assert_eq!(numbers_of(&holder.licenses), ["JY-L1", "JY-L2"]);
    let code = shenguan::demo::credit_code(7).to_lowercase();
    let by_code = lookup(&app.market, &code).await.unwrap();
    assert_eq!(numbers_of(&by_code.licenses), ["JY-L2", "JY-L1"]);
    let by_name = lookup(&app.market, "辛商").await.unwrap();
    assert_eq!(numbers_of(&by_name.licenses), ["JY-L3"]);
    assert_eq!(by_name.holder.unwrap().name, "高青县辛商店");
    // Health supervises none of them: nothing found, no error.
    let none = lookup(&app.health, "JY-L2").await.unwrap();
    assert!(none.licenses.is_empty() && none.license.is_none() && none.holder.is_none());
    app.finish().await;
}

fn numbers_of(l: &[License]) -> Vec<&str> {
    l.iter().map(|l| l.license_no.as_str()).collect()
}
