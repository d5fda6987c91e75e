//! Black-box tests of the central server: real HTTP, real SQLite file, real PostgreSQL.

mod common;

mod audit_chain;
mod audit_cli;
mod auth;
mod backup;
mod bulletin_exports;
mod bulletins;
mod calendar_lifecycle;
mod claims;
mod cli;
mod config_file;
mod contract;
mod disputes;
mod draws;
mod duties;
mod events;
mod experts;
mod harness;
mod idle;
mod joint_duties;
mod joint_events;
mod joint_reports;
mod ledger;
mod ledger_annotations;
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
