//! Every integration test of telnyx-setup, in one test binary (`it`): one module per
//! area below, and the helpers they share in [`support`]. One binary is one link per
//! build instead of one per test file.
//!
//! Its tests run as threads of one process, so none may change what the process
//! shares: environment variables, the current directory, a global subscriber or panic
//! hook. What a child process needs is set on that child (`Command::env`), and every
//! temporary file or directory has a name of its own.
//!
//! `cargo test --test it` runs the binary; `cargo test --test it pty::` runs the tests
//! whose path contains `pty::`: the `pty` module (and, as filters are substrings,
//! `faults_pty` and `inspector_pty`); a whole test name runs one test.

mod support;

mod account_names;
mod accounts;
mod back_and_forth;
mod big_accounts;
mod bindings;
mod broken_pipe;
mod call_test;
mod call_test_wizard;
mod calls;
mod cli;
mod client;
mod contract;
mod curl_panel;
mod docs;
mod doctor;
mod doctor_all;
mod doctor_causes;
mod faults_pty;
mod flow;
mod fuzz_responses;
mod help;
mod hostile_api;
mod hostile_text;
mod inspect_target;
mod inspector_pty;
mod inspector_readonly;
mod journal;
mod json_errors;
mod key_files;
mod layout;
mod log_file;
mod login_test;
mod login_test_pty;
mod names;
mod newcomer;
mod newcomer_again;
mod numbers_named;
mod plan_parity;
mod propagation;
mod properties;
mod pty;
mod recognise;
mod remember_key;
mod request_id;
mod rerun;
mod rerun_properties;
mod retries;
mod sandbox_examples;
mod sandbox_faults;
mod sandbox_limits;
mod sandbox_telnyx;
mod secrets;
mod security;
mod setup;
mod setup_apply;
mod setup_model;
mod signaling;
mod snapshots;
mod stun;
mod terminal_restore;
mod token;
mod transport;
mod tty;
mod update;
mod update_inspector;
mod update_purchase;
mod update_resume;
mod update_search;
mod update_summary;
mod webrtc_browser;
mod webrtc_sdk;
mod x11_clipboard;
