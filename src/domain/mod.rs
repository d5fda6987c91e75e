//! Pure rules: no I/O, no wall clock. Everything here is a function of its arguments.

pub mod admission;
pub mod calendar;
pub mod clock;
pub mod draw;
pub mod ids;
pub mod joint;
pub mod policy;
pub mod principal;
pub mod reminders;
pub mod validate;

pub use calendar::{Calendar, Deadline};
pub use clock::{
    Clock, ManualClock, OffsetClock, SystemClock, cst, from_millis, millis, to_cst, to_millis,
};
pub use policy::{Action, Audience};
pub use principal::Principal;
