//! shenguan (审管): the county approval–supervision interaction platform (审批监管互动平台).
//!
//! Module map (the walls between the parts and the path of one push are in
//! `docs/ARCHITECTURE.md`): `api` wire types shared by everyone; `domain` pure rules;
//! `db` storage adapters; `server` the HTTP API; `jobs` the sweeper; `events` the durable
//! event log and fan-out; `client` the typed HTTP client; `console` the operations console.

pub mod admin;
pub mod api;
pub mod backup;
/// The monthly bulletin's ranking, rules and exports (pure; issue 13).
pub mod bulletin;
pub mod cli;
pub mod client;
pub mod config_file;
pub mod console;
pub mod db;
pub mod demo;
pub mod domain;
pub mod events;
pub mod generate;
pub mod jobs;
pub mod server;
pub mod tls;
