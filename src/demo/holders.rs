//! The demo county's holders on the credit lists (issue 10, art. 7(2)1): one on the
//! abnormal-operation list, one on the dishonest list, one listed and since cleared, each
//! with a licence supervised by 市场监督管理局 — and an approval push for the first made with
//! its restricted-admission acknowledgement, waiting in market's queue. All through the API.

use chrono::{DateTime, Days, Utc};

use crate::api::*;
use crate::client::Client;

/// (seed of the credit code, name, licence number, the listings filed by market)
type Holder = (
    u64,
    &'static str,
    &'static str,
    &'static [(CreditStatus, &'static str, u64)],
);

const HOLDERS: &[Holder] = &[
    (
        90_001,
        "高青县顺丰源餐饮有限公司",
        "JY13703229000001",
        &[(CreditStatus::AbnormalOperation, "高市监异〔2026〕12号", 20)],
    ),
    (
        90_002,
        "高青县德信商贸有限公司",
        "JY13703229000002",
        &[(CreditStatus::Dishonest, "高市监失〔2026〕3号", 40)],
    ),
    (
        90_003,
        "高青县和美超市",
        "JY13703229000003",
        &[
            (CreditStatus::AbnormalOperation, "高市监异〔2026〕5号", 90),
            (CreditStatus::Cleared, "高市监移〔2026〕2号", 15),
        ],
    ),
];

pub(super) fn approval(
    code: &str,
    name: &str,
    no: &str,
    today: chrono::NaiveDate,
) -> NewApprovalPush {
    NewApprovalPush {
        item_name: "食品经营许可".into(),
        counterparty: Counterparty {
            name: name.into(),
            credit_code: Some(code.into()),
            id_number: None,
            contact_name: "刘洋".into(),
            contact_phone: "13905331234".into(),
        },
        license_no: no.into(),
        license_date: today,
        valid_until: ValidUntil::Date(today + Days::new(365 * 5)),
        mode: PushMode::Standard,
        comprehensive_license: None,
        commitment_letter: None,
        catalogue_item_id: None,
        recipients: vec!["market".into(), "health".into()],
        important: false,
        admission: None,
    }
}

pub async fn seed(
    clients: &std::collections::HashMap<String, Client>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let today = crate::domain::to_cst(now).date_naive();
    let bureau = &clients["shenpi1"];
    let market = &clients["market1"];
    for (seed, name, no, listings) in HOLDERS {
        let code = super::credit_code(*seed);
        bureau
            .create_approval_push(&approval(&code, name, no, today - Days::new(200)), None)
            .await?;
        for (status, decision_no, days_ago) in *listings {
            let push = NewSupervisionPush {
                category: SupervisionCategory::CreditStatus,
                title: format!("{name} 信用状态变更"),
                body: "依据《企业信息公示暂行条例》列入/移出相应名录，请在办理审批业务时依法实行限制或严格准入。".into(),
                counterparty: Some(Counterparty {
                    name: (*name).into(),
                    credit_code: Some(code.clone()),
                    id_number: None,
                    contact_name: "刘洋".into(),
                    contact_phone: "13905331234".into(),
                }),
                related_license_no: Some((*no).into()),
                penalty: None,
                commitment_breach: None,
                credit: Some(CreditInfo {
                    status: *status,
                    authority: "高青县市场监督管理局".into(),
                    decision_no: (*decision_no).into(),
                    start_date: today - Days::new(*days_ago),
                    end_date: None,
                }),
                important: *status == CreditStatus::Dishonest,
            };
            market.create_supervision_push(&push).await?;
        }
    }
    // A new approval for the holder on the abnormal-operation list: restricted admission,
    // acknowledged (the recipients see 限 in their queue).
    let (seed, name, _, _) = HOLDERS[0];
    let mut p = approval(&super::credit_code(seed), name, "JY13703229000011", today);
    p.item_name = "食品经营许可（增项）".into();
    p.admission = Some(AdmissionAck {
        mode: AdmissionMode::Restricted,
        reason: "列入经营异常名录：不适用告知承诺，不予容缺受理，材料全部核验后办理".into(),
    });
    bureau.create_approval_push(&p, None).await?;
    Ok(())
}
