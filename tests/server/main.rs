//! Black-box tests of the central server: real HTTP, real SQLite file, real PostgreSQL.

mod common;

mod auth;
mod claims;
mod cli;
mod disputes;
mod events;
mod pushes;
mod reliability;
mod reports;
mod wall_date;
