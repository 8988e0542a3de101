//! The UI draws on the controlling terminal, stdout carries only the summary, and
//! without a terminal the wizard says what to run instead.
//!
//! - With stdout redirected to a file (`telnyx-setup ... > summary.txt`, through
//!   `sh`, in a pseudo-terminal), the whole wizard runs on the PTY, the OSC 52 copy of
//!   the token reaches the PTY too, and the file holds the summary and nothing else:
//!   no escape sequence, no screen.
//! - With no controlling terminal at all (a new session, stdin and stdout not
//!   terminals), the wizard and the inspector exit 2 at once, name the commands that
//!   need no terminal, and print nothing on stdout.
#![cfg(unix)]

use crate::support::pty::{
    CTRL_C, ENTER, Pty, credential_and_token, dump_text, enter_through_steps_one_to_five, start_sandbox,
};
use crate::support::{BIN, TempPath, client, log_path};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use telnyx_setup::api::PageRequest;
use telnyx_setup::sandbox::Seed;

/// The summary's last line without `--print-secrets` (src/summary.rs).
const SUMMARY_END: &str = "(Secrets are not printed; run with --print-secrets to include them.)\n";

#[test]
fn with_stdout_redirected_the_wizard_draws_on_the_terminal_and_the_file_gets_the_summary() {
    let (runtime, sandbox) = start_sandbox(&Seed::empty());
    let base_url = sandbox.base_url();
    let summary = TempPath::new("summary");
    let mut app = Pty::spawn_with_stdout(
        "redirected",
        &["--api-base", &base_url, "--api-key", "KEYpty"],
        100,
        30,
        &summary.0,
    );
    // The screens are on the terminal although stdout is a file.
    enter_through_steps_one_to_five(&mut app);
    app.expect_raw();
    credential_and_token(&mut app, "s");
    app.send("y");
    app.wait_for_text(&["Sent to your terminal's clipboard (OSC 52"]);
    assert_eq!(app.osc52_copies().len(), 1, "the OSC 52 copy should reach the terminal, not stdout");
    app.send(ENTER);
    app.wait_idle_with(&["Setup complete", "Enter or q to quit"]);
    app.send("q");
    let after = app.expect_restored();

    let connection = runtime
        .block_on(client(&base_url, "KEYpty").list_credential_connections(PageRequest::first(250), None))
        .expect("list credential connections")
        .data
        .pop()
        .expect("the wizard created a connection");
    let bytes = std::fs::read(&summary.0).expect("the redirected stdout exists");
    let text = String::from_utf8(bytes).expect("the summary is UTF-8");
    assert!(!text.contains('\x1b'), "stdout should hold no escape sequence:\n{}", text.replace('\x1b', "␛"));
    assert!(
        text.starts_with("Connection ") && text.contains(&format!("(id {})", connection.id)),
        "stdout should start with the summary, naming connection {}:\n{text}",
        connection.id
    );
    assert!(text.ends_with(SUMMARY_END), "stdout should end with the summary's last line:\n{text}");
    assert!(
        !after.contains("Connection ") && !after.contains(&connection.id),
        "the summary should not be drawn on the terminal when stdout is a file:\n{after}\n{}",
        dump_text(&app.contents())
    );
    drop(sandbox);
}

/// `command` in a session of its own (setsid), so it has no controlling terminal,
/// with stdin from /dev/null and stdout and stderr captured.
fn without_a_terminal(args: &[&str]) -> std::process::Output {
    let log = log_path("no-tty");
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setsid is async-signal-safe, and nothing else runs between fork and exec.
    unsafe {
        command.pre_exec(|| if libc::setsid() == -1 { Err(std::io::Error::last_os_error()) } else { Ok(()) });
    }
    let output = command.output().expect("run the binary in a new session");
    let _ = std::fs::remove_file(&log);
    output
}

/// Ctrl-C while a request is in flight, stdout redirected: exit 130, and "nothing was
/// set up" on stderr (the terminal), not in the file, which stays empty.
#[test]
fn ctrl_c_during_a_request_exits_130_with_its_message_on_stderr() {
    let summary = TempPath::new("interrupted");
    // Every answer takes a minute: the sign-in's request is in flight when Ctrl-C comes.
    let args = ["--demo", "--latency", "60s"];
    let mut app = Pty::spawn_with_stdout("interrupted", &args, 100, 30, &summary.0);
    app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    app.send(ENTER);
    app.wait_for_text(&["Checking the key"]);
    app.send(CTRL_C);
    let after = app.expect_restored_with(130);
    assert!(after.contains("telnyx-setup: nothing was set up."), "on the terminal (stderr):\n{after}");
    let bytes = std::fs::read(&summary.0).expect("the redirected stdout exists");
    assert!(bytes.is_empty(), "stdout should stay empty: {:?}", String::from_utf8_lossy(&bytes));
}

#[test]
fn without_a_terminal_the_wizard_and_the_inspector_name_the_commands_that_need_none_and_exit_2() {
    for (args, what) in [(&["--demo"][..], "the wizard"), (&["inspect", "--demo"][..], "the inspector")] {
        let output = without_a_terminal(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?} without a terminal should exit 2:\n{stderr}");
        assert!(output.stdout.is_empty(), "nothing should reach stdout: {:?}", output.stdout);
        for expected in [
            format!("{what} needs a terminal"),
            "/dev/tty".to_owned(),
            "telnyx-setup setup --yes".to_owned(),
            "telnyx-setup token".to_owned(),
            "telnyx-setup doctor --connection".to_owned(),
            "telnyx-setup sandbox".to_owned(),
        ] {
            assert!(stderr.contains(&expected), "{args:?}: stderr should say {expected:?}:\n{stderr}");
        }
        assert!(!stderr.contains("panicked"), "{args:?} should not panic:\n{stderr}");
    }
}
