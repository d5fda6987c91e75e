//! The demo's inquiry letters (art. 12) and legacy cases (art. 13), on the demo's shifted
//! clock: one letter answered by one recipient and deemed consented to by the other (its
//! deadline passed unanswered, so the sweeper marked it and the ledger has the record), one
//! awaiting market's answer in its queue; a legacy case waiting for market's verification after
//! an opinion and a rectification, and one waiting for its opinion.

use chrono::{DateTime, Duration, Utc};

use super::joint::working_day;
use super::{Seeder, local};
use crate::api::*;
use crate::domain::{Calendar, cst};

fn letter(subject: &str, body: &str, recipients: &[&str], days: u32) -> NewInquiryLetter {
    NewInquiryLetter {
        subject: subject.into(),
        body: body.into(),
        recipients: recipients.iter().map(|r| r.to_string()).collect(),
        reply_working_days: Some(days),
    }
}

pub(super) async fn seed(s: &mut Seeder, now: DateTime<Utc>) -> anyhow::Result<()> {
    let cal = Calendar::shipped();
    let today = now.with_timezone(&cst()).date_naive();
    let day = |k: i32| working_day(&cal, today, k);

    // Six working days ago, 3 working days to reply: market answers the next day; health
    // lets the deadline pass, which is deemed consent when the clock passes it.
    s.at(local(day(-6), 9, 30)).await;
    let l = s
        .c("shenpi1")
        .send_inquiry_letter(&letter(
            "关于餐饮服务食品安全操作规范适用标准的函询",
            "我局拟在餐饮服务许可审查中统一适用新版操作规范，请贵局就执行口径提出意见。",
            &["market", "health"],
            3,
        ))
        .await?;
    s.at(local(day(-5), 15, 10)).await;
    s.c("market1")
        .reply_inquiry_letter(l.id, "同意按新版规范审查，现场核查要点另附。")
        .await?;
    // A department asks the bureau: answered the same afternoon.
    s.at(local(day(-4), 10, 0)).await;
    let q = s
        .c("ecology1")
        .send_inquiry_letter(&letter(
            "关于排污许可简化管理名录衔接问题的函询",
            "名录调整后部分企业的许可类别如何衔接，请予明确。",
            &["approval"],
            5,
        ))
        .await?;
    s.at(local(day(-4), 16, 20)).await;
    s.c("shenpi2")
        .reply_inquiry_letter(q.id, "按新名录办理，原证有效期内不变。")
        .await?;

    // A legacy case eight working days back: opinion (rectification required), the holder's
    // rectification reported to the bureau, now awaiting market's verification.
    s.at(local(day(-8), 11, 0)).await;
    let c = s
        .c("shenpi1")
        .open_legacy_case(&NewLegacyCase {
            title: "高青县鲁味餐饮有限公司 2016 年许可遗留问题".into(),
            description:
                "原许可时后厨布局与现行规范不符，群众多次反映，需监管部门出具书面审核意见。".into(),
            department: "market".into(),
            licence_no: Some("JY13703220160001".into()),
            holder: Some("高青县鲁味餐饮有限公司".into()),
        })
        .await?;
    s.at(local(day(-6), 14, 0)).await;
    s.c("market1")
        .legacy_opinion(
            c.id,
            &LegacyOpinion {
                body: "后厨生熟分区不符合要求，应整改后再依法处理。".into(),
                rectification_required: true,
            },
        )
        .await?;
    s.at(local(day(-2), 10, 30)).await;
    s.c("shenpi1")
        .legacy_rectification(c.id, "申请人报告：已增设隔断并调整操作流程，附照片。")
        .await?;
    // A newer case, waiting for health's opinion.
    s.at(local(day(-1), 9, 0)).await;
    s.c("shenpi2")
        .open_legacy_case(&NewLegacyCase {
            title: "城关诊所 2018 年执业登记遗留问题".into(),
            description: "登记地址与实际执业地址不一致，需卫生健康局出具审核意见。".into(),
            department: "health".into(),
            licence_no: None,
            holder: Some("城关诊所".into()),
        })
        .await?;

    // Yesterday afternoon, 3 working days: awaiting market's answer in its queue.
    s.at(local(day(-1), 15, 0)).await;
    s.c("shenpi2")
        .send_inquiry_letter(&letter(
            "关于农药经营许可现场核查标准的函询",
            "拟将仓储面积核查标准统一为 50 平方米以上，请贵局于期限内回复意见。",
            &["market", "agriculture"],
            3,
        ))
        .await?;
    s.at(now - Duration::minutes(5)).await;
    Ok(())
}
