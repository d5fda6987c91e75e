//! The countdown queue: every item with a deadline on the department, soonest first.
//!
//! Two kinds of row: a pending delivery (to claim) and an outstanding duty (every other
//! deadline on the department — a letter to decide, a verification, a notice to acknowledge, a
//! report to sign, an inquiry letter to answer; `api::Duty`). The sorted store, the filtered
//! view and the live insert/remove below are the same for both.
//!
//! The store is kept sorted by `(deadline, kind, id)`. A filter keeps an index view that live
//! inserts and removals update in place, so an event costs the same with 100,000 rows as with
//! 10; rows are boxed so that an insert or removal moves pointers, not records.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, FixedOffset};

use super::model::contains;
use crate::api::{Delivery, Duty};

/// The kind of a queue row; part of its identity (ids are only unique within a kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ItemKind {
    Delivery,
    Duty,
}

/// A queue row's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemId {
    pub kind: ItemKind,
    pub id: i64,
}

impl ItemId {
    pub fn delivery(id: i64) -> ItemId {
        ItemId {
            kind: ItemKind::Delivery,
            id,
        }
    }

    pub fn duty(id: i64) -> ItemId {
        ItemId {
            kind: ItemKind::Duty,
            id,
        }
    }
}

/// Where a row sorts: its deadline, then its identity (ties are stable).
pub type SortKey = (DateTime<FixedOffset>, ItemId);

/// One row of the queue.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueItem {
    /// A pending delivery; its deadline is the claim deadline.
    Delivery(Box<Delivery>),
    /// An outstanding duty (open or overdue); its deadline is `due`.
    Duty(Box<Duty>),
}

impl QueueItem {
    pub fn id(&self) -> ItemId {
        match self {
            QueueItem::Delivery(d) => ItemId::delivery(d.id),
            QueueItem::Duty(d) => ItemId::duty(d.id),
        }
    }

    pub fn deadline(&self) -> DateTime<FixedOffset> {
        match self {
            QueueItem::Delivery(d) => d.claim_deadline,
            QueueItem::Duty(d) => d.due,
        }
    }

    pub fn key(&self) -> SortKey {
        (self.deadline(), self.id())
    }

    pub fn as_delivery(&self) -> Option<&Delivery> {
        match self {
            QueueItem::Delivery(d) => Some(d),
            QueueItem::Duty(_) => None,
        }
    }

    pub fn as_duty(&self) -> Option<&Duty> {
        match self {
            QueueItem::Duty(d) => Some(d),
            QueueItem::Delivery(_) => None,
        }
    }

    /// Whether the row matches a (lower-case, non-empty) filter; `names` maps department codes
    /// to names, so a filter on a department's name finds its rows.
    pub fn matches(&self, names: &HashMap<String, String>, f: &str) -> bool {
        let name = |c: &str| names.get(c).is_some_and(|n| contains(n, f));
        match self {
            // Item, counterparty, licence number, department codes and names.
            QueueItem::Delivery(d) => {
                contains(&d.title, f)
                    || d.counterparty_name
                        .as_deref()
                        .is_some_and(|c| contains(c, f))
                    || d.license_no.as_deref().is_some_and(|c| contains(c, f))
                    || contains(&d.department, f)
                    || contains(&d.source_department, f)
                    || name(&d.department)
                    || name(&d.source_department)
            }
            // Title, kind, department codes and names.
            QueueItem::Duty(d) => {
                contains(&d.title, f)
                    || contains(d.kind.as_str(), f)
                    || contains(&d.department, f)
                    || name(&d.department)
                    || d.counterpart
                        .as_deref()
                        .is_some_and(|c| contains(c, f) || name(c))
            }
        }
    }
}

/// The sorted store with its filtered view.
#[derive(Debug, Default)]
pub struct Queue {
    items: Vec<QueueItem>,
    ids: HashSet<ItemId>,
    /// Rows removed by events while pages are still loading, so that a later page does not
    /// resurrect them.
    tombstones: HashSet<ItemId>,
    /// The filter, lower-cased; empty: no filter.
    filter: String,
    /// Indices into `items` matching `filter` (`None`: no filter).
    view: Option<Vec<usize>>,
    /// Pages of deliveries are still being loaded.
    pub loading: bool,
    /// Pages of duties are still being loaded.
    pub duties_loading: bool,
    /// At least one page has arrived (before that, an empty queue is "loading", not "empty").
    pub loaded_once: bool,
}

impl Queue {
    /// An empty queue whose first page is on its way.
    pub fn new_loading() -> Queue {
        Queue {
            loading: true,
            ..Queue::default()
        }
    }

    /// Rows shown (after the filter).
    pub fn len(&self) -> usize {
        self.view.as_ref().map_or(self.items.len(), Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rows held (before the filter).
    pub fn total(&self) -> usize {
        self.items.len()
    }

    /// The `i`-th row shown.
    pub fn get(&self, i: usize) -> Option<&QueueItem> {
        let idx = match &self.view {
            Some(v) => *v.get(i)?,
            None => i,
        };
        self.items.get(idx)
    }

    pub fn contains(&self, id: ItemId) -> bool {
        self.ids.contains(&id)
    }

    pub fn find_mut(&mut self, id: ItemId) -> Option<&mut QueueItem> {
        if !self.ids.contains(&id) {
            return None;
        }
        self.items.iter_mut().find(|x| x.id() == id)
    }

    pub fn find(&self, id: ItemId) -> Option<&QueueItem> {
        if !self.ids.contains(&id) {
            return None;
        }
        self.items.iter().find(|x| x.id() == id)
    }

    /// Where the row with `key` is shown, or where it would be (for keeping a selection).
    pub fn position(&self, key: SortKey) -> usize {
        let items = &self.items;
        match &self.view {
            None => items.partition_point(|x| x.key() < key),
            Some(v) => v.partition_point(|&i| items[i].key() < key),
        }
    }

    /// Inserts in order (replacing a row with the same identity) and keeps the filtered view in
    /// step without re-running the filter over every row. Appending (pages arrive in order) is
    /// a binary search and a push, so loading stays linear.
    pub fn upsert(&mut self, item: QueueItem, names: &HashMap<String, String>) {
        let id = item.id();
        if self.ids.contains(&id) {
            self.remove(item.key());
        }
        self.tombstones.remove(&id);
        self.ids.insert(id);
        let k = item.key();
        let pos = self.items.partition_point(|x| x.key() < k);
        let matches = self.view.is_some() && item.matches(names, &self.filter);
        self.items.insert(pos, item);
        if let Some(v) = &mut self.view {
            let at = v.partition_point(|&i| i < pos);
            for i in &mut v[at..] {
                *i += 1;
            }
            if matches {
                v.insert(at, pos);
            }
        }
    }

    /// Removes the row `key.1`, found by binary search on `key` (or by a scan when its
    /// deadline has changed meanwhile); keeps the view in step. False if it was not there.
    pub fn remove(&mut self, key: SortKey) -> bool {
        let id = key.1;
        if !self.ids.remove(&id) {
            return false;
        }
        let p = self.items.partition_point(|x| x.key() < key);
        let by_key = (self.items.get(p).is_some_and(|x| x.id() == id)).then_some(p);
        let Some(pos) = by_key.or_else(|| self.items.iter().position(|x| x.id() == id)) else {
            return true;
        };
        self.items.remove(pos);
        if let Some(v) = &mut self.view {
            let at = v.partition_point(|&i| i < pos);
            if v.get(at) == Some(&pos) {
                v.remove(at);
            }
            for i in &mut v[at..] {
                *i -= 1;
            }
        }
        true
    }

    /// Remembers that `id` is gone, so that [`Queue::is_tombstoned`] refuses it until
    /// [`Queue::clear_tombstones`].
    pub fn tombstone(&mut self, id: ItemId) {
        self.tombstones.insert(id);
    }

    pub fn is_tombstoned(&self, id: ItemId) -> bool {
        self.tombstones.contains(&id)
    }

    pub fn clear_tombstones(&mut self) {
        self.tombstones.clear();
    }

    /// Empties the store (a fresh load); the filter stays.
    pub fn clear(&mut self) {
        self.items.clear();
        self.ids.clear();
        if let Some(v) = &mut self.view {
            v.clear();
        }
    }

    /// Drops every row of one kind (a fresh load of that kind; the other kind's rows stay).
    pub fn clear_kind(&mut self, kind: ItemKind, names: &HashMap<String, String>) {
        self.items.retain(|x| x.id().kind != kind);
        self.ids.retain(|id| id.kind != kind);
        if self.view.is_some() {
            self.refilter(names);
        }
    }

    /// Sets the filter (any case) and rebuilds the view.
    pub fn set_filter(&mut self, filter: &str, names: &HashMap<String, String>) {
        self.filter = filter.to_lowercase();
        self.refilter(names);
    }

    /// Rebuilds the view (the department names changed, say).
    pub fn refilter(&mut self, names: &HashMap<String, String>) {
        self.view = if self.filter.is_empty() {
            None
        } else {
            Some(
                self.items
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| x.matches(names, &self.filter))
                    .map(|(i, _)| i)
                    .collect(),
            )
        };
    }

    pub fn is_filtered(&self) -> bool {
        self.view.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{DeliveryStatus, PushKind};
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 11, 26, h, 0, 0)
            .unwrap()
    }

    fn delivery(id: i64, h: u32, title: &str, dept: &str) -> QueueItem {
        QueueItem::Delivery(Box::new(Delivery {
            id,
            push_id: id,
            push_kind: PushKind::Approval,
            title: title.into(),
            counterparty_name: None,
            license_no: None,
            department: dept.into(),
            source_department: "approval".into(),
            important: false,
            escalated: false,
            received_at: at(8),
            claim_deadline: at(h),
            feedback_deadline: at(h),
            deadline_provisional: false,
            status: DeliveryStatus::Pending,
            claimed_at: None,
            claimed_by: None,
            admission: None,
        }))
    }

    fn shown(q: &Queue) -> Vec<i64> {
        (0..q.len()).map(|i| q.get(i).unwrap().id().id).collect()
    }

    fn names() -> HashMap<String, String> {
        [("market".to_string(), "市场监督管理局".to_string())].into()
    }

    #[test]
    fn keeps_rows_sorted_by_deadline_then_id() {
        let mut q = Queue::default();
        for (id, h) in [(3, 12), (1, 10), (2, 12), (4, 9)] {
            q.upsert(delivery(id, h, "x", "health"), &names());
        }
        assert_eq!(shown(&q), [4, 1, 2, 3]);
        // A changed deadline moves the row.
        q.upsert(delivery(4, 13, "x", "health"), &names());
        assert_eq!(shown(&q), [1, 2, 3, 4]);
        assert_eq!(q.total(), 4);
    }

    #[test]
    fn the_filtered_view_follows_inserts_and_removals() {
        let mut q = Queue::default();
        q.upsert(delivery(1, 10, "食品经营许可", "health"), &names());
        q.upsert(delivery(2, 11, "药品零售", "market"), &names());
        q.set_filter("市场", &names());
        assert_eq!(shown(&q), [2], "matched by the department's name");
        q.upsert(delivery(3, 9, "食品生产", "market"), &names());
        q.upsert(delivery(4, 8, "无关", "health"), &names());
        assert_eq!(shown(&q), [3, 2]);
        assert_eq!(q.total(), 4);
        assert!(q.remove((at(9), ItemId::delivery(3))));
        assert!(!q.remove((at(9), ItemId::delivery(3))), "only once");
        assert_eq!(shown(&q), [2]);
        // Found by scanning when the key's deadline is stale.
        assert!(q.remove((at(23), ItemId::delivery(2))));
        assert!(q.is_empty());
        q.set_filter("", &names());
        assert_eq!(shown(&q), [4, 1]);
    }

    #[test]
    fn position_is_where_a_key_is_or_would_be_shown() {
        let mut q = Queue::default();
        for (id, h) in [(1, 10), (2, 12), (3, 14)] {
            q.upsert(delivery(id, h, "x", "health"), &names());
        }
        assert_eq!(q.position((at(12), ItemId::delivery(2))), 1);
        assert_eq!(q.position((at(13), ItemId::delivery(9))), 2);
        q.set_filter("nothing matches", &names());
        assert_eq!(q.position((at(13), ItemId::delivery(9))), 0);
    }

    #[test]
    fn tombstones_and_clear() {
        let mut q = Queue::default();
        q.upsert(delivery(1, 10, "x", "health"), &names());
        q.tombstone(ItemId::delivery(2));
        assert!(q.is_tombstoned(ItemId::delivery(2)));
        q.upsert(delivery(2, 10, "x", "health"), &names());
        assert!(!q.is_tombstoned(ItemId::delivery(2)), "a live insert wins");
        q.clear();
        assert_eq!(q.total(), 0);
        assert!(!q.contains(ItemId::delivery(1)));
    }
}
