//! Test support shared by the server tests (`tests/server`), the console tests, the console
//! end-to-end test and the benchmarks — one copy of each fixture.
//!
//! Included by path, not a crate feature, so nothing here ships in the library:
//! `#[path = "support/mod.rs"] mod support;` from `tests/*.rs`,
//! `#[path = "../support/mod.rs"]` from `tests/server/common.rs`, and
//! `#[path = "../tests/support/mod.rs"]` from `benches/*.rs`.
//!
//! - [`fixtures`]: the test password, accounts, departments, an approval push, raw HTTP.
//! - [`server`]: a real server on port 0 over a fresh SQLite file or PostgreSQL schema, cleaned
//!   up when dropped; `TEST_LOG=1` shows its tracing.
//! - [`console`]: the console's fixed county (deliveries, disputes, statistics) and drawing
//!   helpers.

// Each test crate uses a different part of this module.
#![allow(dead_code, unused_imports)]

pub mod console;
pub mod fixtures;
pub mod server;
