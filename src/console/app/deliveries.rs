//! The queue's glue: pages of deliveries, live upserts and removals, and keeping the selection
//! on the same row while the queue changes under it.

use super::App;
use crate::api::{Delivery, DeliveryStatus};
use crate::console::action::{Effect, Outcome};
use crate::console::model::Pane;
use crate::console::queue::{ItemId, ItemKind, QueueItem, SortKey};

impl App {
    pub(super) fn selected_key(&self) -> Option<SortKey> {
        self.queue
            .get(self.pane(Pane::Unclaimed).list.selected)
            .map(QueueItem::key)
    }

    /// After the queue changed: keep the same row selected (or its neighbour if it left).
    pub(super) fn reselect_queue(&mut self, key: Option<SortKey>) {
        let len = self.queue.len();
        let pos = key.map(|k| self.queue.position(k));
        let l = &mut self.pane_mut(Pane::Unclaimed).list;
        if let Some(p) = pos {
            l.selected = p;
        }
        l.clamp(len);
    }

    pub(super) fn upsert_delivery(&mut self, d: Delivery) {
        let key = self.selected_key();
        self.queue
            .upsert(QueueItem::Delivery(Box::new(d)), &self.department_names);
        self.reselect_queue(key);
    }

    pub(super) fn remove_delivery(&mut self, key: SortKey) {
        if self.queue.loading {
            self.queue.tombstone(key.1);
        }
        let sel = self.selected_key();
        if self.queue.remove(key) {
            self.reselect_queue(sel);
        }
    }

    pub(super) fn on_deliveries(
        &mut self,
        page: Outcome<crate::api::Page<Delivery>>,
        first: bool,
    ) -> Option<Effect> {
        let page = match page {
            Ok(p) => p,
            Err(e) => {
                self.queue.loading = false;
                return self.request_failed(e, true);
            }
        };
        let key = self.selected_key();
        if first {
            // A fresh load replaces the list; events that arrive meanwhile still apply on top.
            self.queue
                .clear_kind(ItemKind::Delivery, &self.department_names);
        }
        for d in page.items {
            let id = ItemId::delivery(d.id);
            if d.status != DeliveryStatus::Pending
                || self.queue.is_tombstoned(id)
                || self.queue.contains(id)
            {
                continue;
            }
            self.queue
                .upsert(QueueItem::Delivery(Box::new(d)), &self.department_names);
        }
        self.queue.loaded_once = true;
        let next = page.next_cursor;
        self.queue.loading = next.is_some();
        if !self.queue.loading && !self.queue.duties_loading {
            self.queue.clear_tombstones();
        }
        self.reselect_queue(key);
        next.map(|c| Effect::LoadDeliveries { cursor: Some(c) })
    }
}
