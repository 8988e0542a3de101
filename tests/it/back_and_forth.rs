//! Going back and forth through the wizard (issue 20): a screen returned to shows what
//! the account has now and what this setup already chose, and Enter on a choice that
//! is unchanged sends no write. The real binary in a PTY against the sandbox.
#![cfg(unix)]

use crate::support::pty::{DOWN, ENTER, Pty, start_sandbox};
use telnyx_setup::sandbox::{Sandbox, Seed};

const ESC: &str = "\x1b";

/// The writes the sandbox has answered (or held).
fn writes(sandbox: &Sandbox) -> Vec<String> {
    sandbox.journal().iter().filter(|e| !e.is_read()).map(|e| format!("{} {}", e.method, e.path)).collect()
}

/// The highlighted row of a list: the screen's line with `▶`.
fn highlighted(screen: &str) -> String {
    screen.lines().find(|line| line.contains('▶')).unwrap_or_default().to_owned()
}

/// Case 1: after an existing profile is attached, Esc back to the codecs and Enter:
/// the profile list highlights the attached profile, and Enter on it sends nothing
/// (before, it offered "+ Create a new" and made a second profile and moved the
/// connection, without asking).
#[test]
fn back_to_the_codecs_and_on_keeps_the_attached_profile() {
    let (_runtime, sandbox) = start_sandbox(&Seed::default());
    let mut app =
        Pty::spawn("back-codecs", &["--api-base", &sandbox.base_url(), "--api-key", "KEYback"], 100, 32);
    app.wait_idle_with(&["Step 1 of 8: Sign in"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "▶ + Create a new credential connection"]);
    app.send(ENTER);
    app.wait_idle_with(&["┌ SIP user name ", "Enter create"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 4 of 8: Voice profile", "+ Create a new outbound voice profile"]);
    app.send(DOWN);
    app.wait_for("a profile highlighted", |screen| !highlighted(&screen.contents()).contains("+ Create"));
    let chosen = highlighted(&app.contents());
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8"]);
    let made = writes(&sandbox);

    for back_to in ["Step 5 of 8", "Step 4 of 8", "Step 3 of 8: Codecs"] {
        app.send(ESC);
        app.wait_idle_with(&[back_to]);
    }
    app.send(ENTER);
    let profiles = app.wait_idle_with(&["Step 4 of 8: Voice profile", "attached"]);
    let row = highlighted(&profiles);
    assert!(row.contains("attached"), "the attached profile is highlighted, not {row:?}:\n{profiles}");
    let name = |row: &str| row.split_whitespace().nth(1).unwrap_or_default().to_owned();
    assert_eq!(name(&row), name(&chosen), "the profile chosen before:\n{profiles}");
    app.send(ENTER);
    app.wait_idle_with(&["Step 5 of 8: Countries"]);
    assert_eq!(writes(&sandbox), made, "Enter on what is unchanged sends nothing");
}
