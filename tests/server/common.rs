//! The server tests' harness: the shared test support (`tests/support`, one copy for the
//! server tests, the console tests and the benchmarks) and the macro that runs each test on
//! both databases.

#![allow(dead_code, unused_imports)]

#[path = "../support/mod.rs"]
mod support;

pub use support::fixtures::*;
pub use support::server::*;

/// Run each named `async fn(Backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await
                }
            }
        )*
    };
}
