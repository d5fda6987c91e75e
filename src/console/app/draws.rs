//! Drawn experts in the 联合踏勘 pane: a `draw.made` event names the experts of its event's
//! row (the joint-work part keeps them when the event itself changes).

use super::App;
use crate::api::Draw;

impl App {
    pub(super) fn on_draw_made(&mut self, d: &Draw) {
        if let Some(row) = self.inspections.iter_mut().find(|i| i.id == d.event_id) {
            row.experts = d.drawn.iter().map(|x| x.name.clone()).collect();
        }
    }
}
