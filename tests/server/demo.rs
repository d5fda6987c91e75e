//! `shenguan demo` seeds a county at whatever moment it is started: after midnight China time
//! (when the day's working hours are still ahead), late in the evening, on a weekend, on the
//! first working day after a holiday. The seeded history is the past: nothing in it is dated
//! after the moment the demo started.

use std::sync::Arc;

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use shenguan::api::*;
use shenguan::client::Client;
use shenguan::domain::{Clock, OffsetClock, cst};

/// Seeding runs with the clock flowing: the present has moved on by this much at most.
const SEEDING_TAKES_AT_MOST: Duration = Duration::minutes(10);

async fn seed_at(y: i32, m: u32, d: u32, h: u32, min: u32) {
    let present: DateTime<Utc> = cst()
        .with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("a valid China time")
        .with_timezone(&Utc);
    let clock = Arc::new(OffsetClock::default());
    clock.set(present);
    let demo = shenguan::demo::start_with_clock("127.0.0.1:0", clock)
        .await
        .unwrap_or_else(|e| panic!("demo seeding at {present} (UTC) failed: {e}"));
    let anon = Client::new(&demo.url, None);
    let token = anon
        .login("shenpi1", shenguan::demo::DEMO_PASSWORD)
        .await
        .expect("demo account logs in")
        .token;
    let c = anon.with_token(token);
    let latest = present + SEEDING_TAKES_AT_MOST;
    let not_future = |what: &str, at: DateTime<FixedOffset>| {
        assert!(
            at <= latest,
            "demo started at {present}: {what} is dated {at}, in the future"
        );
    };

    // The default window starts 7 days back; after a long holiday the past week of work is older.
    let from = (present - Duration::days(30))
        .with_timezone(&cst())
        .date_naive();
    let events: Page<JointEvent> = c
        .get(&format!("/api/v1/joint-events?from={from}"))
        .await
        .expect("joint events");
    assert!(
        events.items.len() >= 6,
        "a week of joint work is seeded, got {:?}",
        events.items.iter().map(|e| &e.title).collect::<Vec<_>>()
    );
    assert!(
        events.items.iter().any(|e| e.title == "排污许可听证"),
        "the coming hearing is seeded"
    );
    for e in &events.items {
        not_future(&format!("joint event {:?} notice", e.title), e.notified_at);
        not_future(&format!("joint event {:?}", e.title), e.created_at);
    }
    let letters: Page<InquiryLetter> = c
        .get("/api/v1/inquiry-letters")
        .await
        .expect("inquiry letters");
    assert!(!letters.items.is_empty(), "inquiry letters are seeded");
    for l in &letters.items {
        not_future("an inquiry letter", l.sent_at);
    }
    let cases: Page<LegacyCase> = c.get("/api/v1/legacy-cases").await.expect("legacy cases");
    assert!(!cases.items.is_empty(), "legacy cases are seeded");
    for l in &cases.items {
        not_future("a legacy case", l.opened_at);
    }
    let actions: Page<LicenseAction> = c
        .get("/api/v1/license-actions")
        .await
        .expect("licence-action letters");
    assert!(
        !actions.items.is_empty(),
        "licence-action letters are seeded"
    );
    for a in &actions.items {
        not_future("a licence-action letter", a.created_at);
    }
    let tasks: Page<VerificationTask> = c.get("/api/v1/verifications").await.expect("tasks");
    assert!(!tasks.items.is_empty(), "verification tasks are seeded");
    demo.server.shutdown().await;
}

/// 00:33 on a Tuesday, China time: today's working hours are all ahead of the present (the
/// demo once seeded today's 10:00 notice then, and its own sessions were judged idle).
#[tokio::test(flavor = "multi_thread")]
async fn seeds_just_after_midnight() {
    seed_at(2026, 12, 1, 0, 33).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_late_in_the_evening() {
    seed_at(2026, 11, 30, 22, 50).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_early_on_the_first_working_day_after_a_holiday() {
    // 国庆节 2026 ends on 7 October; the 8th is a working day.
    seed_at(2026, 10, 8, 7, 59).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_on_a_weekend_morning() {
    seed_at(2026, 11, 28, 9, 15).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seeds_past_the_published_calendar() {
    // 2027 is not published in the shipped calendar: every deadline is provisional.
    seed_at(2027, 3, 16, 14, 5).await;
}
