//! The terminal is given back intact on every way out of the app.
//!
//! Each test starts the real binary in a pseudo-terminal (the harness in
//! `support/pty.rs`), waits until the app has taken the terminal over (alternate
//! screen on, bracketed paste on, ICANON and ECHO off in the PTY's termios: the proof
//! that the checks on exit are not vacuous), then ends it one way:
//!
//! - `q`, the normal quit;
//! - Ctrl-C, which raw mode delivers as a key, not as SIGINT (exit status 130);
//! - SIGTERM and SIGHUP sent to the child's pid, which end the loop like a quit;
//! - a panic in the UI loop (`--simulate-crash ui`, on the first key press): exit status
//!   101, and the panic message lands on the main screen, after the terminal is restored;
//! - the API worker dying (`--simulate-crash worker`, on its first request): exit status
//!   1, with a message on the main screen saying the worker stopped and where the log is.
//!
//! After each, the harness's `expect_restored_with` waits for the app to exit and close
//! the PTY, then checks the exit status (an exit of the app's own, never death by a
//! signal), that the alternate screen was left, the cursor is visible, bracketed paste
//! is off, and the line discipline is cooked again (ICANON and ECHO on).
//!
//! The API is the `--demo` sandbox on loopback; the child has no `DISPLAY`. Nothing
//! sleeps for a fixed time: every wait is for a condition, with a deadline.
//!
//! Unix only: termios and signals.
#![cfg(unix)]

use crate::support::pty::{CTRL_C, ENTER, Pty, dump_text};

/// The panic messages of `--simulate-crash ui` and `worker` (src/crash.rs).
const UI_PANIC: &str = "simulated crash in the Ui";
const WORKER_PANIC: &str = "simulated crash in the Worker";

/// Starts `--demo` with `extra` arguments and waits for step 1 with the terminal taken
/// over: alternate screen, bracketed paste, raw mode.
fn start(name: &str, extra: &[&str]) -> Pty {
    let mut args = vec!["--demo"];
    args.extend_from_slice(extra);
    // No backtrace: a panic's message then fits on the screen the test reads back.
    let mut app = Pty::spawn_with_env(name, &args, 100, 30, &[("RUST_BACKTRACE", "0")]);
    app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    taken_over(&mut app);
    app
}

/// Asserts the app holds the terminal as a full-screen app does, so that finding it
/// restored later means the app restored it.
fn taken_over(app: &mut Pty) {
    app.wait_for("the alternate screen with bracketed paste on", |screen| {
        screen.alternate_screen() && screen.bracketed_paste()
    });
    app.expect_raw();
}

/// From step 1, signs in with the demo key and waits for step 2's list, where `q` is
/// not typed into a field.
fn sign_in(app: &mut Pty) {
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Office softphones"]);
    taken_over(app);
}

#[test]
fn q_quits_and_restores_the_terminal() {
    let mut app = start("restore-q", &[]);
    sign_in(&mut app);
    app.send("q");
    let printed = app.expect_restored();
    assert!(printed.contains("nothing was set up"), "the summary should follow the quit:\n{printed}");
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    // On step 1 the key field has the focus: Ctrl-C quits even while typing.
    let mut app = start("restore-ctrl-c", &[]);
    app.send(CTRL_C);
    // 130 = 128 + SIGINT, as a shell reports a command Ctrl-C interrupted.
    let printed = app.expect_restored_with(130);
    assert!(printed.contains("nothing was set up"), "the summary should follow Ctrl-C:\n{printed}");
}

#[test]
fn sigterm_restores_the_terminal() {
    let mut app = start("restore-sigterm", &[]);
    sign_in(&mut app);
    app.signal("TERM");
    let printed = app.expect_restored();
    assert!(printed.contains("nothing was set up"), "SIGTERM should end the app like a quit:\n{printed}");
}

#[test]
fn sighup_restores_the_terminal() {
    let mut app = start("restore-sighup", &[]);
    sign_in(&mut app);
    app.signal("HUP");
    let printed = app.expect_restored();
    assert!(printed.contains("nothing was set up"), "SIGHUP should end the app like a quit:\n{printed}");
}

#[test]
fn a_panic_in_the_ui_restores_the_terminal_before_the_message() {
    let mut app = start("restore-ui-panic", &["--simulate-crash", "ui"]);
    app.send("x");
    let printed = app.expect_restored_with(101);
    // `printed` is what came after the last exit from the alternate screen: the message
    // was written to the main screen, where it stays.
    assert!(
        printed.contains(UI_PANIC),
        "the panic message should be printed after the alternate screen is left:\n{printed}"
    );
    let screen = app.contents();
    assert!(
        screen.contains(UI_PANIC),
        "the panic message should be on the screen after exit\n{}",
        dump_text(&screen)
    );
    let log = std::fs::read_to_string(app.log_file()).unwrap_or_default();
    assert!(log.contains(UI_PANIC), "the panic should be in the log too:\n{}", app.log_tail());
}

#[test]
fn a_dead_worker_restores_the_terminal_and_says_where_the_log_is() {
    let mut app = start("restore-worker", &["--simulate-crash", "worker"]);
    // Enter signs in: the worker's first request, where it dies.
    app.send(ENTER);
    let printed = app.expect_restored_with(1);
    let log = app.log_file().display().to_string();
    for expected in ["the API worker stopped", &format!("The log is at {log}")] {
        assert!(printed.contains(expected), "the app should print {expected:?} on exit:\n{printed}");
    }
    let screen = app.contents();
    assert!(
        screen.contains("the API worker stopped"),
        "the message should stay on the screen after exit\n{}",
        dump_text(&screen)
    );
    // The worker's panic went to the log the message points to, not to the alternate
    // screen, where it would have been lost.
    let log = std::fs::read_to_string(app.log_file()).unwrap_or_default();
    assert!(log.contains(WORKER_PANIC), "the log should hold the worker's panic:\n{}", app.log_tail());
}
