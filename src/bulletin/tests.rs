//! The ranking's order and ties, and the late-upload rule.

use super::*;
use crate::api::{DepartmentLine, DepartmentMonth};

fn line(code: &str, on_time: i64, auto: i64, answered: (i64, i64)) -> DepartmentLine {
    DepartmentLine {
        stats: DepartmentMonth {
            department: code.into(),
            name: format!("{code}局"),
            received: on_time + auto,
            claimed_on_time: on_time,
            auto_claimed: auto,
            pending: 0,
            on_time_rate: None,
            avg_claim_seconds: None,
            disputes_opened: 0,
            deadlines: vec![],
            revocations: 0,
            admission_acknowledgements: 0,
            license_actions: vec![],
        },
        avg_claim_working_hours: None,
        answers_due: answered.0 + answered.1,
        answered_on_time: answered.0,
        answered_late: answered.1,
        answers_open: 0,
        rank: None,
    }
}

#[test]
fn ranked_by_rate_then_volume_then_code_with_shared_ranks() {
    let mut lines = vec![
        line("a", 1, 1, (0, 0)), // 50 %, 2 decided
        line("b", 4, 0, (0, 0)), // 100 %, 4
        line("c", 2, 0, (0, 0)), // 100 %, 2
        line("d", 0, 0, (0, 0)), // nothing decided: not ranked
        line("e", 1, 0, (0, 1)), // 50 %, 2 decided (one late answer): ties with a
        line("f", 0, 3, (0, 0)), // 0 %
    ];
    let r = rank(&mut lines);
    let order: Vec<(&str, u32)> = r.iter().map(|e| (e.department.as_str(), e.rank)).collect();
    assert_eq!(order, [("b", 1), ("c", 2), ("a", 3), ("e", 3), ("f", 5)]);
    assert_eq!(lines[3].rank, None);
    assert_eq!(lines[4].rank, Some(3));
    assert!(!r[2].attention, "exactly 50 % is not below 50 %");
    assert!(r[4].attention);
    assert_eq!((r[3].on_time, r[3].late, r[3].decided), (1, 1, 2));
}

#[test]
fn an_approval_push_is_due_by_the_end_of_the_first_working_day_after_its_licence_date() {
    let cal = Calendar::shipped();
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    // Licence on Thursday 26 Nov 2026: due before Saturday 28 Nov 00:00 (end of Friday).
    let due = upload_due(&cal, d("2026-11-26"), 1).unwrap();
    assert_eq!(due.to_rfc3339(), "2026-11-28T00:00:00+08:00");
    // Licence on Friday 27 Nov: the weekend does not count; due by the end of Monday.
    let due = upload_due(&cal, d("2026-11-27"), 1).unwrap();
    assert_eq!(due.to_rfc3339(), "2026-12-01T00:00:00+08:00");
    // Two working days after 30 Sep: 1–7 Oct are holidays; 8 and 9 Oct count.
    let due = upload_due(&cal, d("2026-09-30"), 2).unwrap();
    assert_eq!(due.to_rfc3339(), "2026-10-10T00:00:00+08:00");
}

/// A bulletin of one month whose only lines are these.
fn bulletin(departments: Vec<DepartmentLine>) -> Bulletin {
    Bulletin {
        month: "2026-11".into(),
        issued: None,
        draft: true,
        contents: crate::api::BulletinContents {
            month: "2026-11".into(),
            generated_at: chrono::DateTime::parse_from_rfc3339("2026-12-01T09:00:00+08:00")
                .unwrap(),
            uploads: crate::api::Uploads {
                approval_pushes: 0,
                approval_deliveries: 0,
                supervision_pushes: 0,
                supervision_deliveries: 0,
                late_approval_pushes: 0,
                late_rule_working_days: 1,
                by_sender: vec![],
            },
            departments,
            ranking: vec![],
            ledger: vec![],
            late_uploads: vec![],
            chain_head: None,
        },
    }
}

#[test]
fn licences_and_credit_lists_letters_revocations_and_admission_acknowledgements() {
    use crate::api::{LicenseActionFigures, LicenseActionKind};
    let mut bureau = line("approval", 0, 0, (0, 0));
    bureau.stats.revocations = 2;
    bureau.stats.admission_acknowledgements = 3;
    bureau.stats.license_actions = vec![LicenseActionFigures {
        action: LicenseActionKind::Revoke,
        requested: 4,
        accepted: 1,
        rejected: 2,
    }];
    let mut market = line("market", 0, 0, (0, 0));
    market.stats.license_actions = vec![LicenseActionFigures {
        action: LicenseActionKind::Change,
        requested: 1,
        accepted: 0,
        rejected: 0,
    }];
    // A department with none of these figures has no row.
    let quiet = line("water", 3, 0, (0, 0));
    let b = bulletin(vec![bureau, market, quiet]);
    let table = text::licences_and_credit(&b);
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(text::Cell::text).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["approval", "approval局", "函告·撤销", "4", "1", "2"],
            ["approval", "approval局", "告知承诺撤销许可", "2", "—", "—"],
            ["approval", "approval局", "限制/严格准入确认", "3", "—", "—"],
            ["market", "market局", "函告·变更", "1", "0", "0"],
        ]
    );
    // Every export carries it, after the other deadlines.
    let titles: Vec<&str> = text::tables(&b).iter().map(|t| t.title).collect();
    assert_eq!(
        titles,
        [
            "排名",
            "部门统计",
            "其他期限",
            "许可与信用",
            "上传情况",
            "迟报清单",
            "问责记录"
        ]
    );
    let md = markdown(&b);
    assert!(md.contains("## 五、许可与信用"), "{md}");
    assert!(
        md.contains("| approval | approval局 | 函告·撤销 | 4 | 1 | 2 |"),
        "{md}"
    );
    assert!(csv(&b).contains("[许可与信用]"));
}
