//! One month for every figure: a record belongs to the month its item was received (China
//! time), in the statistics and the accountability ledger alike.

use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(ledger_and_statistics_agree_across_a_month_end);

/// For every department, the statistics' `auto_claimed` equals its ledger records.
async fn assert_month_agrees(app: &TestApp, month: &str) -> Vec<AccountabilityRecord> {
    let stats = app.duty.monthly_stats(month).await.unwrap();
    let ledger = app.duty.accountability(month).await.unwrap();
    for line in &stats.departments {
        let records = ledger
            .iter()
            .filter(|r| r.department == line.department && r.rule == "claim_overdue")
            .count() as i64;
        assert_eq!(
            line.auto_claimed, records,
            "{month} {}: statistics and ledger disagree",
            line.department
        );
    }
    ledger
}

async fn ledger_and_statistics_agree_across_a_month_end(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    // Fri 27 Nov 16:00: deadline "end of Mon 30 Nov" = 1 Dec 00:00. Market never claims it.
    app.set_clock("2026-11-27T16:00:00+08:00").await;
    let friday = app.push(&["market", "health"]).await;
    app.health.claim(friday.deliveries[1].id).await.unwrap();
    // Mon 30 Nov 23:30 China time: still November; deadline 2 Dec 00:00.
    app.set_clock("2026-11-30T23:30:00+08:00").await;
    let late_nov = app.push(&["market"]).await;
    // Tue 1 Dec 07:00 China time is 30 Nov 23:00 UTC: December in China time.
    app.set_clock("2026-12-01T07:00:00+08:00").await;
    let early_dec = app.push(&["health"]).await;
    app.set_clock("2026-12-07T10:00:00+08:00").await;

    let nov = assert_month_agrees(&app, "2026-11").await;
    let dec = assert_month_agrees(&app, "2026-12").await;
    let ids =
        |l: &[AccountabilityRecord]| l.iter().filter_map(|r| r.delivery_id).collect::<Vec<_>>();
    assert_eq!(
        ids(&nov),
        vec![friday.deliveries[0].id, late_nov.deliveries[0].id],
        "received in November: November's ledger, though their deadlines passed in December"
    );
    assert_eq!(ids(&dec), vec![early_dec.deliveries[0].id]);
    let market = |m: &MonthlyStats| {
        m.departments
            .iter()
            .find(|d| d.department == "market")
            .unwrap()
            .auto_claimed
    };
    assert_eq!(market(&app.duty.monthly_stats("2026-11").await.unwrap()), 2);
    // The record shows when the item was received and when the deadline passed.
    let (_, v) = app
        .request(
            reqwest::Method::GET,
            "/api/v1/accountability?month=2026-11",
            app.duty.token(),
            None,
        )
        .await;
    assert_eq!(v[0]["received_at"], "2026-11-27T16:00:00+08:00", "{v}");
    assert_eq!(v[0]["occurred_at"], "2026-12-01T00:00:00+08:00", "{v}");
    assert_eq!(dec[0].occurred_at, at("2026-12-03T00:00:00+08:00"));
    // A department reads its own lines of the same month.
    assert_eq!(app.market.accountability("2026-11").await.unwrap().len(), 2);
    assert!(
        app.market
            .accountability("2026-12")
            .await
            .unwrap()
            .is_empty()
    );
    app.finish().await;
}
