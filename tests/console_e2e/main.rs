//! End to end: a real server (port 0, fresh SQLite), the real console in a real pseudo-terminal
//! (tmux), driven by keys. A push made through the API appears on screen without a key press,
//! `c` claims it, and the server records the claim by that user.
//!
//! The console is the real `shenguan console` binary (`CARGO_BIN_EXE_shenguan`), started in a
//! tmux pane of its own; `TEST_LOG=1` shows the server's tracing.
//!
//! By subject: [`claims`] (a push appears and is claimed, at 120×40 and at 80×24), [`letters`]
//! (the bureau claims a licence-action letter and decides it) and
//! [`lifecycle`] (a server restart, refusing to start, a panic); the harness in [`harness`],
//! the shared fixtures in `tests/support`.

#[path = "../support/mod.rs"]
mod support;

mod claims;
mod harness;
mod letters;
mod lifecycle;
