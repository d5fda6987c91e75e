//! Restricted and strict admission (art. 7(2)1): the standing of a holder on a date, from its
//! credit records. Pure: the records and the date come in.
//!
//! The mapping (docs/ARCHITECTURE.md, "Licences and holders"; practice notes: restricted
//! admission means no 告知承诺 and no 容缺受理 until credit repair):
//! - a `dishonest` listing (严重失信主体名单) in force → `strict`;
//! - else an `abnormal_operation` listing (经营异常名录) in force → `restricted`;
//! - else `normal`.
//!
//! A listing is in force on `today` when it has started (`start_date <= today`), has not ended
//! (`end_date` absent or `>= today`), and no `cleared` record of the holder dated on or after
//! its start and on or before `today` removed it (credit repair removes the holder from the
//! lists it was on by then). Penalties do not change admission by themselves.

use chrono::NaiveDate;

use crate::api::{Admission, AdmissionReason, CreditStatus};

/// One credit record as the rule needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub id: i64,
    pub status: CreditStatus,
    pub authority: String,
    pub decision_no: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

/// Whether `l` is in force on `today`, given all the holder's records.
pub fn in_force(l: &Listing, all: &[Listing], today: NaiveDate) -> bool {
    l.status != CreditStatus::Cleared
        && l.start_date <= today
        && l.end_date.is_none_or(|e| e >= today)
        && !all.iter().any(|c| {
            c.status == CreditStatus::Cleared
                && c.start_date >= l.start_date
                && c.start_date <= today
        })
}

/// The holder's admission on `today` and the listings in force (most severe first, then
/// newest first).
pub fn standing(records: &[Listing], today: NaiveDate) -> (Admission, Vec<AdmissionReason>) {
    let mut live: Vec<&Listing> = records
        .iter()
        .filter(|l| in_force(l, records, today))
        .collect();
    live.sort_by(|a, b| {
        (b.status == CreditStatus::Dishonest)
            .cmp(&(a.status == CreditStatus::Dishonest))
            .then(b.start_date.cmp(&a.start_date))
            .then(b.id.cmp(&a.id))
    });
    let admission = if live.iter().any(|l| l.status == CreditStatus::Dishonest) {
        Admission::Strict
    } else if live.is_empty() {
        Admission::Normal
    } else {
        Admission::Restricted
    };
    let reasons = live
        .into_iter()
        .map(|l| AdmissionReason {
            record_id: l.id,
            status: l.status,
            authority: l.authority.clone(),
            decision_no: l.decision_no.clone(),
            start_date: l.start_date,
            end_date: l.end_date,
        })
        .collect();
    (admission, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rec(id: i64, status: CreditStatus, start: &str, end: Option<&str>) -> Listing {
        Listing {
            id,
            status,
            authority: "县市场监管局".into(),
            decision_no: format!("高市监异〔2026〕{id}号"),
            start_date: d(start),
            end_date: end.map(d),
        }
    }

    use CreditStatus::*;

    #[test]
    fn the_mapping() {
        let today = d("2026-11-26");
        assert_eq!(standing(&[], today).0, Admission::Normal);
        let abnormal = rec(1, AbnormalOperation, "2026-10-01", None);
        let dishonest = rec(2, Dishonest, "2026-11-01", None);
        assert_eq!(
            standing(std::slice::from_ref(&abnormal), today).0,
            Admission::Restricted
        );
        let (a, reasons) = standing(&[abnormal.clone(), dishonest.clone()], today);
        assert_eq!(a, Admission::Strict);
        assert_eq!(reasons[0].record_id, 2, "the most severe first");
        assert_eq!(reasons.len(), 2);
    }

    #[test]
    fn ended_future_and_cleared_listings_are_not_in_force() {
        let today = d("2026-11-26");
        // Ends today: still in force today, not tomorrow.
        let ends = rec(1, Dishonest, "2026-01-01", Some("2026-11-26"));
        assert_eq!(
            standing(std::slice::from_ref(&ends), today).0,
            Admission::Strict
        );
        assert_eq!(standing(&[ends], d("2026-11-27")).0, Admission::Normal);
        let future = rec(2, AbnormalOperation, "2026-12-01", None);
        assert_eq!(standing(&[future], today).0, Admission::Normal);
        let listed = rec(3, AbnormalOperation, "2026-10-01", None);
        let cleared = rec(4, Cleared, "2026-11-20", None);
        let both = [listed.clone(), cleared.clone()];
        assert_eq!(standing(&both, today).0, Admission::Normal);
        // Before the clearance took effect the listing stood.
        assert_eq!(standing(&both, d("2026-11-19")).0, Admission::Restricted);
        // A later listing is not cleared by an earlier clearance.
        let again = rec(5, AbnormalOperation, "2026-11-21", None);
        assert_eq!(
            standing(&[listed, cleared, again], today).0,
            Admission::Restricted
        );
    }
}
