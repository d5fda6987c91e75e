//! Server events applied to the parts directly (no refetch), and the stream's connection state.

use super::App;
use crate::api::{
    Delivery, DeliveryStatus, Department, Dispute, DisputeStatus, Event, event_types,
};
use crate::client::StreamItem;
use crate::console::action::{Effect, RequestError};
use crate::console::i18n::fill;
use crate::console::model::{Connection, StatusKind};
use crate::console::queue::ItemId;

impl App {
    pub(super) fn on_stream(&mut self, item: StreamItem) -> Option<Effect> {
        match item {
            StreamItem::Connected => {
                let was_down = matches!(self.connection, Connection::Reconnecting { .. });
                self.connection = Connection::Live;
                if !was_down {
                    return None;
                }
                self.set_status(self.s().st_reconnected.into(), StatusKind::Ok);
                if self.last_event_id.is_none() {
                    // No event seen yet, so the stream could not resume from an id: reload
                    // the lists instead, so nothing that happened while down is missed.
                    return Some(self.reload());
                }
                None
            }
            StreamItem::Reconnecting { after, reason } => {
                self.connection = Connection::Reconnecting {
                    after_secs: after.as_secs_f64().ceil() as u64,
                    reason,
                };
                None
            }
            StreamItem::Unauthorized => self.request_failed(RequestError::Unauthorized, false),
            StreamItem::SessionIdle => self.request_failed(RequestError::SessionIdle, false),
            StreamItem::Reset { newest } => {
                // The server's history is not the one this console followed (e.g. a restored
                // backup): drop what was applied and reload; later events follow `newest`.
                self.last_event_id = Some(newest);
                Some(self.reload())
            }
            StreamItem::Event(e) => {
                self.apply_event(e);
                None
            }
        }
    }

    /// Applies one server event to the lists directly (no refetch). Events at or below the last
    /// applied id are ignored: nothing is applied twice, even if a stream replays.
    fn apply_event(&mut self, e: Event) {
        if self.last_event_id.is_some_and(|last| e.id <= last) {
            return;
        }
        self.last_event_id = Some(e.id);
        if self.apply_duty_event(&e) {
            return;
        }
        let s = self.s();
        match e.kind.as_str() {
            event_types::DELIVERY_CREATED
            | event_types::DELIVERY_REMINDER
            | event_types::DELIVERY_ESCALATED
            | event_types::DELIVERY_DEADLINE_CHANGED => {
                // A moved deadline moves the row: drop it from its old place first.
                if let Ok(c) =
                    serde_json::from_value::<crate::api::DeliveryDeadlineChanged>(e.data.clone())
                {
                    self.remove_delivery((
                        c.previous.claim_deadline,
                        ItemId::delivery(c.delivery.id),
                    ));
                }
                let Ok(d) = serde_json::from_value::<Delivery>(e.data) else {
                    return;
                };
                if e.kind == event_types::DELIVERY_CREATED {
                    self.monthly.mark_stale();
                }
                if d.status == DeliveryStatus::Pending && self.may_see(&d) {
                    if e.kind == event_types::DELIVERY_CREATED
                        && !self.queue.contains(ItemId::delivery(d.id))
                    {
                        self.set_status(fill(s.st_new_delivery, &[&d.title]), StatusKind::Info);
                    }
                    self.upsert_delivery(d);
                } else {
                    self.remove_delivery((d.claim_deadline, ItemId::delivery(d.id)));
                }
            }
            event_types::DELIVERY_CLAIMED | event_types::DELIVERY_AUTO_CLAIMED => {
                let Ok(d) = serde_json::from_value::<Delivery>(e.data) else {
                    return;
                };
                self.monthly.mark_stale();
                let shown = self.queue.contains(ItemId::delivery(d.id));
                self.remove_delivery((d.claim_deadline, ItemId::delivery(d.id)));
                if shown && !self.claiming.contains(&d.id) {
                    let msg = match (&d.claimed_by, e.kind.as_str()) {
                        (Some(who), event_types::DELIVERY_CLAIMED)
                            if Some(who.as_str()) != self.my_username() =>
                        {
                            Some(fill(s.st_claimed_by, &[&d.title, who]))
                        }
                        (_, event_types::DELIVERY_AUTO_CLAIMED) => {
                            Some(fill(s.st_auto_claimed, &[&d.title]))
                        }
                        _ => None,
                    };
                    if let Some(m) = msg {
                        self.set_status(m, StatusKind::Info);
                    }
                }
            }
            event_types::DEPARTMENT_CREATED => {
                if let Ok(d) = serde_json::from_value::<Department>(e.data) {
                    self.department_names.insert(d.code, d.name);
                    self.department_names_changed();
                }
            }
            event_types::DISPUTE_OPENED
            | event_types::DISPUTE_REPLIED
            | event_types::DISPUTE_RESOLVED
            | event_types::DISPUTE_DEADLINE_CHANGED => {
                let Ok(d) = serde_json::from_value::<Dispute>(e.data) else {
                    return;
                };
                if e.kind == event_types::DISPUTE_OPENED {
                    self.monthly.mark_stale();
                }
                let known = self.disputes.contains(d.id);
                let text = match e.kind.as_str() {
                    event_types::DISPUTE_OPENED if !known => Some(s.st_dispute_opened),
                    event_types::DISPUTE_REPLIED => Some(s.st_dispute_replied),
                    _ => None,
                };
                // Our own question or reply is confirmed by its request; no second message.
                let mine = d
                    .messages
                    .last()
                    .is_some_and(|m| Some(m.author.as_str()) == self.my_username());
                if let Some(t) = text
                    && d.status == DisputeStatus::Open
                    && !mine
                {
                    self.set_status(fill(t, &[&d.subject]), StatusKind::Info);
                }
                self.upsert_dispute(d);
            }
            _ => {}
        }
    }

    fn may_see(&self, d: &Delivery) -> bool {
        match &self.me {
            Some(me) if !me.role.sees_all() => {
                me.department.as_deref() == Some(d.department.as_str())
            }
            _ => true,
        }
    }
}
