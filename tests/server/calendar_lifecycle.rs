//! The calendar's lifecycle: a year's notice is refused unless complete (or forced, audited),
//! and loading a year re-derives every running deadline — later, never earlier.

use std::time::Duration;

use reqwest::Method;
use shenguan::api::*;

use crate::both_backends;
use crate::common::*;
use crate::events::{next_event, subscribe};

both_backends!(
    year_end_push_moves_later_when_the_year_is_published,
    an_earlier_lawful_deadline_does_not_shorten_one_communicated,
    an_empty_or_partial_notice_is_refused,
    a_forced_partial_notice_is_accepted_and_audited,
    a_corrected_year_extends_again,
    a_year_imported_on_the_command_line_reaches_running_servers,
);

/// The fixture: a complete (made-up) 2027 notice with 1–4 January off.
pub const NOTICE_2027: &str = include_str!("../fixtures/holidays-2027.json");

pub fn notice_2027() -> CalendarYear {
    serde_json::from_str(
        &serde_json::to_string(&{
            let mut v: serde_json::Value = serde_json::from_str(NOTICE_2027).unwrap();
            v.as_object_mut().unwrap().remove("papers");
            v
        })
        .unwrap(),
    )
    .unwrap()
}

/// `notice_2027` with its 元旦 days replaced.
fn with_new_year(days: &[(&str, bool)]) -> CalendarYear {
    let mut y = notice_2027();
    y.days.retain(|d| d.name != "元旦");
    for (date, off) in days {
        y.days.push(CalendarDay {
            date: date.parse().unwrap(),
            name: "元旦".into(),
            is_off_day: *off,
        });
    }
    y
}

async fn import(app: &TestApp, y: &CalendarYear) -> CalendarInfo {
    app.admin
        .post("/api/v1/calendar/years", y)
        .await
        .expect("the notice is accepted")
}

async fn post_raw(app: &TestApp, body: String) -> (u16, serde_json::Value) {
    let token = app.admin.token();
    app.request(Method::POST, "/api/v1/calendar/years", token, Some(&body))
        .await
}

async fn delivery(app: &TestApp, id: i64) -> Delivery {
    app.supervisor.delivery(id).await.unwrap().delivery
}

/// The issue's case: pushed 2026-12-31T10:00, provisional deadline 2027-01-05T00:00; the 2027
/// notice gives 4 January off, so the lawful deadline is 2027-01-06T00:00. The stored
/// deadlines (claim, feedback, the dispute's answer) follow, the console's stream hears of it,
/// and the sweeper leaves the delivery alone on 5 January.
async fn year_end_push_moves_later_when_the_year_is_published(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market", "health"]).await;
    let (d, other) = (&push.deliveries[0], &push.deliveries[1]);
    assert_eq!(d.claim_deadline, at("2027-01-05T00:00:00+08:00"));
    assert!(d.deadline_provisional);
    app.set_clock("2026-12-31T11:00:00+08:00").await;
    let dispute = app
        .market
        .feedback(d.id, "许可证有效期是否有误？")
        .await
        .unwrap();
    assert_eq!(dispute.answer_due, at("2027-01-05T00:00:00+08:00"));
    assert!(
        dispute.answer_due_provisional,
        "answer_due carries the mark"
    );
    // health claims its copy: a claimed delivery's claim deadline is no longer running.
    app.health.claim(other.id).await.unwrap();

    let mut market = subscribe(&app.market, None).await;
    let mut health = subscribe(&app.health, None).await;
    import(&app, &notice_2027()).await;

    let now = delivery(&app, d.id).await;
    assert_eq!(now.claim_deadline, at("2027-01-06T00:00:00+08:00"));
    assert_eq!(now.feedback_deadline, at("2027-01-06T00:00:00+08:00"));
    assert!(!now.deadline_provisional);
    let claimed = delivery(&app, other.id).await;
    assert_eq!(
        claimed.claim_deadline,
        at("2027-01-05T00:00:00+08:00"),
        "a deadline no longer running stays as it was"
    );
    assert_eq!(claimed.feedback_deadline, at("2027-01-06T00:00:00+08:00"));
    let thread = app.market.disputes(Some("open")).await.unwrap().items;
    assert_eq!(thread[0].answer_due, at("2027-01-06T00:00:00+08:00"));
    assert!(!thread[0].answer_due_provisional);

    // The recipient's stream carries both changes, old and new.
    let mut kinds = vec![];
    while let Some(e) = next_event(&mut market, Duration::from_secs(3)).await {
        match e.kind.as_str() {
            event_types::DELIVERY_DEADLINE_CHANGED => {
                let c: DeliveryDeadlineChanged = serde_json::from_value(e.data).unwrap();
                assert_eq!(c.delivery.id, d.id);
                assert_eq!(c.previous.claim_deadline, at("2027-01-05T00:00:00+08:00"));
                assert!(c.previous.deadline_provisional);
                assert_eq!(c.delivery.claim_deadline, at("2027-01-06T00:00:00+08:00"));
                assert!(!c.delivery.deadline_provisional);
            }
            event_types::DISPUTE_DEADLINE_CHANGED => {
                let c: DisputeDeadlineChanged = serde_json::from_value(e.data).unwrap();
                assert_eq!(c.previous.answer_due, at("2027-01-05T00:00:00+08:00"));
                assert_eq!(c.dispute.answer_due, at("2027-01-06T00:00:00+08:00"));
            }
            _ => continue,
        }
        kinds.push(e.kind);
        if kinds.len() == 2 {
            break;
        }
    }
    kinds.sort();
    assert_eq!(
        kinds,
        ["delivery.deadline_changed", "dispute.deadline_changed"]
    );
    // health's delivery changed too (its feedback deadline), and health hears only of its own.
    let e = loop {
        let e = next_event(&mut health, Duration::from_secs(3))
            .await
            .unwrap();
        if e.kind == event_types::DELIVERY_DEADLINE_CHANGED {
            break e;
        }
    };
    assert_eq!(e.data["id"], other.id);
    assert_eq!(
        app.count("audit_log WHERE action = 'delivery.deadline_change' AND actor = 'system'")
            .await,
        2
    );
    assert_eq!(
        app.count("audit_log WHERE action = 'dispute.deadline_change'")
            .await,
        1
    );
    let history = app.supervisor.delivery(d.id).await.unwrap().history;
    assert!(
        history
            .iter()
            .any(|h| h.action == "delivery.deadline_change"),
        "{history:?}"
    );

    // 5 January: the old deadline has passed, the lawful one has not.
    app.set_clock("2027-01-05T09:00:00+08:00").await;
    assert_eq!(delivery(&app, d.id).await.status, DeliveryStatus::Pending);
    assert_eq!(app.count("accountability").await, 0);
    // Claimable all day on the 5th; auto-claimed at the lawful deadline.
    app.set_clock("2027-01-06T00:00:00+08:00").await;
    let late = delivery(&app, d.id).await;
    assert_eq!(late.status, DeliveryStatus::AutoClaimed);
    assert_eq!(late.claimed_at, Some(at("2027-01-06T00:00:00+08:00")));
    // A reload of the same calendar changes nothing more.
    import(&app, &notice_2027()).await;
    assert_eq!(
        app.count("events WHERE kind = 'delivery.deadline_changed'")
            .await,
        2
    );
    app.finish().await;
}

/// The notice makes Saturday 2 January a working day: the lawful deadline would be
/// 2027-01-03T00:00, earlier than the 2027-01-05T00:00 the department was told. It stays;
/// only the provisional mark goes.
async fn an_earlier_lawful_deadline_does_not_shorten_one_communicated(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market"]).await;
    let d = &push.deliveries[0];
    let mut market = subscribe(&app.market, None).await;
    import(
        &app,
        &with_new_year(&[("2027-01-01", true), ("2027-01-02", false)]),
    )
    .await;
    let (s, v) = app
        .request(
            Method::GET,
            "/api/v1/calendar/deadline?from=2026-12-31T10:00:00%2B08:00&working_days=1",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["deadline"], "2027-01-03T00:00:00+08:00");
    let now = delivery(&app, d.id).await;
    assert_eq!(now.claim_deadline, at("2027-01-05T00:00:00+08:00"));
    assert_eq!(now.feedback_deadline, at("2027-01-05T00:00:00+08:00"));
    assert!(!now.deadline_provisional, "the mark is recomputed");
    let e = loop {
        let e = next_event(&mut market, Duration::from_secs(3))
            .await
            .unwrap();
        if e.kind == event_types::DELIVERY_DEADLINE_CHANGED {
            break e;
        }
    };
    let c: DeliveryDeadlineChanged = serde_json::from_value(e.data).unwrap();
    assert_eq!(c.previous.claim_deadline, c.delivery.claim_deadline);
    assert!(c.previous.deadline_provisional && !c.delivery.deadline_provisional);
    app.set_clock("2027-01-04T09:00:00+08:00").await;
    assert_eq!(delivery(&app, d.id).await.status, DeliveryStatus::Pending);
    app.market.claim(d.id).await.unwrap();
    app.finish().await;
}

/// An empty notice, a partial one, one that moves work to a weekday, one with a day outside
/// its year: 422 naming what is wrong, nothing stored, deadlines still provisional.
async fn an_empty_or_partial_notice_is_refused(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market"]).await;
    let years = app.count("calendar_years").await;
    let days = app.count("calendar_days").await;
    let post = |body: String| post_raw(&app, body);
    let (s, v) = post(r#"{"year":2027,"days":[]}"#.into()).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["error"]["field"], "days");
    assert_eq!(v["error"]["code"], "unusual_notice");
    let msg = v["error"]["message"].as_str().unwrap();
    for h in [
        "元旦",
        "春节",
        "清明节",
        "劳动节",
        "端午节",
        "中秋节",
        "国庆节",
    ] {
        assert!(msg.contains(h), "{h} missing from {msg}");
    }
    assert!(msg.contains("force"), "{msg}");
    // Only 元旦: the other six are named, 元旦 is not.
    let partial = with_new_year(&[("2027-01-01", true)]);
    let only = CalendarYear {
        days: partial
            .days
            .iter()
            .filter(|d| d.name == "元旦")
            .cloned()
            .collect(),
        ..partial.clone()
    };
    let (s, v) = post(serde_json::to_string(&only).unwrap()).await;
    assert_eq!(s, 422);
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("春节") && msg.contains("国庆节") && !msg.contains("元旦"),
        "{msg}"
    );
    // Three days of 春节 were lawful before 2025, not in 2027.
    let mut short = notice_2027();
    short
        .days
        .retain(|d| d.name != "春节" || d.date < "2027-02-08".parse().unwrap());
    let (s, v) = post(serde_json::to_string(&short).unwrap()).await;
    assert_eq!(s, 422);
    assert!(
        v["error"]["message"].as_str().unwrap().contains("春节"),
        "{v}"
    );
    // An adjusted working day on a Wednesday.
    let weekday = with_new_year(&[("2027-01-01", true), ("2027-01-06", false)]);
    let (s, v) = post(serde_json::to_string(&weekday).unwrap()).await;
    assert_eq!(s, 422);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2027-01-06"),
        "{v}"
    );
    // A day of another year is refused even when forced; 元旦 in the December before is not.
    let mut outside = with_new_year(&[("2027-01-01", true), ("2028-01-02", true)]);
    outside.force = true;
    let (s, v) = post(serde_json::to_string(&outside).unwrap()).await;
    assert_eq!(s, 422);
    assert_eq!(v["error"]["code"], "invalid_field");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2028-01-02"),
        "{v}"
    );
    assert_eq!(app.count("calendar_years").await, years, "nothing stored");
    assert_eq!(app.count("calendar_days").await, days);
    let info: CalendarInfo = app.admin.get("/api/v1/calendar").await.unwrap();
    assert!(!info.published_years.contains(&2027));
    let now = delivery(&app, push.deliveries[0].id).await;
    assert!(now.deadline_provisional);
    assert_eq!(
        app.count("events WHERE kind = 'delivery.deadline_changed'")
            .await,
        0
    );
    // 元旦 in the December before is this year's (a weekend day: it changes nothing in 2026).
    let december = with_new_year(&[("2026-12-27", true), ("2027-01-01", true)]);
    import(&app, &december).await;
    app.finish().await;
}

/// An admin who knows better forces a partial notice: accepted, audited with who and why.
async fn a_forced_partial_notice_is_accepted_and_audited(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market"]).await;
    let partial = CalendarYear {
        year: 2027,
        days: ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"]
            .iter()
            .map(|d| CalendarDay {
                date: d.parse().unwrap(),
                name: "元旦".into(),
                is_off_day: true,
            })
            .collect(),
        force: true,
    };
    let info = import(&app, &partial).await;
    assert!(info.published_years.contains(&2027));
    let (s, v) = app
        .request(
            Method::GET,
            "/api/v1/calendar/deadline?from=2026-12-31T10:00:00%2B08:00&working_days=1",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["deadline"], "2027-01-06T00:00:00+08:00");
    assert_eq!(v["provisional"], false);
    let now = delivery(&app, push.deliveries[0].id).await;
    assert_eq!(now.claim_deadline, at("2027-01-06T00:00:00+08:00"));
    assert_eq!(
        app.count(
            "audit_log WHERE action = 'calendar.import' AND actor = 'admin' \
             AND detail LIKE '%forced%' AND detail LIKE '%春节%'"
        )
        .await,
        1,
        "the audit log says who forced it and what was unusual"
    );
    // A clean import records no forcing.
    import(&app, &notice_2027()).await;
    assert_eq!(
        app.count("audit_log WHERE action = 'calendar.import' AND detail LIKE '%forced%'")
            .await,
        1
    );
    app.finish().await;
}

/// A year imported with 4 January as a working day, then corrected: the deadline computed on
/// the first notice (no longer provisional) is re-derived on the corrected one.
async fn a_corrected_year_extends_again(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market"]).await;
    let id = push.deliveries[0].id;
    import(&app, &with_new_year(&[("2027-01-01", true)])).await;
    let first = delivery(&app, id).await;
    assert_eq!(first.claim_deadline, at("2027-01-05T00:00:00+08:00"));
    assert!(!first.deadline_provisional);
    app.set_clock("2027-01-04T09:00:00+08:00").await;
    import(&app, &notice_2027()).await;
    let corrected = delivery(&app, id).await;
    assert_eq!(corrected.claim_deadline, at("2027-01-06T00:00:00+08:00"));
    assert!(!corrected.deadline_provisional);
    assert_eq!(
        app.count("events WHERE kind = 'delivery.deadline_changed'")
            .await,
        2
    );
    app.set_clock("2027-01-05T12:00:00+08:00").await;
    app.market
        .claim(id)
        .await
        .expect("on time under the corrected notice");
    app.finish().await;
}

/// `shenguan calendar import` writes the database directly: the running server hears of it
/// (`calendar.updated`) and re-derives, and a partial file is refused unless `--force`.
async fn a_year_imported_on_the_command_line_reaches_running_servers(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    app.set_clock("2026-12-31T10:00:00+08:00").await;
    let push = app.push(&["market"]).await;
    let id = push.deliveries[0].id;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("2027.json");
    let cli = |force: bool| {
        let mut args = vec![
            "calendar",
            "import",
            file.to_str().unwrap(),
            "--database",
            &app.db.url,
        ];
        if force {
            args.push("--force");
        }
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_shenguan"))
            .args(&args)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    std::fs::write(&file, r#"{"year": 2027, "days": []}"#).unwrap();
    let (ok, err) = cli(false);
    assert!(!ok);
    assert!(err.contains("春节") && err.contains("--force"), "{err}");
    assert_eq!(app.count("calendar_years WHERE year = 2027").await, 0);
    std::fs::write(&file, NOTICE_2027).unwrap();
    let (ok, err) = cli(false);
    assert!(ok, "{err}");
    let mut moved = None;
    for _ in 0..100 {
        let d = delivery(&app, id).await;
        if d.claim_deadline != at("2027-01-05T00:00:00+08:00") {
            moved = Some(d);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let d = moved.expect("the running server re-derived the deadline");
    assert_eq!(d.claim_deadline, at("2027-01-06T00:00:00+08:00"));
    assert!(!d.deadline_provisional);
    assert_eq!(
        app.count("audit_log WHERE action = 'calendar.import' AND actor LIKE 'cli:%'")
            .await,
        1
    );
    app.finish().await;
}
