//! The demo county's licence-action letters (函告, art. 7(2)3): 市场监督管理局 asks the bureau
//! to act on three licences it supervises, each with a penalty decision and a PDF of it as
//! evidence — one waiting for the bureau's decision (a row in its queue), one revocation
//! accepted (the licence revoked, the decision delivered to market and health), one change
//! rejected. All through the API.

use chrono::{DateTime, Days, Utc};

use crate::api::*;
use crate::client::{Client, Upload};

/// (licence number, holder, action, penalty decision, the bureau's answer)
type Letter = (
    &'static str,
    &'static str,
    LicenseActionKind,
    &'static str,
    Option<LicenseActionOutcome>,
);

const LETTERS: &[Letter] = &[
    (
        "JY13703229000021",
        "高青县福满楼酒店",
        LicenseActionKind::Withdraw,
        "高市监罚〔2026〕31号",
        None,
    ),
    (
        "JY13703229000022",
        "高青县鑫源食品厂",
        LicenseActionKind::Revoke,
        "高市监罚〔2026〕27号",
        Some(LicenseActionOutcome::Accept),
    ),
    (
        "JY13703229000023",
        "高青县百姓大药房",
        LicenseActionKind::Change,
        "高市监罚〔2026〕19号",
        Some(LicenseActionOutcome::Reject),
    ),
];

/// A small, well-formed PDF naming the decision (what an officer would scan and upload).
fn decision_pdf(decision_no: &str) -> Vec<u8> {
    format!(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% {decision_no}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    .into_bytes()
}

pub async fn seed(
    clients: &std::collections::HashMap<String, Client>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let today = crate::domain::to_cst(now).date_naive();
    let bureau = &clients["shenpi1"];
    let market = &clients["market1"];
    for (i, (no, holder, action, decision_no, answer)) in LETTERS.iter().enumerate() {
        let mut p = super::holders::approval(
            &super::credit_code(91_000 + i as u64),
            holder,
            no,
            today - Days::new(300),
        );
        p.item_name = "食品经营许可".into();
        bureau.create_approval_push(&p, None).await?;
        let request = NewLicenseAction {
            license_no: (*no).into(),
            action: *action,
            basis: LicenseActionBasis {
                decision_no: Some((*decision_no).into()),
                decision_date: Some(today - Days::new(7)),
                facts: Some("经查，该单位存在违法经营行为，已作出行政处罚决定。".into()),
            },
            reason: Some(format!("依据处罚决定，请依法{}该许可证。", action.zh())),
        };
        let files = [Upload {
            file_name: format!("{decision_no}.pdf"),
            media_type: "application/pdf".into(),
            bytes: decision_pdf(decision_no),
        }];
        let letter = market.create_license_action(&request, &files).await?;
        let decision = match answer {
            None => continue,
            Some(LicenseActionOutcome::Accept) => LicenseActionDecisionInput {
                outcome: LicenseActionOutcome::Accept,
                decision_no: Some(format!("高审批决〔2026〕{}号", 40 + i)),
                decision_date: Some(today),
                effective_date: Some(today),
                reasons: None,
            },
            Some(LicenseActionOutcome::Reject) => LicenseActionDecisionInput {
                outcome: LicenseActionOutcome::Reject,
                decision_no: None,
                decision_date: None,
                effective_date: None,
                reasons: Some("处罚决定尚在复议期内，待复议结果作出后再行处理。".into()),
            },
        };
        bureau.decide_license_action(letter.id, &decision).await?;
    }
    Ok(())
}
