//! The demo's week of joint work (arts. 9–11): inspections, a review, a hearing and a joint
//! meeting around today, each notified lawfully (the working day before, or earlier), with
//! acknowledgements, reports and signatures in every state — final, awaiting a signature,
//! dissented — one reschedule, one cancellation and one emergency override.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Seeder, local};
use crate::api::*;
use crate::domain::{Calendar, cst};

/// The working day before `d` (the day a lawful notice for `d` is given at the latest).
fn working_day_before(cal: &Calendar, d: NaiveDate) -> NaiveDate {
    let mut n = d.pred_opt().expect("a date after 1900");
    while !cal.is_working_day(n) {
        n = n.pred_opt().expect("a date after 1900");
    }
    n
}

/// The `k`-th working day from `today` (0: today if it is one; negative: back in time).
pub(super) fn working_day(cal: &Calendar, today: NaiveDate, k: i32) -> NaiveDate {
    let mut d = today;
    let step = if k < 0 { -1 } else { 1 };
    let mut left = k.abs();
    while left > 0 || !cal.is_working_day(d) {
        d = d
            .checked_add_signed(chrono::Duration::days(step.into()))
            .expect("in range");
        if cal.is_working_day(d) && left > 0 {
            left -= 1;
        }
    }
    d
}

struct Plan {
    kind: JointEventKind,
    title: &'static str,
    place: &'static str,
    /// Working days from today.
    day: i32,
    hour: u32,
    departments: &'static [&'static str],
}

fn new_event(p: &Plan, starts: DateTime<Utc>) -> NewJointEvent {
    NewJointEvent {
        kind: p.kind,
        title: p.title.into(),
        starts_at: starts.with_timezone(&cst()),
        place: p.place.into(),
        departments: p.departments.iter().map(|d| d.to_string()).collect(),
        subject: None,
        agenda: None,
        emergency: None,
    }
}

/// Schedule `p` on the working day before it, at 10:00, and return it with its start.
async fn schedule(
    s: &mut Seeder,
    cal: &Calendar,
    today: NaiveDate,
    p: &Plan,
    edit: impl FnOnce(&mut NewJointEvent),
) -> anyhow::Result<(JointEvent, DateTime<Utc>)> {
    let day = working_day(cal, today, p.day);
    let starts = local(day, p.hour, 0);
    let notice = local(working_day_before(cal, day), 10, 0);
    s.at(notice).await;
    let mut body = new_event(p, starts);
    edit(&mut body);
    let e = s.c("shenpi1").schedule_joint_event(&body).await?;
    Ok((e, starts))
}

pub(super) async fn seed(s: &mut Seeder, now: DateTime<Utc>) -> anyhow::Result<()> {
    let cal = Calendar::shipped();
    let today = now.with_timezone(&cst()).date_naive();
    let inspection = Plan {
        kind: JointEventKind::Inspection,
        title: "食品生产许可（新办）现场踏勘",
        place: "高青县经济开发区示例食品有限公司",
        day: -4,
        hour: 9,
        departments: &["market", "health"],
    };
    let review = Plan {
        kind: JointEventKind::Review,
        title: "建筑工程施工图联合会审",
        place: "县政务服务中心五楼会审室",
        day: -3,
        hour: 14,
        departments: &["housing", "emergency"],
    };
    let meeting = Plan {
        kind: JointEventKind::Meeting,
        title: "审管联席会议（十一月）",
        place: "县行政审批服务局第一会议室",
        day: -2,
        hour: 15,
        departments: &["market", "health", "ecology"],
    };
    // Past work: acknowledged before it began, then its report and signatures.
    let (held, start) = schedule(s, &cal, today, &inspection, |_| {}).await?;
    s.at(start - chrono::Duration::hours(20)).await;
    let _ = s.c("market1").acknowledge_joint_event(held.id).await;
    let _ = s.c("health1").acknowledge_joint_event(held.id).await;
    s.at(start + chrono::Duration::hours(4)).await;
    let _ = s
        .c("shenpi1")
        .record_joint_report(
            held.id,
            "经现场勘验，生产场所布局、设备设施符合食品生产许可条件，同意许可。",
        )
        .await;
    let _ = s.c("market1").sign_joint_report(held.id, true, None).await;
    let _ = s
        .c("health1")
        .sign_joint_report(
            held.id,
            false,
            Some("从业人员健康证明尚缺两份，建议补齐后发证。"),
        )
        .await;

    let (rev, start) = schedule(s, &cal, today, &review, |_| {}).await?;
    s.at(start - chrono::Duration::hours(3)).await;
    let _ = s.c("housing1").acknowledge_joint_event(rev.id).await;
    s.at(start + chrono::Duration::hours(2)).await;
    let _ = s
        .c("shenpi2")
        .record_joint_report(
            rev.id,
            "施工图消防、结构部分符合规范，节能部分需补充计算书。",
        )
        .await;
    let _ = s
        .c("housing1")
        .sign_joint_report(rev.id, true, Some("同意"))
        .await;

    let (m, start) = schedule(s, &cal, today, &meeting, |e| {
        e.agenda = Some(vec![
            JointRef::Topic("重要审批事项会商：化工园区新建项目".into()),
            JointRef::Topic("上月认领超时情况通报".into()),
        ]);
    })
    .await?;
    s.at(start + chrono::Duration::hours(2)).await;
    let _ = s
        .c("shenpi1")
        .joint_minutes(
            m.id,
            &NewMinutes {
                body: "会议听取了重要审批事项办理情况，研究了认领超时问题。".into(),
                decisions: vec![
                    "化工园区新建项目由应急管理局牵头联合踏勘".into(),
                    "各部门于本周内完成超时事项整改".into(),
                ],
            },
        )
        .await;

    // Coming work: a hearing tomorrow (one acknowledgement in), an inspection later in the
    // week, one moved and one cancelled.
    let hearing = Plan {
        kind: JointEventKind::Hearing,
        title: "排污许可听证",
        place: "县政务服务中心三楼听证室",
        day: 1,
        hour: 9,
        departments: &["ecology", "market"],
    };
    let (h, _) = schedule(s, &cal, today, &hearing, |_| {}).await?;
    let _ = s.c("ecology1").acknowledge_joint_event(h.id).await;
    let later = Plan {
        kind: JointEventKind::Inspection,
        title: "危险化学品经营许可现场踏勘",
        place: "高青县化工园区",
        day: 3,
        hour: 9,
        departments: &["emergency", "transport", "enforcement"],
    };
    s.at(now - chrono::Duration::hours(2)).await;
    let body = new_event(
        &later,
        local(working_day(&cal, today, later.day), later.hour, 0),
    );
    let e = s.c("shenpi1").schedule_joint_event(&body).await?;
    let _ = s.c("transport1").acknowledge_joint_event(e.id).await;
    let moved = Plan {
        kind: JointEventKind::Review,
        title: "消防设计联合审查",
        place: "县政务服务中心五楼会审室",
        day: 2,
        hour: 14,
        departments: &["housing", "emergency"],
    };
    let body = new_event(
        &moved,
        local(working_day(&cal, today, moved.day), moved.hour, 0),
    );
    let e = s.c("shenpi1").schedule_joint_event(&body).await?;
    let to = local(working_day(&cal, today, 4), 9, 0).with_timezone(&cst());
    let _ = s
        .c("shenpi2")
        .reschedule_joint_event(
            e.id,
            &RescheduleJointEvent {
                starts_at: to,
                reason: "建设单位申请补充材料，延期审查".into(),
                emergency: None,
            },
        )
        .await;
    let dropped = Plan {
        kind: JointEventKind::Inspection,
        title: "娱乐场所经营许可现场踏勘",
        place: "高青县芦湖街道",
        day: 2,
        hour: 10,
        departments: &["culture", "enforcement"],
    };
    let body = new_event(
        &dropped,
        local(working_day(&cal, today, dropped.day), dropped.hour, 0),
    );
    let e = s.c("shenpi1").schedule_joint_event(&body).await?;
    let _ = s
        .c("shenpi1")
        .cancel_joint_event(e.id, "申请人撤回申请")
        .await;
    // An emergency: today, by the admin's override of the notice period.
    s.at(now).await;
    let mut urgent = new_event(
        &Plan {
            kind: JointEventKind::Inspection,
            title: "液化气储配站险情联合踏勘",
            place: "高青县田镇街道液化气储配站",
            day: 0,
            hour: 0,
            departments: &["emergency", "market"],
        },
        now + chrono::Duration::hours(2),
    );
    urgent.emergency = Some(EmergencyRequest {
        reason: "群众举报储罐泄漏，须当日联合踏勘".into(),
    });
    let _ = s.c("admin").schedule_joint_event(&urgent).await;
    Ok(())
}
