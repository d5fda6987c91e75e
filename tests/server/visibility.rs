//! Other departments' records: a department sees which departments received the same push and
//! each one's status, never who in another department acted.

use shenguan::api::*;

use crate::both_backends;
use crate::common::*;
use crate::events::{next_event, subscribe};

both_backends!(other_departments_people_are_not_shown);

/// The data of the next event of this type on the stream.
async fn next_of(s: &mut shenguan::client::EventStream, kind: &str) -> serde_json::Value {
    loop {
        let e = next_event(s, std::time::Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("no {kind} event"));
        if e.kind == kind {
            return e.data;
        }
    }
}

fn of<'a>(push: &'a Push, dept: &str) -> &'a Delivery {
    push.deliveries
        .iter()
        .find(|d| d.department == dept)
        .unwrap()
}

async fn other_departments_people_are_not_shown(b: Backend) {
    let Some(app) = TestApp::spawn(b).await else {
        return;
    };
    let push = app.push(&["market", "health"]).await;
    let (dm, dh) = (of(&push, "market").id, of(&push, "health").id);
    let mut bureau = subscribe(&app.approval, None).await;
    let mut health = subscribe(&app.health, None).await;
    app.market.claim(dm).await.unwrap();
    let thread = app.health.feedback(dh, "请核实有效期").await.unwrap();
    app.approval.reply(thread.id, "已核实").await.unwrap();
    app.approval.escalate(dh, "请尽快认领").await.unwrap();

    // Live events follow the same rule.
    let claimed = next_of(&mut bureau, event_types::DELIVERY_CLAIMED).await;
    assert_eq!(claimed["status"], "claimed");
    assert!(claimed["claimed_by"].is_null(), "{claimed}");
    let reply = next_of(&mut health, event_types::DISPUTE_REPLIED).await;
    assert_eq!(reply["messages"][1]["author"], "行政审批服务局", "{reply}");
    let esc = next_of(&mut health, event_types::DELIVERY_ESCALATED).await;
    assert_eq!(esc["escalation"]["by"], "行政审批服务局", "{esc}");

    // Health sees that market received and claimed the same push, but not who claimed it.
    let detail = app.health.delivery(dh).await.unwrap();
    assert_eq!(detail.push.deliveries.len(), 2);
    let m = of(&detail.push, "market");
    assert_eq!(m.status, DeliveryStatus::Claimed);
    assert!(m.claimed_at.is_some());
    assert_eq!(m.claimed_by, None, "another department's person");
    // Nor who in the bureau pushed, answered or escalated: the department stands for them.
    assert_eq!(detail.push.created_by, "行政审批服务局");
    let msgs = &detail.disputes[0].messages;
    assert_eq!(msgs[0].author, "health1", "its own people are shown");
    assert_eq!(msgs[1].author, "行政审批服务局");
    assert_eq!(msgs[1].department.as_deref(), Some("approval"));
    assert_eq!(detail.escalations[0].by, "行政审批服务局");
    let text = serde_json::to_string(&detail).unwrap();
    for name in ["market1", "shenpi1"] {
        assert!(!text.contains(name), "{name} leaked to health: {text}");
    }
    // The same through the push itself, and the disputes endpoint.
    let p: Push = app
        .health
        .get(&format!("/api/v1/pushes/{}", push.id))
        .await
        .unwrap();
    assert_eq!(of(&p, "market").claimed_by, None);
    assert_eq!(p.created_by, "行政审批服务局");
    let d: Dispute = app
        .health
        .get(&format!("/api/v1/disputes/{}", thread.id))
        .await
        .unwrap();
    assert_eq!(d.messages[1].author, "行政审批服务局");

    // The bureau sees market's status and its own people, not market's.
    let detail = app.approval.delivery(dm).await.unwrap();
    assert_eq!(detail.delivery.status, DeliveryStatus::Claimed);
    assert_eq!(detail.delivery.claimed_by, None);
    assert_eq!(detail.push.created_by, "shenpi1");
    let text = serde_json::to_string(&detail).unwrap();
    assert!(!text.contains("market1"), "{text}");
    let d: Dispute = app
        .approval
        .get(&format!("/api/v1/disputes/{}", thread.id))
        .await
        .unwrap();
    assert_eq!(d.messages[0].author, "卫生健康局");
    assert_eq!(d.messages[1].author, "shenpi1");

    // Market sees its own claimer; supervisors see everyone.
    let own = app.market.delivery(dm).await.unwrap();
    assert_eq!(own.delivery.claimed_by.as_deref(), Some("market1"));
    assert_eq!(
        of(&own.push, "market").claimed_by.as_deref(),
        Some("market1")
    );
    let all = app.supervisor.delivery(dh).await.unwrap();
    assert_eq!(
        of(&all.push, "market").claimed_by.as_deref(),
        Some("market1")
    );
    assert_eq!(all.push.created_by, "shenpi1");
    assert_eq!(all.disputes[0].messages[1].author, "shenpi1");
    app.finish().await;
}
