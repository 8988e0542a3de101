//! telnyx-setup: a terminal wizard that takes a Telnyx API key to a working WebRTC
//! login, through the Telnyx API v2.
//!
//! The library holds everything so the tests reach it; `main.rs` only parses arguments
//! ([`cli::Cli`]) and hands over to a subcommand's `run` or to [`wizard::run`]. See
//! ARCHITECTURE notes in each module.

pub mod accounts;
pub mod api;
pub mod app;
pub mod calltest;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod countries;
pub mod crash;
pub mod curl;
pub mod doctor;
pub mod journal;
pub mod matcher;
pub mod media;
pub mod money;
pub mod msg;
pub mod output;
pub mod phone;
pub mod sandbox;
pub mod sanitize;
pub mod secret;
pub mod setup;
pub mod signaling;
pub mod state;
pub mod summary;
pub mod target;
pub mod tty;
pub mod ui;
pub mod wizard;
pub mod worker;
