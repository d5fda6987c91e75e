//! A push made through the API appears on the console without a key press and is claimed.

use std::time::{Duration, Instant};

use shenguan::api::*;

use crate::harness::{County, approval_push, start_console, start_console_sized, tmux_missing};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_appears_and_c_claims_it() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = County::start(dir.path()).await;
    let (server, approval, market) = (c.server, c.approval, c.market);
    let tmux = start_console("claim", &c.url, &c.token, dir.path()).await;

    // Someone else pushes: it appears without a key press.
    let push = approval
        .create_approval_push(&approval_push("端到端测试许可事项", &["market"]), None)
        .await
        .unwrap();
    let delivery_id = push.deliveries[0].id;
    let pushed_at = Instant::now();
    let screen = tmux
        .wait_for("the push to appear", Duration::from_secs(5), |s| {
            s.contains("端到端测试许可事项")
        })
        .await;
    eprintln!("push on screen after {:?}:\n{screen}", pushed_at.elapsed());
    assert!(
        screen.contains("高青县端到端餐饮有限公司")
            || screen.contains("1天")
            || screen.contains(':')
    );

    // Enter shows the details: push fields and history, from the real server.
    tmux.keys("Enter");
    tmux.wait_for("the details view", Duration::from_secs(5), |s| {
        s.contains("统一社会信用代码") && s.contains("91350100M000100Y43") && s.contains("历史记录")
    })
    .await;
    tmux.keys("Escape");
    tmux.wait_for("the details to close", Duration::from_secs(5), |s| {
        !s.contains("统一社会信用代码")
    })
    .await;

    // `r` raises a question on it in a text box (Chinese text), Ctrl-S sends.
    tmux.keys("r");
    tmux.wait_for("the text box", Duration::from_secs(5), |s| {
        s.contains("提出疑问/争议")
    })
    .await;
    tmux.literal("请核实经营面积");
    tmux.keys("C-s");
    tmux.wait_for("feedback confirmation", Duration::from_secs(5), |s| {
        s.contains("已提出疑问/争议")
    })
    .await;
    let open = market.disputes(Some("open")).await.unwrap().items;
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0].delivery_id, delivery_id);
    assert_eq!(open[0].messages[0].body, "请核实经营面积");

    // `e` escalates with a reason.
    tmux.keys("e");
    tmux.wait_for("the reason box", Duration::from_secs(5), |s| {
        s.contains("督办理由")
    })
    .await;
    tmux.literal("临近期限，请督办");
    tmux.keys("C-s");
    tmux.wait_for("escalation confirmation", Duration::from_secs(5), |s| {
        s.contains("已督办")
    })
    .await;
    let detail = market.delivery(delivery_id).await.unwrap();
    assert_eq!(detail.escalations.len(), 1);
    assert_eq!(detail.escalations[0].reason, "临近期限，请督办");
    assert_eq!(detail.escalations[0].by, "market1");

    // `c` claims the selected (only) row, without a confirmation.
    tmux.keys("c");
    let start = Instant::now();
    loop {
        let d = market.delivery(delivery_id).await.unwrap().delivery;
        if d.status == DeliveryStatus::Claimed {
            assert_eq!(
                d.claimed_by.as_deref(),
                Some("market1"),
                "claimed by the console's user"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "claim recorded: {d:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let screen = tmux
        .wait_for(
            "the claimed row to leave the list",
            Duration::from_secs(5),
            |s| !s.contains("│     端到端测试许可事项") && s.contains("已认领"),
        )
        .await;
    assert!(screen.contains("没有待认领的推送"), "{screen}");

    // Claiming again is refused by the server, and its message is shown.
    let second = approval
        .create_approval_push(&approval_push("第二个事项", &["market"]), None)
        .await
        .unwrap();
    tmux.wait_for("the second push", Duration::from_secs(5), |s| {
        s.contains("第二个事项")
    })
    .await;
    market.claim(second.deliveries[0].id).await.unwrap();
    tmux.wait_for(
        "a colleague's claim to remove the row",
        Duration::from_secs(5),
        |s| s.contains("没有待认领的推送"),
    )
    .await;

    tmux.keys("q");
    let start = Instant::now();
    while tmux
        .cmd()
        .args(["has-session", "-t", "e2e"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
    {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "q quits the console"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_80x24_one_pane_at_a_time_and_c_claims() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = County::start(dir.path()).await;
    let tmux = start_console_sized("small", &c.url, &c.token, dir.path(), (80, 24)).await;
    let push = c
        .approval
        .create_approval_push(&approval_push("小终端上的推送", &["market"]), None)
        .await
        .unwrap();
    let screen = tmux
        .wait_for("the push", Duration::from_secs(5), |s| {
            s.contains("小终端上的推送")
        })
        .await;
    assert!(
        screen.contains(" 待认领 1 |"),
        "a tab bar, one pane:\n{screen}"
    );
    assert!(!screen.contains("┌ 月度统计"), "{screen}");
    tmux.keys("Tab");
    tmux.wait_for("the disputes pane", Duration::from_secs(5), |s| {
        s.contains("┌ 争议反馈") && !s.contains("┌ 待认领")
    })
    .await;
    tmux.keys("BTab");
    tmux.wait_for("back on unclaimed", Duration::from_secs(5), |s| {
        s.contains("┌ 待认领")
    })
    .await;
    tmux.keys("c");
    let id = push.deliveries[0].id;
    let start = Instant::now();
    loop {
        let d = c.market.delivery(id).await.unwrap().delivery;
        if d.status == DeliveryStatus::Claimed {
            assert_eq!(d.claimed_by.as_deref(), Some("market1"));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "claimed: {d:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tmux.keys("q");
    c.server.shutdown().await;
}
