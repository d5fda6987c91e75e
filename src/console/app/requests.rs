//! Answers to the requests made for the user: a text box's request closes it or keeps the
//! text; a refusal is shown in the status line; a refused token stops the console.

use super::App;
use crate::console::action::{Effect, Outcome, RequestError};
use crate::console::i18n::fill;
use crate::console::model::{Mode, Purpose, StatusKind};
use crate::console::queue::{ItemId, QueueItem};

impl App {
    pub(super) fn on_escalated(
        &mut self,
        delivery_id: i64,
        result: Outcome<crate::api::Escalation>,
    ) -> Option<Effect> {
        let from_box = match &self.mode {
            Mode::TextBox(tb) => match &tb.purpose {
                Purpose::Escalate {
                    delivery_id: d,
                    title,
                } if *d == delivery_id => Some(title.clone()),
                _ => None,
            },
            _ => None,
        };
        let id = ItemId::delivery(delivery_id);
        let title = from_box
            .or_else(|| {
                let d = self.queue.find(id).and_then(QueueItem::as_delivery)?;
                Some(d.title.clone())
            })
            .unwrap_or_else(|| format!("#{delivery_id}"));
        if result.is_ok()
            && let Some(QueueItem::Delivery(d)) = self.queue.find_mut(id)
        {
            d.escalated = true;
        }
        let result = result.map(|_| fill(self.s().st_escalated, &[&title]));
        self.on_text_result(
            |p| matches!(p, Purpose::Escalate { delivery_id: d, .. } if *d == delivery_id),
            result,
        )
    }

    /// The answer to a text box's request: close it on success, keep the text on refusal.
    pub(super) fn on_text_result(
        &mut self,
        is_this: impl Fn(&Purpose) -> bool,
        result: Outcome<String>,
    ) -> Option<Effect> {
        let open = matches!(&self.mode, Mode::TextBox(tb) if is_this(&tb.purpose));
        match result {
            Ok(msg) => {
                if open {
                    self.mode = Mode::Normal;
                }
                self.set_status(msg, StatusKind::Ok);
                None
            }
            Err(e) => {
                if let Mode::TextBox(tb) = &mut self.mode
                    && open
                {
                    tb.sending = false;
                }
                self.request_failed(e, false)
            }
        }
    }

    pub(super) fn request_failed(&mut self, e: RequestError, loading: bool) -> Option<Effect> {
        match e {
            RequestError::Unauthorized | RequestError::SessionIdle => {
                self.fatal = Some(if e == RequestError::SessionIdle {
                    self.s().session_idle.into()
                } else {
                    self.s().unauthorized.into()
                });
                self.quit = true;
                Some(Effect::Quit)
            }
            RequestError::Failed(m) => {
                let t = if loading {
                    self.s().st_load_failed
                } else {
                    self.s().st_refused
                };
                self.set_status(fill(t, &[&m]), StatusKind::Error);
                None
            }
        }
    }
}
