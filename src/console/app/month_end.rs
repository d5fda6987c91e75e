//! The month-end screen's answers: the issued bulletin and the live draft of the shown month,
//! the 12-month trend, issuing and exporting.

use super::App;
use crate::api::{Bulletin, BulletinIssued, MonthlyStats};
use crate::console::action::{Effect, Outcome};
use crate::console::i18n::fill;
use crate::console::model::{Pane, StatusKind};

impl App {
    pub(super) fn on_bulletins(
        &mut self,
        month: String,
        issued: Outcome<Option<Box<Bulletin>>>,
        live: Outcome<Box<Bulletin>>,
    ) -> Option<Effect> {
        if month != self.month_str() {
            return None; // an answer for a month no longer shown
        }
        match (issued, live) {
            (Ok(issued), Ok(live)) => {
                self.monthly.issued = issued;
                self.monthly.live = Some(live);
                let len = self.pane_len(Pane::Monthly);
                self.pane_mut(Pane::Monthly).list.clamp(len);
                None
            }
            (Err(e), _) | (_, Err(e)) => self.request_failed(e, true),
        }
    }

    pub(super) fn on_trend(
        &mut self,
        month: String,
        months: Outcome<Vec<MonthlyStats>>,
    ) -> Option<Effect> {
        if month != self.month_str() {
            return None;
        }
        match months {
            Ok(m) => {
                self.monthly.trend_loaded(m);
                None
            }
            Err(e) => self.request_failed(e, true),
        }
    }

    pub(super) fn on_issued(&mut self, result: Outcome<BulletinIssued>) -> Option<Effect> {
        match result {
            Ok(b) => {
                let s = self.s();
                let v = b.version.to_string();
                self.set_status(fill(s.month_end.st_issued, &[&b.month, &v]), StatusKind::Ok);
                // Show what was issued.
                self.monthly.show_live = false;
                (b.month == self.month_str()).then(|| self.monthly.load())
            }
            Err(e) => self.request_failed(e, false),
        }
    }

    pub(super) fn on_exported(&mut self, result: Outcome<String>) -> Option<Effect> {
        match result {
            Ok(path) => {
                let text = fill(self.s().month_end.st_exported, &[&path]);
                self.set_status(text, StatusKind::Ok);
                None
            }
            Err(e) => self.request_failed(e, false),
        }
    }

    /// The signed-in department's code (staff), to highlight its line.
    pub fn my_department(&self) -> Option<&str> {
        let me = self.me.as_ref()?;
        if me.role.sees_all() {
            return None;
        }
        me.department.as_deref()
    }
}
