//! The demo's credit approvals (art. 8): a catalogue with an exempt and a post-verification
//! item, and three verification tasks — one open, one passed, one in rectification — made
//! through the API like any client would.

use chrono::{Duration as Span, NaiveDate};

use super::{Seeder, local};
use crate::api::*;
use crate::client::Client;

/// The catalogue's two items: (exempt, post-verification).
pub(super) async fn catalogue(bureau: &Client) -> anyhow::Result<(i64, i64)> {
    let exempt: CatalogueItem = bureau
        .post(
            "/api/v1/credit-catalogue",
            &CatalogueItemInput {
                code: Some("XY-001".into()),
                name: "食品经营许可（仅销售预包装食品）".into(),
                conditions: vec![
                    "具有与经营的食品品种、数量相适应的经营场所".into(),
                    "有食品安全管理人员和保证食品安全的规章制度".into(),
                ],
                materials: vec!["食品经营许可申请书".into(), "告知承诺书".into()],
                verification_mode: VerificationMode::Exempt,
                departments: vec!["market".into()],
                base_version: None,
                note: None,
            },
        )
        .await?;
    let verified: CatalogueItem = bureau
        .post(
            "/api/v1/credit-catalogue",
            &CatalogueItemInput {
                code: Some("XY-002".into()),
                name: "公共场所卫生许可".into(),
                conditions: vec![
                    "场所布局、设施设备符合卫生规范".into(),
                    "从业人员取得健康合格证明".into(),
                ],
                materials: vec![
                    "卫生许可申请书".into(),
                    "告知承诺书".into(),
                    "卫生检测报告（承诺后补）".into(),
                ],
                verification_mode: VerificationMode::PostVerification,
                departments: vec!["health".into(), "market".into()],
                base_version: None,
                note: None,
            },
        )
        .await?;
    Ok((exempt.id, verified.id))
}

/// Three notify-and-commit approvals of the post-verification item: 12 days ago (verified
/// and passed), 8 days ago (failed, in rectification), 2 days ago (open, due in the coming
/// weeks).
pub(super) async fn seed(s: &mut Seeder, today: NaiveDate) -> anyhow::Result<()> {
    let mut tasks = Vec::new();
    for (days_ago, compliance_in) in [(12, 2), (8, 1), (2, 5)] {
        let day = today - Span::days(days_ago);
        s.at(local(day, 10, 30)).await;
        let mut p = s.new_push();
        p.item_name = "公共场所卫生许可".into();
        p.license_no = format!("WS3703220{:06}", 100 + s.n);
        p.mode = PushMode::NotifyCommit;
        p.comprehensive_license = None;
        p.catalogue_item_id = Some(s.verified_item);
        p.commitment_letter = Some(CommitmentLetter {
            content: "申请人承诺于承诺期限内达到公共场所卫生条件，逾期未达到的愿意承担撤销许可等法律后果。".into(),
            signed_on: day,
            compliance_date: Some(day + Span::days(compliance_in)),
        });
        p.recipients = vec!["health".into(), "market".into()];
        let push = s.c("shenpi1").create_approval_push(&p, None).await?;
        tasks.push(push.id);
    }
    let all: Page<VerificationTask> = s.c("shenpi1").get("/api/v1/verifications").await?;
    let id_of = |push: i64| all.items.iter().find(|t| t.push_id == push).map(|t| t.id);
    s.at(local(today - Span::days(3), 15, 0)).await;
    if let Some(id) = id_of(tasks[0]) {
        let _: VerificationTask = s
            .c("shenpi1")
            .post(
                &format!("/api/v1/verifications/{id}/result"),
                &NewVerificationResult {
                    outcome: VerificationOutcome::Pass,
                    findings: Some("现场核查，卫生设施与承诺一致".into()),
                    departments: vec!["health".into()],
                    round: Some(1),
                },
            )
            .await?;
    }
    if let Some(id) = id_of(tasks[1]) {
        let _: VerificationTask = s
            .c("shenpi1")
            .post(
                &format!("/api/v1/verifications/{id}/result"),
                &NewVerificationResult {
                    outcome: VerificationOutcome::Fail,
                    findings: Some("消毒间未按承诺设置，责令限期整改".into()),
                    departments: vec!["health".into(), "market".into()],
                    round: Some(1),
                },
            )
            .await?;
    }
    Ok(())
}
