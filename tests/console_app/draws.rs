//! Drawn experts reach the 联合踏勘 pane from the event stream (`draw.made`).

use shenguan::api::{Draw, DrawCandidate, DrawnExpert, ExpertPool};
use shenguan::console::model::{Inspection, InspectionKind};

use super::*;

fn inspection(id: i64) -> Inspection {
    Inspection {
        id,
        kind: InspectionKind::Inspection,
        title: "联合踏勘".into(),
        at: now() + Duration::days(3),
        place: "开发区".into(),
        departments: vec!["market".into()],
        experts: vec![],
        signed: 0,
        signatories: vec![],
        acknowledged: vec![],
        reported: false,
        report_final: false,
        cancelled: false,
        emergency: false,
    }
}

fn made(event_id: i64, names: &[&str]) -> Draw {
    Draw {
        id: 1,
        event_id,
        sequence: 1,
        seed: "0".repeat(64),
        algorithm: "chacha20-fisher-yates-v1".into(),
        pool: ExpertPool::SiteInspection,
        event_date: (now() + Duration::days(3)).date_naive(),
        exclude_departments: vec![],
        candidates: vec![DrawCandidate {
            id: 1,
            department: "market".into(),
        }],
        drawn: names
            .iter()
            .enumerate()
            .map(|(i, n)| DrawnExpert {
                id: i as i64 + 1,
                name: (*n).into(),
                department: "market".into(),
                qualification: "工程师".into(),
            })
            .collect(),
        reason: None,
        commitment: "0".repeat(64),
        committed_at: now(),
        secret: "0".repeat(64),
        made_by: "行政审批服务局".into(),
        made_at: now(),
    }
}

#[test]
fn a_draw_names_the_experts_of_its_event() {
    let mut a = app();
    a.update(Action::Inspections(vec![inspection(7), inspection(8)]));
    a.update(event(
        1,
        event_types::DRAW_MADE,
        made(7, &["张建国", "李海燕"]),
    ));
    let row = |a: &App, id| {
        a.inspections
            .iter()
            .find(|i| i.id == id)
            .unwrap()
            .experts
            .clone()
    };
    assert_eq!(row(&a, 7), ["张建国", "李海燕"]);
    assert!(row(&a, 8).is_empty());
    // A redraw replaces them; a draw for an event not shown changes nothing.
    a.update(event(2, event_types::DRAW_MADE, made(7, &["王志强"])));
    a.update(event(3, event_types::DRAW_MADE, made(99, &["赵丽华"])));
    assert_eq!(row(&a, 7), ["王志强"]);
    assert!(row(&a, 8).is_empty());
}
