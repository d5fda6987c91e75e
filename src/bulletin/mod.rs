//! The monthly bulletin's pure parts: the ranking, the late-upload rule, what a department may
//! read of it, and the exports (CSV, Markdown, XLSX). No I/O: functions of an `api::Bulletin`.
//! Definitions of every figure in docs/STATISTICS.md.

mod csv;
mod markdown;
mod text;
mod xlsx;

use chrono::{DateTime, FixedOffset, NaiveTime, TimeZone};

pub use csv::csv;
pub use markdown::markdown;
pub use xlsx::xlsx;

use crate::api::{Bulletin, DepartmentLine, RankEntry, ReportFormat};
use crate::domain::{Calendar, cst};

/// A rate below this names the department for attention (需重点关注整改), as bulletins of the
/// genre do (practice notes: "late-report rate over 50 %").
pub const ATTENTION_BELOW: f64 = 0.5;

/// On time, late: every deadline of a department decided in the month — claims (a person's
/// claim on time, an auto-claim late), answers to questions and disputes, and the duty core's
/// per-kind deadlines. Open items are not decided and do not count.
pub fn decided(line: &DepartmentLine) -> (i64, i64) {
    let s = &line.stats;
    let duties_on_time: i64 = s.deadlines.iter().map(|f| f.on_time).sum();
    let duties_late: i64 = s.deadlines.iter().map(|f| f.late).sum();
    let on_time = s.claimed_on_time + line.answered_on_time + duties_on_time;
    let late = s.auto_claimed + line.answered_late + duties_late;
    (on_time, late)
}

/// Rank the departments and write each line's `rank`. The order: on-time rate over everything
/// decided (higher first), then the number decided (more first: the same rate over more work
/// ranks higher), then the department code. Equal rate and count share a rank (1, 1, 3).
/// A department with nothing decided is not ranked.
pub fn rank(lines: &mut [DepartmentLine]) -> Vec<RankEntry> {
    let mut entries: Vec<(usize, RankEntry)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            let (on_time, late) = decided(l);
            let n = on_time + late;
            (n > 0).then(|| {
                let rate = on_time as f64 / n as f64;
                (
                    i,
                    RankEntry {
                        rank: 0,
                        department: l.stats.department.clone(),
                        name: l.stats.name.clone(),
                        decided: n,
                        on_time,
                        late,
                        on_time_rate: rate,
                        attention: rate < ATTENTION_BELOW,
                    },
                )
            })
        })
        .collect();
    // Compare on_time/decided exactly (cross-multiplied), not as floats.
    entries.sort_by(|(_, a), (_, b)| {
        (b.on_time * a.decided)
            .cmp(&(a.on_time * b.decided))
            .then(b.decided.cmp(&a.decided))
            .then(a.department.cmp(&b.department))
    });
    let mut out = Vec::with_capacity(entries.len());
    for k in 0..entries.len() {
        let rank = if k > 0 && {
            let (p, c) = (&entries[k - 1].1, &entries[k].1);
            p.on_time * c.decided == c.on_time * p.decided && p.decided == c.decided
        } {
            entries[k - 1].1.rank
        } else {
            k as u32 + 1
        };
        entries[k].1.rank = rank;
        lines[entries[k].0].rank = Some(rank);
        out.push(entries[k].1.clone());
    }
    out
}

/// The late-upload rule (art. 7(1)1 "即时推送"): an approval push is due before the end of the
/// `working_days`-th working day after its licence date (the licence date itself not counted,
/// as every period in the regulation). `None` only for a date the calendar cannot count from.
pub fn upload_due(
    cal: &Calendar,
    license_date: chrono::NaiveDate,
    working_days: u32,
) -> Option<DateTime<FixedOffset>> {
    let start = cst()
        .from_local_datetime(&license_date.and_time(NaiveTime::MIN))
        .single()?;
    cal.deadline(start.with_timezone(&chrono::Utc), working_days)
        .ok()
        .map(|d| d.at)
}

/// What a department may read of a bulletin: every department's line and the ranking (the
/// bulletin is circulated to all, art. 7), but of the ledger and the late uploads only its
/// own records. `None`: a role that sees every department.
pub fn for_department(mut b: Bulletin, own: Option<&str>) -> Bulletin {
    if let Some(code) = own {
        b.contents.ledger.retain(|r| r.department == code);
        b.contents.late_uploads.retain(|l| l.department == code);
    }
    b
}

/// The export in `format`.
pub fn export(b: &Bulletin, format: ReportFormat) -> Result<Vec<u8>, String> {
    match format {
        ReportFormat::Csv => Ok(csv(b).into_bytes()),
        ReportFormat::Md => Ok(markdown(b).into_bytes()),
        ReportFormat::Xlsx => xlsx(b).map_err(|e| e.to_string()),
    }
}

/// The file name an export is offered under: `bulletin-2026-11-v2.xlsx`, `bulletin-2026-11-draft.md`.
pub fn file_name(b: &Bulletin, format: ReportFormat) -> String {
    let v = match &b.issued {
        Some(i) => format!("v{}", i.version),
        None => "draft".into(),
    };
    format!("bulletin-{}-{v}.{}", b.month, format.extension())
}

#[cfg(test)]
mod tests;
