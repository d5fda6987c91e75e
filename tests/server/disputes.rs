use shenguan::api::*;

use crate::both_backends;
use crate::common::*;

both_backends!(
    dispute_thread,
    feedback_window,
    concurrent_feedback_opens_one_thread
);

async fn dispute_thread(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let d = app.push(&["market", "health"]).await.deliveries[0].clone();
    // Only the receiving department raises feedback on its delivery.
    assert_eq!(refused_status(app.approval.feedback(d.id, "?").await), 403);
    assert_eq!(refused_status(app.health.feedback(d.id, "?").await), 404);
    assert_eq!(refused_status(app.market.feedback(d.id, "   ").await), 422);
    let dispute = app
        .market
        .feedback(d.id, "许可证有效期与申请材料不一致，请核实。")
        .await
        .unwrap();
    assert_eq!(dispute.status, DisputeStatus::Open);
    assert_eq!(dispute.raised_by_department, "market");
    assert_eq!(dispute.answering_department, "approval");
    assert_eq!(dispute.subject, "食品经营许可");
    // Opened Thu 26 Nov → answer due end of Fri 27.
    assert_eq!(dispute.answer_due, at("2026-11-28T00:00:00+08:00"));
    assert_eq!(dispute.messages.len(), 1);
    // One open thread per delivery.
    let e = app.market2.feedback(d.id, "再问一次").await.unwrap_err();
    assert_eq!(e.code(), Some("dispute_open"));
    // Both sides see it in their list; the third department does not.
    assert_eq!(
        app.approval
            .disputes(Some("open"))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(app.market.disputes(None).await.unwrap().items.len(), 1);
    assert!(app.health.disputes(None).await.unwrap().items.is_empty());
    assert_eq!(
        refused_status(
            app.health
                .get::<Dispute>(&format!("/api/v1/disputes/{}", dispute.id))
                .await
        ),
        404
    );
    // The bureau answers; supervisors read but do not take part.
    let after = app
        .approval
        .reply(dispute.id, "已核实，有效期以证书为准。")
        .await
        .unwrap();
    assert_eq!(after.messages.len(), 2);
    assert_eq!(after.messages[1].author, "shenpi1");
    assert_eq!(after.messages[1].department.as_deref(), Some("approval"));
    assert_eq!(
        refused_status(app.supervisor.reply(dispute.id, "督查意见").await),
        403
    );
    let resolved = app
        .market
        .resolve(dispute.id, Some("已澄清"))
        .await
        .unwrap();
    assert_eq!(resolved.status, DisputeStatus::Resolved);
    assert_eq!(resolved.resolution.as_deref(), Some("已澄清"));
    assert_eq!(
        app.approval
            .reply(dispute.id, "补充")
            .await
            .unwrap_err()
            .code(),
        Some("dispute_resolved")
    );
    assert_eq!(
        app.approval
            .resolve(dispute.id, None)
            .await
            .unwrap_err()
            .code(),
        Some("dispute_resolved")
    );
    let (s, v) = app
        .request(
            reqwest::Method::GET,
            "/api/v1/disputes?status=maybe",
            app.market.token(),
            None,
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (400, Some("status")));
    // The thread shows in the delivery detail.
    let detail = app.market.delivery(d.id).await.unwrap();
    assert_eq!(detail.disputes.len(), 1);
    assert_eq!(detail.disputes[0].messages.len(), 2);
    app.finish().await;
}

async fn feedback_window(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let d = app.push(&["market"]).await.deliveries[0].clone();
    // Claiming does not close the window: a claimed item may still be questioned in time.
    app.market.claim(d.id).await.unwrap();
    app.set_clock("2026-11-27T23:59:59+08:00").await;
    app.market.feedback(d.id, "还有一个问题").await.unwrap();
    let d2 = {
        app.set_clock("2026-11-26T10:00:00+08:00").await;
        app.push(&["market"]).await.deliveries[0].clone()
    };
    app.set_clock("2026-11-28T00:00:00+08:00").await;
    let e = app.market.feedback(d2.id, "太晚了").await.unwrap_err();
    assert_eq!(
        (e.status().unwrap().as_u16(), e.code()),
        (409, Some("feedback_window_closed"))
    );
    app.finish().await;
}

/// Many `/feedback` calls at once on each of several deliveries: the database admits one open
/// thread per delivery; every other call is 409 `dispute_open` and writes nothing.
async fn concurrent_feedback_opens_one_thread(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    const DELIVERIES: usize = 6;
    const CALLS: usize = 8;
    let mut ids = Vec::new();
    for _ in 0..DELIVERIES {
        ids.push(app.push(&["market"]).await.deliveries[0].id);
    }
    let mut calls = Vec::new();
    for &id in &ids {
        for i in 0..CALLS {
            let c = if i % 2 == 0 {
                app.market.clone()
            } else {
                app.market2.clone()
            };
            calls.push(tokio::spawn(async move {
                c.feedback(id, "同时提出的疑问").await
            }));
        }
    }
    let (mut opened, mut refused) = (0, 0);
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => opened += 1,
            Err(e) => {
                assert_eq!(
                    (e.status().map(|s| s.as_u16()), e.code()),
                    (Some(409), Some("dispute_open")),
                    "{e:?}"
                );
                refused += 1;
            }
        }
    }
    assert_eq!((opened, refused), (DELIVERIES, DELIVERIES * (CALLS - 1)));
    assert_eq!(app.count("disputes").await, DELIVERIES as i64);
    assert_eq!(app.count("dispute_messages").await, DELIVERIES as i64);
    for id in ids {
        assert_eq!(app.market.delivery(id).await.unwrap().disputes.len(), 1);
    }
    app.finish().await;
}
