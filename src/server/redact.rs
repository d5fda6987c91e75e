//! Other departments' people are not shown (DESIGN.md: a person sees only within their own
//! department, except supervisors, duty officers and admins). A department still sees which
//! departments received a push and each one's status, and which department wrote a message or
//! took a step — the department's name stands where another department's person would be.
//!
//! Applied to every answer that carries a name: `claimed_by`, a push's `created_by`, dispute
//! message authors, escalations and history lines, a catalogue version's `created_by`, and the
//! people in joint work, inquiry letters and legacy cases.

use std::collections::HashMap;

use crate::api::*;
use crate::domain::Principal;
use crate::server::AppState;
use crate::server::error::AppResult;

pub struct Redactor {
    /// The viewer's department, `None` for the roles that see all (nothing is redacted).
    viewer: Option<i64>,
    /// Department code → (id, name).
    depts: HashMap<String, (i64, String)>,
    /// Acting name → department (`None`: a person of no department), for escalations and
    /// history; filled by [`Redactor::with_people`].
    people: HashMap<String, Option<i64>>,
}

impl Redactor {
    pub fn new(s: &AppState, p: &Principal) -> Self {
        let viewer = if p.sees_all() {
            None
        } else {
            // A principal of no department that does not see all sees no names at all.
            Some(p.department_id.unwrap_or(-1))
        };
        let depts =
            s.db.departments()
                .into_iter()
                .map(|(id, d)| (d.code, (id, d.name)))
                .collect();
        Self {
            viewer,
            depts,
            people: HashMap::new(),
        }
    }

    /// Look up the departments of these acting names (escalations, history).
    pub async fn with_people(mut self, s: &AppState, names: Vec<String>) -> AppResult<Self> {
        if self.viewer.is_some() {
            let mut names = names;
            names.retain(|n| n != "system");
            names.sort();
            names.dedup();
            self.people = crate::db::people::departments_of(&s.db, &names).await?;
        }
        Ok(self)
    }

    /// Whether the viewer may see the people of the department with this code.
    fn own(&self, code: &str) -> bool {
        match self.viewer {
            None => true,
            Some(v) => self.depts.get(code).is_some_and(|(id, _)| *id == v),
        }
    }

    fn dept_name(&self, code: &str) -> String {
        self.depts
            .get(code)
            .map_or_else(|| code.to_string(), |(_, name)| name.clone())
    }

    fn dept_name_by_id(&self, id: i64) -> String {
        self.depts.values().find(|(i, _)| *i == id).map_or_else(
            || "其他部门 / another department".into(),
            |(_, n)| n.clone(),
        )
    }

    /// A name from the audit log or an escalation: shown if the person is of the viewer's
    /// department or of none (supervisors, the system); otherwise their department's name.
    fn person(&self, name: &str) -> String {
        let Some(viewer) = self.viewer else {
            return name.to_string();
        };
        if name == "system" {
            return name.to_string();
        }
        match self.people.get(name) {
            Some(None) => name.to_string(),
            Some(Some(d)) if *d == viewer => name.to_string(),
            Some(Some(d)) => self.dept_name_by_id(*d),
            // Unknown names are not shown: nothing says whose they are.
            None => "—".into(),
        }
    }

    pub fn delivery(&self, d: &mut Delivery) {
        // Only the receiving department's staff claim.
        if !self.own(&d.department) {
            d.claimed_by = None;
        }
    }

    /// A duty names the person responsible and who did it: both of the duty's department.
    pub fn duty(&self, d: &mut Duty) {
        if !self.own(&d.department) {
            d.person = None;
            d.done_by = None;
        }
    }

    /// A verification task's results were recorded by the bureau's staff: to anyone else
    /// the bureau's name stands for them.
    pub fn verification(&self, t: &mut VerificationTask) {
        if !self.own(&t.department) {
            for r in &mut t.results {
                r.recorded_by = self.dept_name(&t.department);
            }
        }
    }

    /// A licence's history names the issuing bureau's people: another department sees the
    /// bureau's name instead.
    pub fn license(&self, l: &mut License) {
        if !self.own(&l.approval_department) {
            let name = self.dept_name(&l.approval_department);
            for h in l.history.iter_mut().flatten() {
                h.actor = name.clone();
            }
        }
    }

    pub fn push(&self, p: &mut Push) {
        if !self.own(&p.source_department) {
            p.created_by = self.dept_name(&p.source_department);
        }
        for d in &mut p.deliveries {
            self.delivery(d);
        }
    }

    pub fn dispute(&self, t: &mut Dispute) {
        for m in &mut t.messages {
            match &m.department {
                Some(code) if !self.own(code) => m.author = self.dept_name(code),
                _ => {}
            }
        }
    }

    /// Everyone reads the catalogue; who maintained it is a bureau staffer (another
    /// department's person to a supervision department) or an admin (of no department).
    pub fn catalogue(&self, c: &mut CatalogueItem) {
        for v in std::iter::once(&mut c.current).chain(c.versions.iter_mut()) {
            v.created_by = self.person(&v.created_by);
        }
    }

    /// The acting names in catalogue items (for [`Redactor::with_people`]).
    pub fn names_in_catalogue(items: &[CatalogueItem]) -> Vec<String> {
        items
            .iter()
            .flat_map(|c| std::iter::once(&c.current).chain(&c.versions))
            .map(|v| v.created_by.clone())
            .collect()
    }

    /// Joint work: each participant's acknowledgement and signature name its own people; the
    /// organiser's steps (history, minutes, the report's recording) name the organiser's.
    pub fn joint_event(&self, e: &mut JointEvent) {
        let organiser = self.own(&e.organiser);
        for p in &mut e.participants {
            if !self.own(&p.department) {
                p.acknowledged_by = None;
            }
        }
        if !organiser {
            e.history.iter_mut().for_each(|c| c.by = None);
            e.minutes.iter_mut().for_each(|m| m.by = None);
        }
        if let Some(r) = e.report.as_mut() {
            if !organiser {
                r.recorded_by = None;
            }
            for sig in &mut r.signatures {
                if !self.own(&sig.department) {
                    sig.signer = None;
                }
            }
        }
    }

    /// An inquiry letter: the sender's person and each message's author, of their department.
    pub fn inquiry_letter(&self, l: &mut InquiryLetter) {
        if !self.own(&l.sender) {
            l.sent_by = None;
        }
        for m in &mut l.messages {
            if !self.own(&m.department) {
                m.by = None;
            }
        }
    }

    /// A legacy case: each step names a person of the department that took it.
    pub fn legacy_case(&self, c: &mut LegacyCase) {
        for h in &mut c.history {
            if !self.own(&h.department) {
                h.by = None;
            }
        }
    }

    pub fn escalation(&self, e: &mut Escalation) {
        e.by = self.person(&e.by);
    }

    pub fn detail(&self, d: &mut DeliveryDetail) {
        self.delivery(&mut d.delivery);
        self.push(&mut d.push);
        d.disputes.iter_mut().for_each(|t| self.dispute(t));
        d.escalations.iter_mut().for_each(|e| self.escalation(e));
        for h in &mut d.history {
            h.actor = self.person(&h.actor);
        }
    }

    /// The acting names in a detail that need a lookup (escalations, history).
    pub fn names_in(d: &DeliveryDetail) -> Vec<String> {
        d.escalations
            .iter()
            .map(|e| e.by.clone())
            .chain(d.history.iter().map(|h| h.actor.clone()))
            .collect()
    }
}

impl Redactor {
    /// An event's JSON as the viewer may see it: the same rule on the delivery, thread or
    /// escalation it carries (whatever the event type, so later kinds are covered too).
    pub async fn event_json(s: &AppState, p: &Principal, ev: &crate::events::HubEvent) -> String {
        if !p.sees_all() && ev.kind == crate::api::event_types::CATALOGUE_CHANGED {
            return Self::catalogue_event(s, p, &ev.json).await;
        }
        let concerns_people = ev.kind.starts_with("delivery.")
            || ev.kind.starts_with("dispute.")
            || ev.kind.starts_with("duty.");
        // Most events name nobody (a new delivery, an auto-claim): skip parsing those. The
        // stored JSON is compact, so a claimer's name always reads `"claimed_by":"`.
        let names_someone = ev.json.contains("\"claimed_by\":\"")
            || ev.json.contains("\"messages\":")
            || ev.json.contains("\"escalation\":")
            || ev.json.contains("\"person\":\"")
            || ev.json.contains("\"done_by\":\"");
        if p.sees_all() || !concerns_people || !names_someone {
            return ev.json.clone();
        }
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&ev.json) else {
            return ev.json.clone();
        };
        let by = v["data"]["escalation"]["by"].as_str().map(str::to_string);
        let mut redact = Self::new(s, p);
        if let Some(by) = by {
            match redact.with_people(s, vec![by]).await {
                Ok(r) => redact = r,
                // Not knowing whose name it is, do not show it.
                Err(_) => redact = Self::new(s, p),
            }
        }
        redact.value(&mut v["data"]);
        v.to_string()
    }

    /// `catalogue.changed` carries the item as the REST answer does, redacted the same way.
    async fn catalogue_event(s: &AppState, p: &Principal, json: &str) -> String {
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(json) else {
            return json.to_string();
        };
        let Ok(mut item) = serde_json::from_value::<CatalogueItem>(v["data"].take()) else {
            // Not knowing whose names it holds, show none of it (`data` is left null).
            return v.to_string();
        };
        let names = Self::names_in_catalogue(std::slice::from_ref(&item));
        match Self::new(s, p).with_people(s, names).await {
            Ok(r) => r.catalogue(&mut item),
            // Unknown people are not shown.
            Err(_) => Self::new(s, p).catalogue(&mut item),
        }
        v["data"] = serde_json::to_value(&item).expect("wire types serialise");
        v.to_string()
    }

    fn value(&self, v: &mut serde_json::Value) {
        use serde_json::Value;
        let Value::Object(map) = v else {
            return;
        };
        let dept = map
            .get("department")
            .and_then(Value::as_str)
            .map(str::to_string);
        if let Some(dept) = dept
            && !self.own(&dept)
        {
            // A delivery's claimer; a duty's responsible person and who did it.
            for field in ["claimed_by", "person", "done_by"] {
                if let Some(v) = map.get_mut(field) {
                    *v = Value::Null;
                }
            }
        }
        if let Some(Value::Array(msgs)) = map.get_mut("messages") {
            for m in msgs {
                let code = m["department"].as_str().map(str::to_string);
                if let Some(code) = code
                    && !self.own(&code)
                {
                    m["author"] = Value::String(self.dept_name(&code));
                }
            }
        }
        if let Some(by) = map.get_mut("escalation").and_then(|e| e.get_mut("by"))
            && let Some(name) = by.as_str()
        {
            *by = Value::String(self.person(name));
        }
        if let Some(d) = map.get_mut("delivery") {
            self.value(d);
        }
    }
}
