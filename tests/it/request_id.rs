//! Telnyx's `x-request-id` (what its support asks for) in every error: the sandbox
//! sends one with every answer as Telnyx does, the client keeps it with the error, and
//! the command line's messages, `status --json` and the TUI's error lines show it.

use crate::support::state::{fail, press, rejected_key, screen_text, state_with};
use crate::support::{BIN, client, log_path};
use crossterm::event::KeyCode;
use std::process::{Command, Stdio};
use telnyx_setup::sandbox::{Sandbox, Seed};
use telnyx_setup::state::KeySource;

/// A UUID, as Telnyx's request ids are.
fn is_uuid(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandboxs_answers_carry_an_x_request_id_and_the_error_keeps_it() {
    let sandbox = Sandbox::start_local(&Seed::default()).await.unwrap();
    let refused = client(&sandbox.base_url(), "NOT_A_KEY").balance().await.unwrap_err();
    let id = refused.request_id().expect("a 401 of the sandbox has an x-request-id").to_owned();
    assert!(is_uuid(&id), "{id}");
    assert!(refused.to_string().ends_with(&format!("(x-request-id: {id})")), "{refused}");

    let missing = client(&sandbox.base_url(), "KEY_OK")
        .telephony_credential("00000000-0000-4000-8000-000000000000")
        .await
        .unwrap_err();
    let other = missing.request_id().expect("a 404 has one too");
    assert!(is_uuid(other) && other != id, "one per request: {other} after {id}");
}

#[test]
fn the_command_lines_messages_show_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(Sandbox::start_local(&Seed::default())).unwrap();
    let log = log_path("request-id");
    let output = Command::new(BIN)
        .args([
            "--api-base",
            &sandbox.base_url(),
            "token",
            "--credential",
            "00000000-0000-4000-8000-000000000000",
        ])
        .env("TELNYX_API_KEY", "KEY_OK")
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_PROFILE")
        .env_remove("TELNYX_API_BASE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&log);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    let id = said.split("(x-request-id: ").nth(1).and_then(|rest| rest.split(')').next());
    assert!(id.is_some_and(is_uuid), "the message names the request: {said}");
}

#[test]
fn the_tuis_error_line_shows_it() {
    let mut state = state_with(Some("KEY_BAD"), KeySource::Env);
    press(&mut state, KeyCode::Enter);
    fail(&mut state, rejected_key().with_request_id(Some("3f1c2a9e-0000-4000-8000-00000000abcd".into())));
    let screen = screen_text(&state, 100, 30);
    assert!(screen.contains("x-request-id: 3f1c2a9e-0000-4000-8000-00000000abcd"), "{screen}");
}
