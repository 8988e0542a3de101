//! A closed pipe on stdout ends the output quietly: no panic ("failed printing to
//! stdout: Broken pipe", exit 101), no message, and the exit status the command would
//! have had anyway.
//!
//! Each test gives the binary a stdout whose reader is already closed, so the first
//! write fails with EPIPE every time, not only when `head` happens to win a race:
//! `doctor` (text and JSON), `sandbox`'s banner, and the wizard's summary (in a PTY,
//! with stdout a FIFO whose reader the test closes while the wizard runs).
#![cfg(unix)]

use crate::support::pty::{CTRL_C, DEADLINE, DOWN, ENTER, Pty};
use crate::support::{BIN, TempPath, log_path};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;

/// Runs the binary with `args`, stdout a pipe whose reading end is closed before it
/// starts, stderr captured; waits at most [`DEADLINE`] for it to exit.
fn with_stdout_closed(args: &[&str]) -> Output {
    run_closed(args, Stdio::piped())
}

/// A pipe whose reading end is already closed.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().expect("make a pipe");
    drop(reader);
    writer
}

fn run_closed(args: &[&str], stderr: impl Into<Stdio>) -> Output {
    let writer = closed_pipe();
    let log = log_path("broken-pipe");
    let child = Command::new(BIN)
        .args(args)
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(stderr)
        .spawn()
        .expect("start the binary");
    let pid = child.id();
    let (done, output) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    let output = match output.recv_timeout(DEADLINE) {
        Ok(output) => output.expect("wait for the binary"),
        Err(_) => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            panic!("{args:?} with stdout closed was still running after {DEADLINE:?}");
        }
    };
    let _ = std::fs::remove_file(&log);
    output
}

fn assert_quiet(args: &[&str], output: &Output, code: i32) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(code), "{args:?} with stdout closed:\n{stderr}");
    assert!(stderr.is_empty(), "{args:?} should say nothing about a closed pipe:\n{stderr}");
}

#[test]
fn doctor_ends_quietly_on_a_closed_pipe_and_keeps_its_verdict() {
    // No connection 1 in the demo account: a failed check, exit 1, as without the pipe.
    for args in
        [&["doctor", "--demo", "--connection", "1"][..], &["doctor", "--demo", "--connection", "1", "--json"]]
    {
        let output = with_stdout_closed(args);
        assert_quiet(args, &output, 1);
    }
}

#[test]
fn an_error_message_on_a_closed_stderr_does_not_panic() {
    // `2>&1 | head`: stderr is the closed pipe too. The demo sandbox refuses the key.
    let args = ["doctor", "--demo", "--connection", "1", "--api-key", "not-a-key"];
    let output = run_closed(&args, closed_pipe());
    assert_eq!(output.status.code(), Some(2), "an API error is exit 2, not a panic's 101");
}

#[test]
fn the_sandbox_stops_quietly_when_nobody_can_read_its_url() {
    let args = ["sandbox", "--port", "0"];
    let output = with_stdout_closed(&args);
    assert_quiet(&args, &output, 0);
}

/// A FIFO in the temporary directory, and its reading end, opened without waiting for
/// a writer.
fn fifo(name: &str) -> (TempPath, std::fs::File) {
    let path = TempPath::new(name);
    let c_path = std::ffi::CString::new(path.0.as_os_str().as_bytes()).expect("no NUL in the path");
    // SAFETY: a valid NUL-terminated path; mkfifo touches nothing else.
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) };
    assert_eq!(made, 0, "mkfifo {}: {}", path.0.display(), std::io::Error::last_os_error());
    let reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&path.0)
        .expect("open the FIFO's reading end");
    (path, reader)
}

#[test]
fn the_wizard_quits_quietly_when_its_summary_meets_a_closed_pipe() {
    let (path, reader) = fifo("summary-fifo");
    let mut app = Pty::spawn_with_stdout("summary-pipe", &["--demo"], 100, 30, &path.0);
    // The shell opened the FIFO for the wizard's stdout before it started the binary.
    app.wait_idle_with(&["Step 1 of 8: Sign in", "Demo mode"]);
    drop(reader);
    app.send(ENTER);
    app.wait_idle_with(&["Step 2 of 8: Connection", "Office softphones"]);
    // A connection chosen: there is a summary to print (with nothing set up, the
    // wizard says so on stderr and prints nothing on stdout).
    app.send(DOWN);
    app.send(ENTER);
    app.wait_idle_with(&["Step 3 of 8: Codecs"]);
    app.send(CTRL_C);
    let after = app.expect_restored_with(130);
    for noise in ["Broken pipe", "panicked", "cannot print"] {
        assert!(!after.contains(noise), "the wizard should quit quietly, not with {noise:?}:\n{after}");
    }
}

#[test]
fn a_warning_about_the_log_on_a_closed_stderr_does_not_panic() {
    // A log path under a file cannot be opened: the warning meets the closed stderr.
    let blocker = TempPath::new("log-blocker");
    std::fs::write(&blocker.0, "a file, not a directory").expect("write the blocker");
    let output = Command::new(BIN)
        .args(["doctor", "--demo", "--connection", "1"])
        .env("TELNYX_SETUP_LOG", blocker.0.join("telnyx-setup.log"))
        .env_remove("TELNYX_API_KEY")
        .env_remove("TELNYX_API_BASE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(closed_pipe())
        .output()
        .expect("run the binary");
    assert_eq!(output.status.code(), Some(1), "the verdict (no connection 1), not a panic's 101");
}
