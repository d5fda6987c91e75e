//! A licence-action letter (函告, art. 7(2)3) through the bureau's console: the letter's delivery
//! is claimed with `c`, then the decision owed (a `license_action_decision` row of the same
//! queue) is taken with the same key, and the server records both.

use std::time::Duration;

use shenguan::api::*;
use shenguan::client::{Client, DeliveryQuery};

use crate::harness::{County, approval_push, start_console_sized, tmux_missing};
use crate::support::fixtures::login_token;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bureau_claims_and_decides_a_letter_by_keyboard() {
    if tmux_missing() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let c = County::start(dir.path()).await;
    let push = c
        .approval
        .create_approval_push(&approval_push("函告端到端许可事项", &["market"]), None)
        .await
        .unwrap();
    let PushContent::Approval(approval) = &push.content else {
        unreachable!("an approval push")
    };
    let no = approval.license_no.clone();
    // The bureau's console, one pane at a time (100×30), live before the letter exists.
    let (_, token) = login_token(&Client::new(&c.url, None), "shenpi1").await;
    let tmux = start_console_sized("letters", &c.url, &token, dir.path(), (100, 30)).await;
    // The supervising department asks for the licence's revocation: without a key press the
    // letter to claim appears first (claim by the end of the next working day), the decision
    // owed after it (10 working days).
    let letter = c
        .market
        .create_license_action(
            &NewLicenseAction {
                license_no: no.clone(),
                action: LicenseActionKind::Revoke,
                basis: LicenseActionBasis {
                    decision_no: Some("高市监罚〔2026〕12号".into()),
                    decision_date: Some("2026-11-20".parse().unwrap()),
                    facts: None,
                },
                reason: Some("违法经营，情节严重".into()),
            },
            &[],
        )
        .await
        .unwrap();

    let screen = tmux
        .wait_for(
            "the letter and its decision",
            Duration::from_secs(10),
            |s| s.contains("函告：请求撤销") && s.contains("函告待决定"),
        )
        .await;
    let row = |s: &str, what: &str| s.lines().position(|l| l.contains(what));
    assert!(
        row(&screen, "函告：请求撤销") < row(&screen, "函告待决定"),
        "{screen}"
    );

    // Home selects the first row (the selection stays on the row it was on while rows arrive
    // above it); `c` there claims the letter's delivery.
    tmux.keys("Home");
    tmux.keys("c");
    // (The status line names the claimed item: the queue's count shows the row has gone.)
    tmux.wait_for("the claim", Duration::from_secs(5), |s| {
        s.contains("待认领 1") && s.contains("函告待决定")
    })
    .await;
    let claimed = c
        .approval
        .deliveries(&DeliveryQuery {
            status: Some(DeliveryStatus::Claimed),
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    assert_eq!(claimed.len(), 1, "{claimed:?}");
    assert!(claimed[0].title.contains("函告"), "{claimed:?}");
    assert_eq!(claimed[0].claimed_by.as_deref(), Some("shenpi1"));

    // The same key on the decision row opens the decision box; the first line is the
    // decision number; Ctrl-S sends.
    tmux.keys("c");
    tmux.wait_for("the decision box", Duration::from_secs(5), |s| {
        s.contains("同意函告")
    })
    .await;
    tmux.literal("高审批撤〔2026〕3号");
    tmux.keys("C-s");
    tmux.wait_for("the decision", Duration::from_secs(5), |s| {
        s.contains("已同意函告") && s.contains("待认领 0")
    })
    .await;
    let decided = c.market.license_action(letter.id).await.unwrap();
    assert_eq!(decided.state, LicenseActionState::Accepted);
    let decision = decided.decision.expect("the decision");
    assert_eq!(decision.decision_no.as_deref(), Some("高审批撤〔2026〕3号"));
    assert_eq!(
        c.market.license(&no).await.unwrap().state,
        LicenseState::Revoked
    );
    tmux.keys("q");
    drop(c.server);
}
