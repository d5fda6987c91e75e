//! Black-box tests of the central server: real HTTP, real SQLite file, real PostgreSQL.

mod common;

mod auth;
mod backup;
mod calendar_lifecycle;
mod claims;
mod cli;
mod config_file;
mod contract;
mod disputes;
mod draws;
mod events;
mod experts;
mod harness;
mod idle;
mod ledger;
mod lockout;
mod openapi_doc;
mod pg_tls;
mod protocol;
mod pushes;
mod reliability;
mod reports;
mod tls;
mod tls_support;
mod visibility;
mod wall_date;
