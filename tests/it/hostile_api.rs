//! What the program prints for a shell, a terminal or a browser, against a hostile API
//! ([`Hostile`]: every string field of every answer holds shell metacharacters, a
//! newline, quotes, curl's variable marker naming the key and terminal escapes; prices
//! are negative or unreadable; the login token has a command after it):
//!
//! - `eval` of `token --env` runs nothing, and `token` writes no raw control;
//!
//! Each shell runs in a directory of its own, where a planted `touch pwned` would leave
//! a file; the server keeps every request, so a body that carries the key is seen.

use crate::hostile_text::raw_controls;
use crate::support::hostile::{Hostile, PLANTED};
use crate::support::{BIN, TempDir, log_path};
use std::process::{Command, Output};

/// The key the commands use: it must never be in a request's body.
const KEY: &str = "KEYhostile0123456789";

/// Runs `command` (the binary, or a shell running it) on a blocking thread, with the
/// key in `TELNYX_API_KEY`, a log of its own, and `dir` as its working directory.
async fn run(mut command: Command, dir: &TempDir) -> Output {
    let log = log_path("hostile-api");
    command
        .current_dir(dir.path())
        .env("TELNYX_API_KEY", KEY)
        .env_remove("TELNYX_API_BASE")
        .env("TELNYX_SETUP_LOG", &log)
        .env("TELNYX_SETUP_STATE_DIR", dir.path());
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the command runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    output
}

/// `telnyx-setup ARGS --api-base HOSTILE`.
fn binary(hostile: &Hostile, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).args(["--api-base", hostile.base_url()]);
    command
}

/// `bash -c SCRIPT` with the binary as `$BIN` and the API as `$BASE`.
fn bash(hostile: &Hostile, script: &str) -> Command {
    let mut command = Command::new("bash");
    command.args(["-c", script]).env("BIN", BIN).env("BASE", hostile.base_url());
    command
}

/// Asserts nothing the shell ran was planted: no `pwned` file in `dir`.
#[track_caller]
fn ran_nothing(dir: &TempDir, output: &Output) {
    let made: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(
        !dir.path().join("pwned").exists(),
        "a planted command ran: {made:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Asserts no raw control character (C0 but newline, DEL, C1) is in stdout or stderr.
#[track_caller]
fn no_raw_controls(what: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let raw = raw_controls(bytes);
        assert!(
            raw.is_empty(),
            "{what}: {stream} holds raw control characters:\n{}\n{:?}",
            raw.join("\n"),
            String::from_utf8_lossy(bytes)
        );
    }
}

/// Asserts no request the server was sent carries the key in its body.
#[track_caller]
fn no_key_sent_in_a_body(hostile: &Hostile) {
    for seen in hostile.seen() {
        assert!(
            !seen.body.contains(KEY),
            "the key left in a body: {} {}\n{}",
            seen.method,
            seen.target,
            seen.body
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eval_of_token_env_runs_nothing_and_token_prints_no_escape() {
    let hostile = Hostile::start().await;
    let dir = TempDir::new("hostile-token");
    let shell =
        run(bash(&hostile, r#"eval "$("$BIN" token --credential c1 --env --api-base "$BASE")""#), &dir).await;
    ran_nothing(&dir, &shell);
    no_raw_controls("eval of token --env", &shell);
    // The token is refused, and the reason says what arrived, escaped.
    for args in [
        &["token", "--credential", "c1"][..],
        &["token", "--credential", "c1", "--env"],
        &["token", "--credential", "c1", "--json"],
    ] {
        let output = run(binary(&hostile, args), &dir).await;
        no_raw_controls(&args.join(" "), &output);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&output.stdout));
        assert!(stderr.contains("is not a JWT") && stderr.contains("is '$'"), "{args:?}: {stderr}");
        // Advice for this command, not the doctor's.
        assert!(stderr.trim_end().ends_with("Run the same token command again in a moment."), "{stderr}");
    }
    ran_nothing(&dir, &shell);
    no_key_sent_in_a_body(&hostile);
    assert!(PLANTED.contains("touch pwned"), "the planted text has a command to run");
}
