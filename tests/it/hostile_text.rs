//! What a hostile server's text does to the terminal: nothing. The sandbox's `escapes`
//! fault appends terminal escape sequences (window title, screen clear, an OSC 52
//! clipboard write, an 8-bit CSI), DEL and a forged log line to every string of its
//! JSON answers but ids, and every place that prints API text outside the full-screen
//! UI is checked byte by byte for a raw control character:
//!
//! - `doctor`'s text report (names, codecs, numbers, destinations, statuses);
//! - an API error on stderr (Telnyx's `detail`, `title` and `code`);
//! - the summary printed when the wizard ends (run in a PTY, with `--print-secrets`,
//!   so the credential's password from the API is printed too).
//!
//! Each check also finds the escaped form of the planted text, so it cannot pass by
//! the planted text never arriving. The only server is the sandbox on loopback.

use crate::support::{BIN, client, log_path};
use std::process::{Command, Output};
use telnyx_setup::api::PageRequest;
use telnyx_setup::sandbox::{FaultPlan, HOSTILE_TEXT, Sandbox, Seed};

/// How [`HOSTILE_TEXT`]'s start reads once escaped.
const ESCAPED: &str = "\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{1b}]52;c;cm0gLXJmIH4K\\u{7}\\u{9b}31m\\u{7f}\\r\\n";

/// Every control character (C0 but newline, DEL, C1) in `bytes`, with where it is and
/// the text around it, escaped so the failure message is itself harmless.
pub fn raw_controls(bytes: &[u8]) -> Vec<String> {
    let chars: Vec<char> = String::from_utf8_lossy(bytes).chars().collect();
    chars
        .iter()
        .enumerate()
        .filter(|(_, c)| **c != '\n' && telnyx_setup::sanitize::is_control(**c))
        .map(|(at, c)| {
            let around: String = chars[at.saturating_sub(30)..(at + 30).min(chars.len())].iter().collect();
            format!("U+{:04X} at character {at}: {around:?}", *c as u32)
        })
        .collect()
}

/// Asserts `bytes` (what the binary wrote to `stream`) hold no raw control character
/// and do hold the planted text, escaped.
fn assert_escaped(stream: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let raw = raw_controls(bytes);
    assert!(raw.is_empty(), "{stream} holds raw control characters:\n{}\n{text:?}", raw.join("\n"));
    assert!(text.contains(ESCAPED), "{stream} should show the planted text escaped:\n{text}");
    assert!(
        !text.lines().any(|line| line.starts_with("2026-01-01T00:00:00")),
        "a planted newline started a line of its own:\n{text}"
    );
}

/// A sandbox with its sample connection whose every JSON answer carries the hostile
/// text, and that connection's id (ids are left clean).
async fn hostile_sandbox() -> (Sandbox, String) {
    let seed = Seed { faults: FaultPlan::parse(["* *=escapes"]).unwrap(), ..Seed::default() };
    let sandbox = Sandbox::start_local(&seed).await.expect("start the sandbox");
    let api = client(&sandbox.base_url(), "KEYhostile");
    let mut page = api.list_credential_connections(PageRequest::first(10), None).await.expect("list");
    let connection = page.data.remove(0);
    assert!(connection.connection_name.ends_with(HOSTILE_TEXT), "the fault plants: {connection:?}");
    (sandbox, connection.id)
}

async fn run_doctor(sandbox: &Sandbox, key: &str, args: &[&str]) -> Output {
    let log = log_path("hostile-doctor");
    let mut command = Command::new(BIN);
    command
        .args(["doctor", "--api-base", &sandbox.base_url()])
        .args(args)
        .env("TELNYX_API_KEY", key)
        .env("TELNYX_SETUP_LOG", &log)
        .env_remove("TELNYX_API_BASE");
    let output =
        tokio::task::spawn_blocking(move || command.output().expect("the binary runs")).await.unwrap();
    let _ = std::fs::remove_file(&log);
    output
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_prints_hostile_records_escaped() {
    let (sandbox, connection) = hostile_sandbox().await;
    let output = run_doctor(&sandbox, "KEYhostile", &["--connection", &connection]).await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.starts_with("Doctor for credential connection"), "{stdout}\n{output:?}");
    assert_escaped("the doctor's report", &output.stdout);
    assert_eq!(raw_controls(&output.stderr), Vec::<String>::new(), "stderr");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_error_on_stderr_is_escaped() {
    let (sandbox, connection) = hostile_sandbox().await;
    // A key the sandbox refuses: its 401 carries Telnyx's errors[], planted.
    let output = run_doctor(&sandbox, "WRONGkey", &["--connection", &connection]).await;
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Telnyx rejected the API key"), "{stderr}");
    assert_escaped("the error on stderr", &output.stderr);
}

/// The whole wizard with `--demo`, where the connection's create answer (made on its
/// profile, with its codecs), the profile's create answer (made with its countries, one more
/// ticked) and the credential's create answer are planted: the summary printed on exit
/// names all of them, escaped (but the codecs, which the header does not mark done).
#[cfg(unix)]
#[test]
fn the_summary_on_exit_prints_hostile_records_escaped() {
    use crate::support::pty::{ENTER, Pty, credential_and_token, enter_through_steps_one_to_four_from};
    let mut app = Pty::spawn(
        "hostile-summary",
        &[
            "--demo",
            "--print-secrets",
            "--fault",
            "POST /credential_connections=escapes",
            "--fault",
            "POST /outbound_voice_profiles=escapes",
            "--fault",
            "POST /telephony_credentials=escapes",
        ],
        120,
        40,
    );
    enter_through_steps_one_to_four_from(&mut app, "Demo mode");
    app.send(" ");
    app.wait_for_text(&["Allowed: A"]);
    app.send(ENTER);
    app.wait_idle_with(&["Step 6 of 8: Numbers", "Press Enter to search for numbers, or s to skip"]);
    credential_and_token(&mut app, "s");
    app.send(ENTER);
    let screen = app.wait_idle_with(&["Setup complete", "Enter or q to quit"]);
    // The codecs the create answered carry the planted text, so they are not the codecs
    // asked for: the header does not mark them done, and the summary, which reads the
    // same facts, does not list them (each of its lines is there exactly when its step
    // is marked).
    let header = screen.lines().take(4).collect::<Vec<_>>().join("\n");
    assert!(header.contains("Codecs") && !header.contains("✓ Codecs"), "{screen}");
    app.send("q");
    app.expect_restored();
    let output = app.output();
    // What the app printed after it left the alternate screen, from the summary's first
    // line on (before it come the escape sequences that restore the terminal).
    let left =
        output.windows(8).rposition(|w| w == b"\x1b[?1049l").expect("the app left the alternate screen");
    let at =
        left + output[left..].windows(10).position(|w| w == b"Connection").expect("the summary was printed");
    // The terminal's line discipline turns each newline into CR LF (onlcr).
    let summary = String::from_utf8_lossy(&output[at..]).replace("\r\n", "\n");
    assert_escaped("the summary", summary.as_bytes());
    let text = summary;
    assert!(!text.lines().any(|line| line.starts_with("Codecs")), "{text}");
    for label in [
        "Connection ",
        "SIP user name",
        "Voice profile",
        "Countries",
        "Credential ",
        "SIP address",
        "Credential pass",
    ] {
        let line =
            text.lines().find(|line| line.starts_with(label)).unwrap_or_else(|| panic!("{label}: {text}"));
        assert!(line.contains("\\u{1b}]0;PWNED"), "{label} should carry the planted text: {line}");
    }
}
