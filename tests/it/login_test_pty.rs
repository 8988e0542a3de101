//! `t` on the token screen, in the real binary in a pseudo-terminal (the harness of
//! `tests/it/pty.rs`): against the signaling of a standalone sandbox given as
//! `--api-base` with no `--signaling-url`, against the embedded sandbox of `--demo` with no URL given, and
//! against a server that never answers, where Esc cancels the test; then the call test
//! it offers, placed through the sandbox's echo between two temporary logins.
//!
//! Every wait is for what the screen shows, with a deadline.
#![cfg(unix)]

use crate::support::client;
use crate::support::pty::{
    ENTER, Pty, credential_and_token, enter_through_steps_one_to_five_from, start_sandbox, wizard_at_token,
};
use telnyx_setup::api::PageRequest;
use telnyx_setup::sandbox::Seed;

#[test]
fn t_logs_in_with_the_token_and_the_summary_says_so() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let (base_url, signaling) = (sandbox.base_url(), sandbox.signaling_url());
    // No --signaling-url: an API base on this machine is a sandbox, with its own /rtc.
    let mut app = wizard_at_token("login-test", &base_url, "KEYpty", "");
    app.wait_idle_with(&["t tests the login now", "t test login"]);
    app.send("t");
    let shown = app.wait_idle_with(&["✓ Login test: Logged in to", &signaling]);
    assert!(shown.contains(" ms."), "the time it took:\n{shown}");
    // It logged in and left: the connection registered, and is unregistered again.
    let api = client(&base_url, "KEYpty");
    let connection = runtime.block_on(api.list_credential_connections(PageRequest::first(10), None)).unwrap();
    let id = &connection.data[0].id;
    let status = runtime.block_on(api.check_registration_status(id)).unwrap();
    assert_eq!(status.status, "Unregistered", "{status:?}");

    // The call test is offered; n declines it.
    app.wait_idle_with(&["Place a test call?", "y place test call"]);
    app.send("n");
    app.wait_idle_with(&["No call was placed", "t test login"]);
    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "✓ Your WebRTC client can log in"]);
    app.send("q");
    let printed = app.expect_restored();
    assert!(printed.contains("Login test        passed: Logged in to"), "{printed}");
    drop(sandbox);
}

#[test]
fn t_then_y_places_a_test_call_and_the_summary_says_log_in_and_call() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let mut app = wizard_at_token("call-test", &base_url, "KEYpty", "");
    app.send("t");
    app.wait_idle_with(&["✓ Login test: Logged in to", "Place a test call?", "y place test call"]);
    app.send("y");
    let shown = app.wait_idle_with(&["✓ Call test: Answered in", "ICE pair host to host"]);
    assert!(shown.contains("codec PCMU/8000"), "{shown}");
    // The two temporary credentials are gone again; the wizard's own one stays.
    let api = client(&base_url, "KEYpty");
    let connection = runtime.block_on(api.list_credential_connections(PageRequest::first(10), None)).unwrap();
    let id = &connection.data[0].id;
    let filter = telnyx_setup::api::TelephonyCredentialFilter {
        resource_id: Some(format!("connection:{id}")),
        tag: None,
    };
    let credentials =
        runtime.block_on(api.list_telephony_credentials(PageRequest::first(10), &filter)).unwrap();
    assert_eq!(credentials.data.len(), 1, "{:?}", credentials.data);
    assert_ne!(credentials.data[0].tag.as_deref(), Some(telnyx_setup::calltest::TEMPORARY_TAG));

    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "✓ Your WebRTC client can log in and call: Answered in"]);
    app.send("q");
    let printed = app.expect_restored();
    assert!(printed.contains("Call test         passed: Answered in"), "{printed}");
    drop(sandbox);
}

#[test]
fn under_demo_t_logs_in_to_the_embedded_sandbox() {
    let mut app = Pty::spawn("login-test-demo", &["--demo"], 100, 30);
    enter_through_steps_one_to_five_from(&mut app, "Demo mode");
    credential_and_token(&mut app, "s");
    app.send("t");
    app.wait_idle_with(&["✓ Login test: Logged in to ws://127.0.0.1:", "/rtc"]);
    app.send("q");
    let printed = app.expect_restored();
    assert!(printed.contains("Login test        passed"), "{printed}");
}

#[test]
fn esc_cancels_a_login_test_that_hangs() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    // Accepts connections and never answers: the WebSocket handshake hangs.
    let silent = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let signaling = format!("ws://{}/rtc", silent.local_addr().unwrap());
    let mut app = wizard_at_token("login-test-cancel", &sandbox.base_url(), "KEYpty", &signaling);
    app.send("t");
    app.wait_for_text(&["Testing the login", "(Esc cancels)"]);
    app.send("\x1b");
    app.wait_idle_with(&["Cancelled: Testing the login. Press t to test the login again", "t test login"]);
    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "The login was not tested"]);
    app.send("q");
    let printed = app.expect_restored();
    assert!(printed.contains("Login test        not run"), "{printed}");
    drop(silent);
    drop(sandbox);
}
