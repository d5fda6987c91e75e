//! Black-box tests of the central server: real HTTP, real SQLite file, real PostgreSQL.

mod common;

mod auth;
mod backup;
mod claims;
mod cli;
mod config_file;
mod disputes;
mod events;
mod ledger;
mod pushes;
mod reliability;
mod reports;
mod visibility;
mod wall_date;
