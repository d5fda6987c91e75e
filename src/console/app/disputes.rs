//! The disputes part: open question / dispute threads, soonest answer due first.

use std::collections::HashMap;

use crate::api::{Dispute, DisputeStatus};
use crate::console::model::contains;

#[derive(Debug, Default)]
pub struct DisputeList {
    /// Open threads, soonest answer due first (ties by id).
    pub items: Vec<Dispute>,
    /// The first page has arrived.
    pub loaded: bool,
}

impl DisputeList {
    /// A fresh page replaces the list (only open threads are kept).
    pub fn replace(&mut self, items: Vec<Dispute>) {
        self.items = items
            .into_iter()
            .filter(|d| d.status == DisputeStatus::Open)
            .collect();
        self.items.sort_by_key(|d| (d.answer_due, d.id));
        self.loaded = true;
    }

    /// A thread changed: keep it in order while open, drop it once resolved.
    pub fn upsert(&mut self, d: Dispute) {
        self.items.retain(|x| x.id != d.id);
        if d.status == DisputeStatus::Open {
            let k = (d.answer_due, d.id);
            let pos = self.items.partition_point(|x| (x.answer_due, x.id) < k);
            self.items.insert(pos, d);
        }
    }

    pub fn contains(&self, id: i64) -> bool {
        self.items.iter().any(|x| x.id == id)
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Dispute> {
        self.items.iter()
    }

    /// The threads matching `filter` (any case): subject, either department (code or name),
    /// or the last message.
    pub fn visible(&self, filter: &str, names: &HashMap<String, String>) -> Vec<&Dispute> {
        if filter.is_empty() {
            return self.items.iter().collect();
        }
        let f = filter.to_lowercase();
        self.items
            .iter()
            .filter(|d| {
                contains(&d.subject, &f)
                    || contains(&d.raised_by_department, &f)
                    || contains(&d.answering_department, &f)
                    || contains(name(names, &d.raised_by_department), &f)
                    || contains(name(names, &d.answering_department), &f)
                    || d.messages.last().is_some_and(|m| contains(&m.body, &f))
            })
            .collect()
    }
}

/// A department's name, or its code while the name is not known.
fn name<'a>(names: &'a HashMap<String, String>, code: &'a str) -> &'a str {
    names.get(code).map(String::as_str).unwrap_or(code)
}
